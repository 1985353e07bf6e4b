import { afterAll, beforeAll, expect, it } from "vitest";
import { formWith, jpegWithExif, png } from "../helpers/images.ts";
import {
  api,
  followAndWait,
  type Site,
  startSite,
  startTogether,
  stopSite,
} from "../helpers/sites.ts";
import { eventually } from "../helpers/tern.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * Two Tern servers as separate processes over TLS on loopback: alice on A posts a photo with alt
 * text; bob on B, who follows her, sees the attachment linked to A's file. Then alice changes
 * her name, fields and avatar; B shows the new profile from her Update(Person).
 */
type Media = { type: string; url: string; description: string | null; remote_url: string | null };
type Status = { id: string; uri: string; media_attachments: Media[] };
type Account = {
  id: string;
  display_name: string;
  avatar: string;
  fields: { name: string; value: string }[];
};
const sites: Record<"a" | "b", Site> = {} as never;

beforeAll(async () => {
  const tls = makeCertificate();
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice"], tls.certFile, tls),
    () => startSite(["bob"], tls.certFile, tls),
  ]);
}, 400_000);
afterAll(async () => {
  for (const site of Object.values(sites)) await stopSite(site);
}, 60_000);

/** A multipart request to the site as `user`; fails on a non-2xx answer. */
async function send<T>(site: Site, user: string, method: string, path: string, body: FormData) {
  const res = await fetch(`${site.server.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${site.tokens[user]}` },
    body,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

it("bob on B sees alice's photo and alt text, then her new name, fields and avatar", async () => {
  const { a, b } = sites;
  const aliceOnB = await api<Account>(b, "bob", `/api/v1/accounts/lookup?acct=alice@${a.host}`);
  await followAndWait(b, "bob", aliceOnB.id);

  const media = await send<Media & { id: string }>(
    a,
    "alice",
    "POST",
    "/api/v2/media",
    formWith(await jpegWithExif(400, 200), { description: "A red and blue flag" }),
  );
  const post = await api<Status>(a, "alice", "/api/v1/statuses", {
    method: "POST",
    json: { status: "Look at this", media_ids: [media.id] },
  });
  const seen = await eventually(async () => {
    const home = await api<Status[]>(b, "bob", "/api/v1/timelines/home");
    return home.find((s) => s.uri === post.uri);
  }, 20_000);
  expect(seen.media_attachments).toHaveLength(1);
  expect(seen.media_attachments[0]).toMatchObject({
    type: "image",
    description: "A red and blue flag",
    remote_url: media.url,
  });
  // B copies the picture (REMOTE_MEDIA_CACHE_DAYS) and serves its own copy.
  const copied = await eventually(async () => {
    const s = await api<Status>(b, "bob", `/api/v1/statuses/${seen.id}`);
    return s.media_attachments[0].url.startsWith(`https://${b.host}/media/`) && s;
  }, 20_000);
  expect(copied.media_attachments[0].remote_url).toBe(media.url);
  // The link is A's public file.
  expect(media.url.startsWith(`https://${a.host}/media/`)).toBe(true);
  const file = await fetch(`${a.server.httpUrl}${new URL(media.url).pathname}`);
  expect(file.headers.get("content-type")).toBe("image/jpeg");

  const profile = formWith(await png(500, 500), {}, "avatar");
  profile.append("display_name", "Alice Abroad");
  profile.append("fields_attributes[0][name]", "Blog");
  profile.append("fields_attributes[0][value]", "https://alice.example");
  const updated = await send<Account>(
    a,
    "alice",
    "PATCH",
    "/api/v1/accounts/update_credentials",
    profile,
  );
  const refreshed = await eventually(async () => {
    const account = await api<Account>(b, "bob", `/api/v1/accounts/${aliceOnB.id}`);
    return account.display_name === "Alice Abroad" && account;
  }, 20_000);
  // The new avatar, as B copied it from A.
  expect(updated.avatar.startsWith(`https://${a.host}/media/`)).toBe(true);
  await eventually(async () => {
    const account = await api<Account>(b, "bob", `/api/v1/accounts/${aliceOnB.id}`);
    return account.avatar.startsWith(`https://${b.host}/media/`);
  }, 20_000);
  expect(refreshed.fields).toHaveLength(1);
  expect(refreshed.fields[0].name).toBe("Blog");
  expect(refreshed.fields[0].value).toContain('href="https://alice.example"');
}, 120_000);
