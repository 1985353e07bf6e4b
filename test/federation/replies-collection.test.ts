/**
 * The `replies` collection of a local Note, as another server fetches it (anonymous GET with an
 * ActivityPub Accept): the Note names it, it lists the ids of public and unlisted replies only,
 * oldest first, paged, and a followers-only post has none to show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

type Json = Record<string, unknown>;
let t: TestTern;
let alice: { token: string };
let bob: { token: string };

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
});
afterAll(() => t.close());

async function post(token: string, status: string, extra: Json = {}) {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token,
    json: { status, ...extra },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; uri: string };
}
async function fetchAp(url: string): Promise<{ status: number; json?: Json }> {
  const res = await t.request(new URL(url).pathname + new URL(url).search, {
    headers: { accept: "application/activity+json" },
  });
  return { status: res.status, json: res.ok ? ((await res.json()) as Json) : undefined };
}
const idOf = (v: unknown) => (typeof v === "string" ? v : (v as Json | undefined)?.id);

describe("the replies collection of a local Note", () => {
  it("lists public and unlisted replies by id, oldest first, never followers-only ones", async () => {
    const parent = await post(alice.token, "replies welcome");
    const open = await post(bob.token, "public reply", { in_reply_to_id: parent.id });
    await post(bob.token, "followers-only reply", {
      in_reply_to_id: parent.id,
      visibility: "private",
    });
    const quiet = await post(alice.token, "unlisted reply", {
      in_reply_to_id: parent.id,
      visibility: "unlisted",
    });
    const note = await fetchAp(parent.uri);
    expect(note.status).toBe(200);
    const repliesId = idOf(note.json?.replies) as string;
    expect(repliesId).toBe(`${parent.uri}/replies`);
    const collection = await fetchAp(repliesId);
    expect(collection.status).toBe(200);
    expect(collection.json?.type).toBe("Collection");
    const first = await fetchAp(idOf(collection.json?.first) as string);
    expect(first.json?.type).toBe("CollectionPage");
    expect(first.json?.items ?? first.json?.orderedItems).toEqual([open.uri, quiet.uri]);
  });

  it("pages 40 at a time", async () => {
    const parent = await post(alice.token, "a busy post");
    const uris: string[] = [];
    for (let i = 0; i < 42; i++)
      uris.push((await post(bob.token, `reply ${i}`, { in_reply_to_id: parent.id })).uri);
    const collection = await fetchAp(`${parent.uri}/replies`);
    const first = await fetchAp(idOf(collection.json?.first) as string);
    expect(first.json?.items).toEqual(uris.slice(0, 40));
    const second = await fetchAp(idOf(first.json?.next) as string);
    expect(second.json?.items).toEqual(uris.slice(40));
    expect(second.json?.next).toBeUndefined();
  });

  it("is not found for a followers-only post, or a post that does not exist", async () => {
    const hidden = await post(alice.token, "followers only", { visibility: "private" });
    await post(alice.token, "its reply", { in_reply_to_id: hidden.id });
    expect((await fetchAp(`${hidden.uri}/replies`)).status).toBe(404);
    expect((await fetchAp(`${hidden.uri.replace(/\d+$/, "123")}/replies`)).status).toBe(404);
  });
});
