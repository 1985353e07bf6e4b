import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quotes, statuses } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, shapeProblems } from "./entity-shape.ts";

/**
 * GET /api/v1/statuses/:id/history for local posts: versions oldest first, the original kept at
 * the first edit, the last one what the status shows; visibility-checked; and what a local edit
 * notifies (boosters, quoters, newly mentioned). Boost and quote rows are inserted directly.
 */
type User = Awaited<ReturnType<TestTern["user"]>>;
interface Edit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: { id: string };
}
interface Status {
  id: string;
  uri: string;
  created_at: string;
  edited_at: string | null;
  content: string;
}

/** Mastodon's StatusEdit example is abridged (`// ...`, trailing commas): made JSON here. */
function documentedStatusEdit(): Record<string, unknown> {
  const path = new URL(
    "../fixtures/mastodon-docs/entities/StatusEdit/01-example.json.txt",
    import.meta.url,
  );
  const text = readFileSync(path, "utf8")
    .replace(/^\s*\/\/.*$/gm, "")
    .replace(/,(\s*[}\]])/g, "$1");
  const doc = JSON.parse(text);
  delete doc.poll; // only present for a version with a poll
  return doc;
}

let t: TestTern;
let alice: User;
let ben: User;
let cat: User;
let dan: User;
beforeAll(async () => {
  t = await startTestTern();
  [alice, ben, cat, dan] = await Promise.all(["alice", "ben", "cat", "dan"].map((n) => t.user(n)));
});
afterAll(() => t.close());

async function send<T>(who: User | null, path: string, method = "GET", json?: unknown) {
  const res = await t.request(path, { method, token: who?.token, json });
  const body = await res.json();
  expect(res.status, `${method} ${path}: ${JSON.stringify(body)}`).toBe(200);
  return body as T;
}
const post = (who: User, status: string, visibility = "public") =>
  send<Status>(who, "/api/v1/statuses", "POST", { status, visibility });
const edit = (who: User, id: string, status: string, extra: Record<string, unknown> = {}) =>
  send<Status>(who, `/api/v1/statuses/${id}`, "PUT", { status, ...extra });
const history = (who: User | null, id: string) =>
  send<Edit[]>(who, `/api/v1/statuses/${id}/history`);

describe("GET /api/v1/statuses/:id/history", () => {
  it("a never-edited status has one version, itself, in Mastodon's StatusEdit shape", async () => {
    const s = await post(alice, "first words");
    const versions = await history(null, s.id);
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      content: s.content,
      created_at: s.created_at,
      spoiler_text: "",
      sensitive: false,
      account: { id: alice.account.id },
    });
    expect(shapeProblems(versions[0], documentedStatusEdit())).toEqual([]);
  });

  it("keeps the original and each edit, oldest first; the last is what the status shows", async () => {
    const s = await post(alice, "version one");
    await edit(alice, s.id, "version two");
    const now = await edit(alice, s.id, "version three", { spoiler_text: "cw" });
    const versions = await history(alice, s.id);
    expect(versions.map((v) => v.content)).toEqual([
      "<p>version one</p>",
      "<p>version two</p>",
      "<p>version three</p>",
    ]);
    expect(versions[0].created_at).toBe(s.created_at);
    expect(versions[2]).toMatchObject({ spoiler_text: "cw", sensitive: true });
    expect(versions[2].created_at).toBe(now.edited_at);
    expect(versions[1].created_at < versions[2].created_at).toBe(true);
  });

  it("saving the same text again is no edit: no version, edited_at unchanged", async () => {
    const s = await post(alice, "steady");
    expect((await edit(alice, s.id, "steady")).edited_at).toBeNull();
    const once = await edit(alice, s.id, "steadier");
    const again = await edit(alice, s.id, "steadier");
    expect(again.edited_at).toBe(once.edited_at);
    expect(await history(alice, s.id)).toHaveLength(2);
  });

  it("is visibility-checked: a followers-only post's history is a 404 to others", async () => {
    const s = await post(alice, "for followers", "private");
    await edit(alice, s.id, "for followers, edited");
    expect(await history(alice, s.id)).toHaveLength(2);
    await expectError(await t.request(`/api/v1/statuses/${s.id}/history`), 404);
    await expectError(
      await t.request(`/api/v1/statuses/${s.id}/history`, { token: ben.token }),
      404,
    );
    await expectError(await t.request("/api/v1/statuses/123/history"), 404);
    await expectError(await t.request("/api/v1/statuses/nope/history"), 404);
  });
});

describe("what a local edit notifies", () => {
  it("boosters get update, quoters quoted_update, newly mentioned accounts a mention", async () => {
    const s = await post(alice, "hello @cat");
    const db = t.database.db;
    const boostId = newId();
    const quoteId = newId();
    await db.insert(statuses).values([
      {
        id: boostId,
        uri: `${ben.account.uri}/statuses/${boostId}/activity`,
        accountId: ben.account.id,
        content: "",
        visibility: "public",
        local: true,
        reblogOfId: s.id,
      },
      {
        id: quoteId,
        uri: `${dan.account.uri}/statuses/${quoteId}`,
        accountId: dan.account.id,
        content: "<p>quoting</p>",
        visibility: "public",
        local: true,
      },
    ]);
    await db.insert(quotes).values({
      id: newId(),
      statusId: quoteId,
      quotedStatusId: s.id,
      quotedUri: s.uri,
      state: "accepted",
    });
    await edit(alice, s.id, "hello @cat and @ben");
    const of = async (who: User) =>
      (await send<{ type: string; status?: { id: string } }[]>(who, "/api/v1/notifications")).map(
        (n) => [n.type, n.status?.id],
      );
    expect(await of(ben)).toEqual([
      ["mention", s.id],
      ["update", s.id],
    ]);
    expect(await of(dan)).toEqual([["quoted_update", quoteId]]);
    // cat was mentioned before the edit: one mention, not two.
    expect(await of(cat)).toEqual([["mention", s.id]]);
    expect(await of(alice)).toEqual([]);
  });
});
