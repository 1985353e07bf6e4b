import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import {
  documentedExample,
  expectDocumentedShape,
  expectError,
  links,
  STATUS_NULLABLE,
  shapeProblems,
} from "./entity-shape.ts";

/**
 * Quote posts between local accounts (Mastodon 4.5's API): quoting by policy, the Quote entity,
 * quotes_count, the `quote` notification, the author's quotes list and revocation.
 */
interface Status {
  id: string;
  uri: string;
  quotes_count: number;
  quote: { state: string; quoted_status: Status | null } | null;
  quote_approval: { automatic: string[]; manual: string[]; current_user: string };
}
interface User {
  account: { id: string };
  token: string;
}

let t: TestTern;
let alice: User;
let bob: User;
let carol: User;
beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
});
afterAll(() => t.close());

async function post(who: User, json: Record<string, unknown>): Promise<Response> {
  return t.request("/api/v1/statuses", { method: "POST", token: who.token, json });
}
async function posted(who: User, json: Record<string, unknown>): Promise<Status> {
  const res = await post(who, json);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Status;
}
async function get<T>(who: User, path: string): Promise<T> {
  const res = await t.request(path, { token: who.token });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}
const statusOf = (who: User, id: string) => get<Status>(who, `/api/v1/statuses/${id}`);

describe("quoting a local post", () => {
  it("is accepted at once by a public policy: Quote entity, count, notification", async () => {
    const original = await posted(alice, { status: "quote me" });
    expect(original.quote_approval).toEqual({
      automatic: ["public"],
      manual: [],
      current_user: "automatic",
    });
    expect((await statusOf(bob, original.id)).quote_approval.current_user).toBe("automatic");
    const quoting = await posted(bob, { status: "look at this", quoted_status_id: original.id });
    expect(quoting.quote?.state).toBe("accepted");
    expect(quoting.quote?.quoted_status?.id).toBe(original.id);
    expectDocumentedShape(quoting.quote, "Quote", STATUS_NULLABLE, {
      // Ours nests the full Status of the quoted post; the example's account is abridged.
      optional: ["quoted_status.account"],
    });
    // The quoted post inside carries its own quote as a ShallowQuote (no deeper nesting).
    expect(quoting.quote?.quoted_status?.quote).toBeNull();
    expect(shapeProblems(original.quote_approval, documentedExample("QuoteApproval"))).toEqual([]);
    expect((await statusOf(alice, original.id)).quotes_count).toBe(1);
    const notes = await get<{ type: string; account: { id: string }; status: { id: string } }[]>(
      alice,
      "/api/v1/notifications?types[]=quote",
    );
    expect(notes.map((n) => [n.type, n.account.id, n.status.id])).toEqual([
      ["quote", bob.account.id, quoting.id],
    ]);
  });

  it("a quote of a quote embeds the middle post, whose own quote is shallow", async () => {
    const first = await posted(alice, { status: "first" });
    const middle = await posted(bob, { status: "middle", quoted_status_id: first.id });
    const outer = await posted(carol, { status: "outer", quoted_status_id: middle.id });
    const inner = outer.quote?.quoted_status as unknown as { quote: unknown };
    expect(inner.quote).toEqual({ state: "accepted", quoted_status_id: first.id });
  });

  it("followers policy: a follower may quote, anyone else gets a 422 that says why", async () => {
    const original = await posted(alice, {
      status: "followers may quote",
      quote_approval_policy: "followers",
    });
    expect(original.quote_approval.automatic).toEqual(["followers"]);
    expect((await statusOf(carol, original.id)).quote_approval.current_user).toBe("denied");
    const refused = await post(carol, { status: "nope", quoted_status_id: original.id });
    expect(await expectError(refused, 422)).toMatch(/quote policy/);
    const follow = await t.request(`/api/v1/accounts/${alice.account.id}/follow`, {
      method: "POST",
      token: carol.token,
    });
    expect(follow.status).toBe(200);
    expect((await statusOf(carol, original.id)).quote_approval.current_user).toBe("automatic");
    const ok = await posted(carol, { status: "yes", quoted_status_id: original.id });
    expect(ok.quote?.state).toBe("accepted");
  });

  it("nobody policy, private and direct posts, unknown ids: 422, nothing stored", async () => {
    const nobody = await posted(alice, { status: "mine", quote_approval_policy: "nobody" });
    expect(nobody.quote_approval).toMatchObject({ automatic: [], current_user: "automatic" });
    const before = (await get<Status[]>(bob, `/api/v1/accounts/${bob.account.id}/statuses`)).length;
    expect(
      await expectError(await post(bob, { status: "x", quoted_status_id: nobody.id }), 422),
    ).toMatch(/quote policy/);
    const priv = await posted(alice, { status: "followers only", visibility: "private" });
    expect(priv.quote_approval.automatic).toEqual([]);
    // carol follows alice and sees the post, but may not quote it; alice may quote her own.
    expect(
      await expectError(await post(carol, { status: "x", quoted_status_id: priv.id }), 422),
    ).toMatch(/private and direct/);
    expect((await posted(alice, { status: "me", quoted_status_id: priv.id })).quote?.state).toBe(
      "accepted",
    );
    const direct = await posted(alice, { status: "@bob hi", visibility: "direct" });
    expect(
      await expectError(await post(alice, { status: "x", quoted_status_id: direct.id }), 422),
    ).toMatch(/private and direct/);
    // Bob cannot see alice's followers-only post: as if it did not exist.
    expect(
      await expectError(await post(bob, { status: "x", quoted_status_id: priv.id }), 422),
    ).toMatch(/does not exist/);
    await expectError(await post(bob, { status: "x", quoted_status_id: "12345" }), 422);
    await expectError(await post(bob, { status: "x", quoted_status_id: "abc" }), 422);
    await expectError(await post(bob, { status: "x", quote_approval_policy: "everyone" }), 422);
    const after = (await get<Status[]>(bob, `/api/v1/accounts/${bob.account.id}/statuses`)).length;
    expect(after).toBe(before);
  });

  it("quote_approval_policy can be changed by an edit; unset, the default is public", async () => {
    const original = await posted(alice, { status: "open" });
    const res = await t.request(`/api/v1/statuses/${original.id}`, {
      method: "PUT",
      token: alice.token,
      json: { status: "closed now", quote_approval_policy: "nobody" },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Status).quote_approval.automatic).toEqual([]);
    await expectError(await post(bob, { status: "x", quoted_status_id: original.id }), 422);
  });
});

