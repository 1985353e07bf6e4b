import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, follows, homeFeed, mutes, statuses } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { blockDomain } from "../../src/services/safety/server-domains.ts";
import { settle } from "../helpers/ap-fixtures.ts";
import type { ApiUser } from "../helpers/api-client.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, links } from "./entity-shape.ts";

/**
 * Blocks and mutes between local accounts, through the API: what each side then sees on
 * relationships, follows, timelines, threads, notifications and the lists of who did what.
 */
interface Status {
  id: string;
  account: { id: string };
}
interface Rel {
  id: string;
  following: boolean;
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  muting: boolean;
  muting_notifications: boolean;
  muting_expires_at: string | null;
  domain_blocking: boolean;
}
let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
let carol: ApiUser;
beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
});
afterAll(() => t.close());

const call = (who: ApiUser, path: string, method = "GET", json?: unknown) =>
  t.request(path, { method, token: who.token, json });
async function ok<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as T;
}
const act = (who: ApiUser, target: ApiUser, action: string, json?: unknown) =>
  ok<Rel>(call(who, `/api/v1/accounts/${target.account.id}/${action}`, "POST", json));
const rel = async (who: ApiUser, target: ApiUser) =>
  (await ok<Rel[]>(call(who, `/api/v1/accounts/relationships?id[]=${target.account.id}`)))[0];
const ids = async (who: ApiUser, path: string) =>
  (await ok<{ id: string }[]>(call(who, path))).map((s) => s.id);
const post = (who: ApiUser, text: string, extra: Record<string, unknown> = {}) =>
  t
    .request("/api/v1/statuses", {
      method: "POST",
      token: who.token,
      json: { status: text, ...extra },
    })
    .then((r) => ok<Status>(r));
const counts = async (who: ApiUser) => {
  const a = await ok<{ followers_count: number; following_count: number }>(
    call(who, `/api/v1/accounts/${who.account.id}`),
  );
  return { followers: a.followers_count, following: a.following_count };
};

