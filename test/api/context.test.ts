/**
 * GET /api/v1/statuses/:id/context and replies_count, as a client sees them: the thread order
 * Mastodon gives (ancestors oldest first, descendants depth-first by creation), replies hidden
 * from those who may not see them, 404 for a hidden status, Mastodon's bounds for anonymous and
 * signed-in readers, and counters that follow replies being posted and deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

interface Status {
  id: string;
  in_reply_to_id: string | null;
  replies_count: number;
  content: string;
}
interface Context {
  ancestors: Status[];
  descendants: Status[];
}

let t: TestTern;
let alice: { token: string; account: { id: string } };
let bob: { token: string };
let carol: { token: string };
let dave: { token: string };

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
  dave = await t.user("dave");
  // carol follows alice (she may read alice's followers-only posts); dave is a stranger.
  const res = await t.request(`/api/v1/accounts/${alice.account.id}/follow`, {
    method: "POST",
    token: carol.token,
  });
  expect(res.status).toBe(200);
});
afterAll(() => t.close());

async function post(token: string, status: string, extra: Record<string, unknown> = {}) {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token,
    json: { status, ...extra },
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Status;
}
const reply = (token: string, to: Status, text: string, extra: Record<string, unknown> = {}) =>
  post(token, text, { in_reply_to_id: to.id, ...extra });

async function context(id: string, token?: string): Promise<Context> {
  const res = await t.request(`/api/v1/statuses/${id}/context`, { token });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Context;
}
const ids = (list: Status[]) => list.map((s) => s.id);
async function repliesCount(id: string) {
  const res = await t.request(`/api/v1/statuses/${id}`, { token: alice.token });
  return ((await res.json()) as Status).replies_count;
}

describe("GET /api/v1/statuses/:id/context", () => {
  let root: Status;
  let r1: Status;
  let r2: Status;
  let r3: Status;
  let r4: Status;
  let hidden: Status;

  beforeAll(async () => {
    root = await post(alice.token, "root");
    r1 = await reply(bob.token, root, "r1");
    r2 = await reply(carol.token, r1, "r2");
    r3 = await reply(alice.token, root, "r3");
    r4 = await reply(bob.token, r2, "r4");
    hidden = await reply(alice.token, root, "for followers", { visibility: "private" });
  });

  it("lists ancestors oldest first and descendants depth-first by creation", async () => {
    const mid = await context(r2.id, bob.token);
    expect(ids(mid.ancestors)).toEqual([root.id, r1.id]);
    expect(ids(mid.descendants)).toEqual([r4.id]);
    const top = await context(root.id, carol.token);
    expect(top.ancestors).toEqual([]);
    expect(ids(top.descendants)).toEqual([r1.id, r2.id, r4.id, r3.id, hidden.id]);
    // Full statuses, rendered with their counters.
    expect(top.descendants[0]).toMatchObject({ in_reply_to_id: root.id, replies_count: 1 });
  });

  it("hides a followers-only reply from a stranger and from anonymous readers", async () => {
    expect(ids((await context(root.id, dave.token)).descendants)).toEqual([
      r1.id,
      r2.id,
      r4.id,
      r3.id,
    ]);
    expect(ids((await context(root.id)).descendants)).not.toContain(hidden.id);
    expect(ids((await context(root.id, alice.token)).descendants)).toContain(hidden.id);
  });

  it("is 404 for a status the reader may not see, and for one that does not exist", async () => {
    for (const token of [dave.token, undefined]) {
      const res = await t.request(`/api/v1/statuses/${hidden.id}/context`, { token });
      expect(res.status).toBe(404);
    }
    expect((await t.request("/api/v1/statuses/123456789/context")).status).toBe(404);
    expect((await context(hidden.id, carol.token)).ancestors.map((s) => s.id)).toEqual([root.id]);
  });

  it("needs read:statuses when a token is given", async () => {
    const writer = await t.user("writer", { scopes: "write" });
    expect(
      (await t.request(`/api/v1/statuses/${root.id}/context`, { token: writer.token })).status,
    ).toBe(403);
  });
});

describe("context bounds (Mastodon's)", () => {
  it("gives anonymous readers 40 ancestors and 20 levels of descendants; signed-in ones all", async () => {
    const chain = [await post(alice.token, "chain 0")];
    for (let i = 1; i <= 45; i++) chain.push(await reply(bob.token, chain[i - 1], `chain ${i}`));
    const last = chain[45];
    const anonUp = await context(last.id);
    expect(ids(anonUp.ancestors)).toEqual(ids(chain.slice(5, 45)));
    expect(ids((await context(last.id, dave.token)).ancestors)).toEqual(ids(chain.slice(0, 45)));
    expect(ids((await context(chain[0].id)).descendants)).toEqual(ids(chain.slice(1, 21)));
    expect(ids((await context(chain[0].id, dave.token)).descendants)).toEqual(ids(chain.slice(1)));
  });

  it("gives anonymous readers 60 descendants at most, signed-in ones more", async () => {
    const busy = await post(alice.token, "busy");
    const replies: Status[] = [];
    for (let i = 0; i < 65; i++) replies.push(await reply(bob.token, busy, `reply ${i}`));
    expect(ids((await context(busy.id)).descendants)).toEqual(ids(replies.slice(0, 60)));
    expect((await context(busy.id, carol.token)).descendants).toHaveLength(65);
    expect(await repliesCount(busy.id)).toBe(65);
  });
});

describe("replies_count", () => {
  it("counts a local reply when posted and uncounts it when deleted, never below zero", async () => {
    const parent = await post(alice.token, "count me");
    expect(await repliesCount(parent.id)).toBe(0);
    const a = await reply(bob.token, parent, "one");
    const b = await reply(carol.token, parent, "two");
    expect(await repliesCount(parent.id)).toBe(2);
    const del = await t.request(`/api/v1/statuses/${a.id}`, { method: "DELETE", token: bob.token });
    expect(del.status).toBe(200);
    // A second delete of the same reply is a 404 and changes nothing.
    const again = await t.request(`/api/v1/statuses/${a.id}`, {
      method: "DELETE",
      token: bob.token,
    });
    expect(again.status).toBe(404);
    expect(await repliesCount(parent.id)).toBe(1);
    await t.request(`/api/v1/statuses/${b.id}`, { method: "DELETE", token: carol.token });
    expect(await repliesCount(parent.id)).toBe(0);
    expect((await context(parent.id)).descendants).toEqual([]);
  });
});