describe("the author's quotes list and revocation", () => {
  it("lists accepted quotes newest first, paged; revoke hides one and uncounts it", async () => {
    const original = await posted(alice, { status: "much quoted" });
    const q1 = await posted(bob, { status: "q1", quoted_status_id: original.id });
    const q2 = await posted(carol, { status: "q2", quoted_status_id: original.id });
    const page1 = await t.request(`/api/v1/statuses/${original.id}/quotes?limit=1`, {
      token: alice.token,
    });
    expect(page1.status).toBe(200);
    expect(((await page1.json()) as Status[]).map((s) => s.id)).toEqual([q2.id]);
    const next = links(page1).next;
    expect(next).toBeDefined();
    expect((await get<Status[]>(alice, next)).map((s) => s.id)).toEqual([q1.id]);
    // Someone else's post: not theirs to list.
    const notMine = await t.request(`/api/v1/statuses/${original.id}/quotes`, {
      token: bob.token,
    });
    await expectError(notMine, 404);

    const revoke = (who: User, quoting: string) =>
      t.request(`/api/v1/statuses/${original.id}/quotes/${quoting}/revoke`, {
        method: "POST",
        token: who.token,
      });
    await expectError(await revoke(bob, q1.id), 404);
    const revoked = await revoke(alice, q1.id);
    expect(revoked.status).toBe(200);
    const shown = (await revoked.json()) as Status;
    expect(shown.id).toBe(q1.id);
    expect(shown.quote).toEqual({ state: "revoked", quoted_status: null });
    expect((await revoke(alice, q1.id)).status).toBe(200); // again: unchanged
    expect((await statusOf(alice, original.id)).quotes_count).toBe(1);
    const left = await get<Status[]>(alice, `/api/v1/statuses/${original.id}/quotes`);
    expect(left.map((s) => s.id)).toEqual([q2.id]);
    expect((await statusOf(bob, q1.id)).quote?.state).toBe("revoked");
  });

  it("deleting a quote uncounts it; deleting the quoted post leaves the quote `deleted`", async () => {
    const original = await posted(alice, { status: "to be deleted" });
    const q = await posted(bob, { status: "q", quoted_status_id: original.id });
    const q2 = await posted(carol, { status: "q2", quoted_status_id: original.id });
    expect((await statusOf(alice, original.id)).quotes_count).toBe(2);
    const del = (who: User, id: string) =>
      t.request(`/api/v1/statuses/${id}`, { method: "DELETE", token: who.token });
    expect((await del(carol, q2.id)).status).toBe(200);
    expect((await statusOf(alice, original.id)).quotes_count).toBe(1);
    expect((await del(alice, original.id)).status).toBe(200);
    expect((await statusOf(bob, q.id)).quote).toEqual({ state: "deleted", quoted_status: null });
  });
});
