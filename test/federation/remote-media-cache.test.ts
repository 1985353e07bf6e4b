/**
 * Remote media copied here: a GoToSocial post's picture is fetched by a job, oriented and
 * stripped, given a preview and blurhash made here and served from our storage; missing or
 * oversized files stay links; a repeated delivery keeps the rows; the avatar of an
 * Update(Person) is copied too; a Delete removes the copies; pruning gives old copies back to
 * links; a domain blocked with reject_media gets nothing fetched and its copies taken back.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBlurhashValid } from "blurhash";
import { count, sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseDomainCommand, runDomainCommand } from "../../src/cli/domain.ts";
import { jobs } from "../../src/db/schema/index.ts";
import { pruneRemoteMediaCache } from "../../src/services/media/remote.ts";
import { apiGet, FakePeer, idOf } from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { jpegWithExif, png } from "../helpers/images.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
let peer: FakePeer;

beforeAll(async () => {
  tern = await startTestTern({ DATA_DIR: mkdtempSync(join(tmpdir(), "tern-remote-media-")) });
  probe = await tern.user("probe");
  peer = await FakePeer.start("gotosocial");
  await followAccepted(tern, probe.account, peer.actorId);
}, 120_000);
afterAll(async () => {
  await peer?.close();
  await tern?.close();
});

interface ApiMedia {
  id: string;
  type: string;
  url: string;
  preview_url: string | null;
  remote_url: string | null;
  description: string | null;
  blurhash: string | null;
  meta: { original?: { width: number; height: number } } | null;
}
interface ApiStatus {
  id: string;
  uri: string;
  media_attachments: ApiMedia[];
}

const LOCAL = "https://tern.test/media/";
const home = () => apiGet<ApiStatus[]>(tern, "/api/v1/timelines/home?limit=40", probe.token);
const local = (url: string) => tern.request(new URL(url).pathname);
/** Waits until the worker has run every copying job (copies made or given up). */
const settled = () =>
  eventually(async () => {
    const [row] = await tern.database.db
      .select({ n: count() })
      .from(jobs)
      .where(sql`${jobs.payload}->>'type' in ('media.cache_remote', 'account.cache_images')`);
    return row.n === 0;
  }, 30_000);

const create = peer_capture();
function peer_capture() {
  return {
    /** create-note-image with a missing and an oversized file after the real picture. */
    edit(body: string) {
      const activity = JSON.parse(body);
      const good = activity.object.attachment[0];
      activity.object.attachment = [
        good,
        { ...good, url: `${peer.origin}/fileserver/missing.png`, name: "missing" },
        { ...good, url: `${peer.origin}/fileserver/huge.png`, name: "huge" },
      ];
      return JSON.stringify(activity);
    },
  };
}

it("copies a remote picture here (preview, blurhash, EXIF gone); missing and huge files stay links; a repeat keeps the rows", async () => {
  const activity = JSON.parse(peer.capture("create-note-image"));
  const pictureUrl = activity.object.attachment[0].url as string;
  // Named .png and sent as image/png: the bytes (a sideways JPEG with GPS) decide.
  peer.serveFile(pictureUrl, await jpegWithExif(400, 200), "image/png");
  const huge = new Uint8Array(17 * 1024 * 1024);
  huge.set(await png(8, 8));
  peer.serveFile("/fileserver/huge.png", huge, "image/png");
  expect((await peer.deliver(tern, "create-note-image", create)).status).toBe(202);
  const uri = idOf(activity.object)!;
  const status = await eventually(async () => {
    const s = (await home()).find((x) => x.uri === uri);
    return s?.media_attachments[0].url.startsWith(LOCAL) && s;
  }, 30_000);
  await settled();
  const [picture, missing, big] = (
    await apiGet<ApiStatus>(tern, `/api/v1/statuses/${status.id}`, probe.token)
  ).media_attachments;
  expect(picture).toMatchObject({
    type: "image",
    remote_url: pictureUrl,
    description: "A small gradient test image (alt text).",
    meta: { original: { width: 200, height: 400 } },
  });
  expect(picture.preview_url!.startsWith(LOCAL)).toBe(true);
  expect(isBlurhashValid(picture.blurhash!).result).toBe(true);
  const file = await local(picture.url);
  expect(file.headers.get("content-type")).toBe("image/jpeg");
  const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
  expect([meta.width, meta.height, meta.exif]).toEqual([200, 400, undefined]);
  for (const link of [missing, big]) {
    expect(link.url).toBe(link.remote_url);
    expect(link.url.startsWith(peer.origin)).toBe(true);
  }

  // The same post again (a repeated Create, as an Update would be): same rows, copy kept.
  expect((await peer.deliver(tern, "create-note-image", create)).status).toBe(202);
  await settled();
  const again = await apiGet<ApiStatus>(tern, `/api/v1/statuses/${status.id}`, probe.token);
  expect(again.media_attachments.map((m) => m.id)).toEqual([picture.id, missing.id, big.id]);
  expect(again.media_attachments[0].url).toBe(picture.url);
  // Only the good file was fetched once; the failures were not tried again.
  const fetches = peer.requests.filter((r) => r.path.startsWith("/fileserver/"));
  expect(fetches.filter((r) => r.path === new URL(pictureUrl).pathname)).toHaveLength(1);
  expect(fetches.filter((r) => r.path === "/fileserver/missing.png")).toHaveLength(1);

  // Its Delete deletes the copy.
  const del = (body: string) => {
    const d = JSON.parse(body);
    d.object = uri;
    return JSON.stringify(d);
  };
  expect((await peer.deliver(tern, "delete-note", { edit: del })).status).toBe(202);
  await eventually(async () => (await local(picture.url)).status === 404, 20_000);
}, 90_000);