describe("blocking an account", () => {
  it("removes follows both ways with their counters, and neither can follow again", async () => {
    await act(alice, bob, "follow");
    await act(bob, alice, "follow");
    expect(await counts(alice)).toEqual({ followers: 1, following: 1 });

    const r = await act(bob, alice, "block");
    expect(r).toMatchObject({ blocking: true, blocked_by: false, following: false });
    expect(r.followed_by).toBe(false);
    expect(await rel(alice, bob)).toMatchObject({ blocked_by: true, blocking: false });
    expect(await counts(alice)).toEqual({ followers: 0, following: 0 });
    expect(await counts(bob)).toEqual({ followers: 0, following: 0 });
    // Mastodon: following is not allowed while either blocks the other.
    await expectError(await call(alice, `/api/v1/accounts/${bob.account.id}/follow`, "POST"), 403);
    await expectError(await call(bob, `/api/v1/accounts/${alice.account.id}/follow`, "POST"), 403);
    const rows = await t.database.db.select().from(follows);
    expect(rows).toEqual([]);
    // Blocking twice changes nothing; blocking yourself is refused.
    expect(await act(bob, alice, "block")).toMatchObject({ blocking: true });
    await expectError(await call(bob, `/api/v1/accounts/${bob.account.id}/block`, "POST"), 422);
  });

  it("hides each from the other: statuses by id, account pages, public timeline, threads", async () => {
    const bobs = await post(bob, "bob speaks");
    const alices = await post(alice, "alice speaks");
    // The blocked viewer: bob's post is not found, his page is empty.
    await expectError(await call(alice, `/api/v1/statuses/${bobs.id}`), 404);
    expect(await ids(alice, `/api/v1/accounts/${bob.account.id}/statuses`)).toEqual([]);
    // Anonymous readers still see it.
    expect((await t.request(`/api/v1/statuses/${bobs.id}`)).status).toBe(200);
    // The blocker does not see the blocked on the public timeline.
    const pub = await ids(bob, "/api/v1/timelines/public");
    expect(pub).toContain(bobs.id);
    expect(pub).not.toContain(alices.id);
    expect(await ids(alice, "/api/v1/timelines/public")).not.toContain(bobs.id);
    // carol replies to bob, alice replies to carol: bob does not see alice's reply in the thread.
    const carols = await post(carol, "carol answers", { in_reply_to_id: bobs.id });
    const alicesReply = await post(alice, "alice answers carol", { in_reply_to_id: carols.id });
    const ctx = await ok<{ descendants: Status[] }>(
      call(bob, `/api/v1/statuses/${bobs.id}/context`),
    );
    expect(ctx.descendants.map((s) => s.id)).toEqual([carols.id]);
    const forCarol = await ok<{ descendants: Status[] }>(
      call(carol, `/api/v1/statuses/${bobs.id}/context`),
    );
    expect(forCarol.descendants.map((s) => s.id)).toEqual([carols.id, alicesReply.id]);
  });

  it("a blocked account's mention, favourite and reply do not notify, even written before", async () => {
    // carol favourites bob's post and mentions him before and after he blocks her.
    const bobs = await post(bob, "notify me");
    await post(carol, "@bob before the block");
    await settle(t);
    const before = await ok<{ account: { id: string } }[]>(call(bob, "/api/v1/notifications"));
    expect(before.some((n) => n.account.id === carol.account.id)).toBe(true);
    await act(bob, carol, "block");
    // Replying to or favouriting his posts: they are not there for her.
    await expectError(
      await call(carol, "/api/v1/statuses", "POST", { status: "hey", in_reply_to_id: bobs.id }),
      422,
    );
    await expectError(await call(carol, `/api/v1/statuses/${bobs.id}/favourite`, "POST"), 404);
    await post(carol, "@bob after the block");
    await settle(t);
    const v1 = await ok<{ account: { id: string } }[]>(call(bob, "/api/v1/notifications"));
    expect(v1.filter((n) => n.account.id === carol.account.id)).toEqual([]);
    const v2 = await ok<{ notification_groups: { sample_account_ids: string[] }[] }>(
      call(bob, "/api/v2/notifications"),
    );
    expect(v2.notification_groups.flatMap((g) => g.sample_account_ids)).not.toContain(
      carol.account.id,
    );
    // Nothing was written for the later ones: unblocking does not bring them back.
    await act(bob, carol, "unblock");
    const after = await ok<{ status?: { content: string } }[]>(call(bob, "/api/v1/notifications"));
    expect(after.map((n) => n.status?.content ?? "").join()).not.toContain("after the block");
    expect(after.map((n) => n.status?.content ?? "").join()).toContain("before the block");
  });

  it("lists blocks newest first with Link paging; unblock takes it back", async () => {
    await act(bob, carol, "block");
    const page = await call(bob, "/api/v1/blocks?limit=1");
    expect(((await page.json()) as { id: string }[]).map((a) => a.id)).toEqual([carol.account.id]);
    const next = links(page).next;
    expect(next).toContain("max_id=");
    const older = await call(bob, next!);
    expect(((await older.json()) as { id: string }[]).map((a) => a.id)).toEqual([alice.account.id]);
    expect(await act(bob, carol, "unblock")).toMatchObject({ blocking: false });
    expect(await act(bob, alice, "unblock")).toMatchObject({ blocking: false });
    expect(await ids(bob, "/api/v1/blocks")).toEqual([]);
    expect(await rel(alice, bob)).toMatchObject({ blocked_by: false });
  });

  it("needs the blocks scope", async () => {
    const reader = await t.user("reader", { scopes: "read:statuses write:statuses" });
    await expectError(await call(reader, `/api/v1/accounts/${bob.account.id}/block`, "POST"), 403);
    await expectError(await call(reader, "/api/v1/blocks"), 403);
    await expectError(await call(reader, "/api/v1/mutes"), 403);
    const follow = await t.user("legacy", { scopes: "follow read:accounts" });
    expect((await call(follow, `/api/v1/accounts/${bob.account.id}/mute`, "POST")).status).toBe(
      200,
    );
    expect((await call(follow, "/api/v1/blocks")).status).toBe(200);
  });
});

