/**
 * Attachments of posts from GoToSocial (Document), Hollo and snac (Image), as captured, are kept
 * as links to the remote files and shown in `media_attachments` with their alt text; hostile
 * attachments (script URLs, hundreds of items) are refused or capped.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { apiGet, FakePeer, idOf, type Software } from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
const peers = {} as Record<Software, FakePeer>;

beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  for (const sw of ["gotosocial", "hollo", "snac"] as const) {
    peers[sw] = await FakePeer.start(sw);
    await followAccepted(tern, probe.account, peers[sw].actorId);
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(peers).map((p) => p.close()));
  await tern?.close();
});

interface ApiMedia {
  type: string;
  url: string;
  preview_url: string;
  remote_url: string | null;
  description: string | null;
  meta: { original?: { width: number; height: number } } | null;
}
interface ApiStatus {
  uri: string;
  media_attachments: ApiMedia[];
}

const home = () => apiGet<ApiStatus[]>(tern, "/api/v1/timelines/home?limit=40", probe.token);

async function delivered(peer: FakePeer, edit?: (body: string) => string): Promise<ApiStatus> {
  const capture = "create-note-image";
  const uri = idOf(JSON.parse(edit ? edit(peer.capture(capture)) : peer.capture(capture)).object)!;
  expect((await peer.deliver(tern, capture, { edit })).status).toBe(202);
  return eventually(async () => (await home()).find((s) => s.uri === uri));
}

it.each([
  ["gotosocial", "/fileserver/", null],
  ["hollo", "/assets/media/", { width: 64, height: 48 }],
  ["snac", "/dave/s/", null],
] as const)(
  "shows %s's image with its alt text, linked to the remote file",
  async (sw, path, size) => {
    const peer = peers[sw];
    const status = await delivered(peer);
    expect(status.media_attachments).toHaveLength(1);
    const [media] = status.media_attachments;
    expect(media.type).toBe("image");
    expect(media.description).toBe("A small gradient test image (alt text).");
    expect(media.url.startsWith(`${peer.origin}${path}`)).toBe(true);
    expect(media.remote_url).toBe(media.url);
    expect(media.preview_url).toBe(media.url);
    if (size) expect(media.meta?.original).toMatchObject(size);
  },
);

it("refuses script URLs and keeps at most four of hundreds of attachments", async () => {
  const peer = peers.snac;
  const status = await delivered(peer, (body) => {
    const activity = JSON.parse(body);
    const good = activity.object.attachment[0];
    activity.object.id += "-hostile";
    activity.id += "-hostile";
    activity.object.attachment = [
      { ...good, url: "javascript:alert(1)" },
      { ...good, url: "data:image/png;base64,AAAA" },
      ...Array.from({ length: 300 }, (_, i) => ({ ...good, url: `${good.url}?n=${i}` })),
    ];
    return JSON.stringify(activity);
  });
  expect(status.media_attachments).toHaveLength(4);
  for (const m of status.media_attachments) expect(m.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
});