it("copies the avatar of an Update(Person); pruning gives old copies back to links", async () => {
  const update = JSON.parse(peer.capture("update-person-avatar"));
  const iconUrl = update.object.icon.url as string;
  peer.serveFile(iconUrl, await png(600, 500), "image/png");
  expect((await peer.deliver(tern, "update-person-avatar")).status).toBe(202);
  const accountId = (
    await apiGet<{ id: string }>(
      tern,
      `/api/v1/accounts/lookup?acct=${encodeURIComponent(new URL(peer.actorId).pathname.split("/").pop()!)}@${new URL(peer.origin).host}`,
      probe.token,
    )
  ).id;
  const account = await eventually(async () => {
    const a = await apiGet<{ avatar: string }>(tern, `/api/v1/accounts/${accountId}`, probe.token);
    return a.avatar.startsWith(LOCAL) && a;
  }, 30_000);
  const avatar = await sharp(
    Buffer.from(await (await local(account.avatar)).arrayBuffer()),
  ).metadata();
  expect([avatar.width, avatar.height]).toEqual([400, 400]);

  // A second post's copy, then 15 days later (REMOTE_MEDIA_CACHE_DAYS defaults to 14).
  const second = (body: string) => {
    const a = JSON.parse(body);
    a.id += "-2";
    a.object.id += "-2";
    return JSON.stringify(a);
  };
  expect((await peer.deliver(tern, "create-note-image", { edit: second })).status).toBe(202);
  const uri = `${idOf(JSON.parse(peer.capture("create-note-image")).object)}-2`;
  const copied = await eventually(async () => {
    const s = (await home()).find((x) => x.uri === uri);
    return s?.media_attachments[0].url.startsWith(LOCAL) && s.media_attachments[0];
  }, 30_000);
  const now = new Date(Date.now() + 15 * 86_400_000);
  expect(await pruneRemoteMediaCache(tern.database.db, tern.config, now)).toEqual({
    media: 1,
    accounts: 1,
  });
  const pruned = (await home()).find((x) => x.uri === uri)!.media_attachments[0];
  expect(pruned).toMatchObject({
    id: copied.id,
    url: copied.remote_url,
    preview_url: copied.remote_url,
  });
  const back = await apiGet<{ avatar: string }>(tern, `/api/v1/accounts/${accountId}`, probe.token);
  expect(back.avatar).toBe(iconUrl);
  // The files go by jobs of their own (one for the attachment, one for the avatar): wait for both.
  await eventually(async () => (await local(copied.url)).status === 404, 20_000);
  await eventually(async () => (await local(account.avatar)).status === 404, 20_000);
}, 90_000);

it("fetches nothing more from a domain blocked with --reject-media and takes back its copies", async () => {
  const nth = (n: number) => (body: string) => {
    const a = JSON.parse(body);
    a.id += `-${n}`;
    a.object.id += `-${n}`;
    return JSON.stringify(a);
  };
  const base = idOf(JSON.parse(peer.capture("create-note-image")).object);
  const attachmentOf = async (uri: string) =>
    (await home()).find((x) => x.uri === uri)?.media_attachments[0];
  expect((await peer.deliver(tern, "create-note-image", { edit: nth(3) })).status).toBe(202);
  const copied = await eventually(async () => {
    const m = await attachmentOf(`${base}-3`);
    return m?.url?.startsWith(LOCAL) && m;
  }, 30_000);
  const host = new URL(peer.origin).host;
  const block = parseDomainCommand([
    "domain",
    "block",
    host,
    "--severity",
    "noop",
    "--reject-media",
  ]);
  expect(await runDomainCommand(tern.database.db, block)).toContain("(noop)");
  // The copy is taken back: the attachment is a link to the remote file only.
  const cleared = await eventually(async () => {
    const m = await attachmentOf(`${base}-3`);
    return m?.type === "unknown" && m;
  }, 20_000);
  expect(cleared).toMatchObject({
    id: copied.id,
    url: null,
    preview_url: null,
    remote_url: copied.remote_url,
  });
  await eventually(async () => (await local(copied.url)).status === 404, 20_000);
  // A new post's picture is not fetched at all.
  const fetches = () => peer.requests.filter((r) => r.path.startsWith("/fileserver/")).length;
  const before = fetches();
  expect((await peer.deliver(tern, "create-note-image", { edit: nth(4) })).status).toBe(202);
  const fresh = await eventually(() => attachmentOf(`${base}-4`), 20_000);
  expect(fresh).toMatchObject({ type: "unknown", url: null, remote_url: copied.remote_url });
  await settled();
  expect(fetches()).toBe(before);
  await runDomainCommand(tern.database.db, parseDomainCommand(["domain", "unblock", host]));
}, 90_000);