describe("muting an account", () => {
  it("hides their posts from home and public timelines, not their notifications unless asked", async () => {
    await act(alice, carol, "follow");
    const r = await act(alice, carol, "mute", { notifications: false, duration: 3600 });
    expect(r).toMatchObject({ muting: true, muting_notifications: false });
    expect(Date.parse(r.muting_expires_at!)).toBeGreaterThan(Date.now() + 3_500_000);
    const hidden = await post(carol, "muted @alice");
    await settle(t);
    expect(await ids(alice, "/api/v1/timelines/home")).not.toContain(hidden.id);
    // Not even fanned out to her (so no unmute brings it into her feed later).
    const fanned = await t.database.db
      .select()
      .from(homeFeed)
      .where(and(eq(homeFeed.accountId, alice.account.id), eq(homeFeed.statusId, hidden.id)));
    expect(fanned).toEqual([]);
    expect(await ids(alice, "/api/v1/timelines/public")).not.toContain(hidden.id);
    // notifications=false: the mention still notifies.
    const n = await ok<{ status?: { id: string } }[]>(call(alice, "/api/v1/notifications"));
    expect(n.map((x) => x.status?.id)).toContain(hidden.id);
    // Mute again with notifications (the default): the next mention does not notify.
    expect(await act(alice, carol, "mute")).toMatchObject({ muting_notifications: true });
    const quiet = await post(carol, "quiet @alice");
    await settle(t);
    const n2 = await ok<{ status?: { id: string } }[]>(call(alice, "/api/v1/notifications"));
    expect(n2.map((x) => x.status?.id)).not.toContain(quiet.id);
    expect(await ids(alice, "/api/v1/mutes")).toEqual([carol.account.id]);
  });

  it("stops applying when it expires, and the list forgets it", async () => {
    await t.database.db
      .update(mutes)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(mutes.accountId, alice.account.id));
    expect(await rel(alice, carol)).toMatchObject({ muting: false });
    const seen = await post(carol, "audible again");
    await settle(t);
    expect(await ids(alice, "/api/v1/timelines/home")).toContain(seen.id);
    expect(await ids(alice, "/api/v1/mutes")).toEqual([]);
    const left = await t.database.db
      .select()
      .from(mutes)
      .where(eq(mutes.accountId, alice.account.id));
    expect(left).toEqual([]);
  });

  it("refuses a parameter it does not know, and unmute takes it back", async () => {
    await expectError(
      await call(alice, `/api/v1/accounts/${carol.account.id}/mute`, "POST", { forever: true }),
      422,
    );
    await act(alice, carol, "mute");
    expect(await act(alice, carol, "unmute")).toMatchObject({ muting: false });
  });
});

describe("domain blocks of a user", () => {
  it("hides the domain, drops follows with it, and lists domains with Link paging", async () => {
    const remote = {
      id: newId(),
      username: "eve",
      domain: "evil.example",
      uri: "https://evil.example/users/eve",
    };
    await t.database.db.insert(accounts).values(remote);
    await t.database.db.insert(follows).values({
      id: newId(),
      followerId: remote.id,
      followingId: bob.account.id,
      uri: "https://evil.example/follows/1",
      state: "accepted",
    });
    await expectError(await call(bob, "/api/v1/domain_blocks", "POST", { domain: "" }), 422);
    await ok(call(bob, "/api/v1/domain_blocks", "POST", { domain: "Evil.Example" }));
    await ok(call(bob, "/api/v1/domain_blocks", "POST", { domain: "other.example" }));
    const page = await call(bob, "/api/v1/domain_blocks?limit=1");
    expect(await page.json()).toEqual(["other.example"]);
    expect(links(page).next).toContain("max_id=");
    const [r] = await ok<Rel[]>(call(bob, `/api/v1/accounts/relationships?id[]=${remote.id}`));
    expect(r).toMatchObject({ domain_blocking: true, followed_by: false });
    expect(await t.database.db.select().from(follows)).not.toContainEqual(
      expect.objectContaining({ followerId: remote.id }),
    );
    const del = await t.request("/api/v1/domain_blocks?domain=evil.example", {
      method: "DELETE",
      token: bob.token,
    });
    expect(del.status).toBe(200);
    expect(await ok(call(bob, "/api/v1/domain_blocks"))).toEqual(["other.example"]);
  });
});

describe("a domain the server silenced", () => {
  it("keeps its posts off the public timelines, for everyone", async () => {
    const author = {
      id: newId(),
      username: "loud",
      domain: "loud.example",
      uri: "https://loud.example/users/loud",
    };
    await t.database.db.insert(accounts).values(author);
    const id = newId();
    await t.database.db.insert(statuses).values({
      id,
      uri: `${author.uri}/posts/1`,
      accountId: author.id,
      content: "<p>buy now</p>",
      visibility: "public",
      local: false,
    });
    const pub = async () =>
      (await ok<{ id: string }[]>(t.request("/api/v1/timelines/public"))).map((s) => s.id);
    expect(await pub()).toContain(id);
    await blockDomain(t.database.db, { domain: "loud.example", severity: "silence" }, null);
    expect(await pub()).not.toContain(id);
    expect(await ids(bob, "/api/v1/timelines/public?remote=true")).not.toContain(id);
  });
});
