import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError, links, STATUS_NULLABLE } from "./entity-shape.ts";

interface Account {
  id: string;
  username: string;
  acct: string;
  url: string;
  locked: boolean;
  statuses_count: number;
  followers_count: number;
  following_count: number;
  last_status_at: string | null;
  source?: { privacy: string; note: string; follow_requests_count: number };
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
  carol = await t.user("carol", { locked: true });
});
afterAll(() => t.close());

async function json<T>(path: string, token?: string): Promise<T> {
  const res = await t.request(path, { token });
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body as T;
}
const post = async (who: User, status: string, visibility = "public") => {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token: who.token,
    json: { status, visibility },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string };
};
const follow = async (who: User, target: User) => {
  const res = await t.request(`/api/v1/accounts/${target.account.id}/follow`, {
    method: "POST",
    token: who.token,
  });
  expect(res.status).toBe(200);
  return res.json();
};

describe("reading accounts", () => {
  it("verify_credentials answers a CredentialAccount with source", async () => {
    const me = await json<Account>("/api/v1/accounts/verify_credentials", alice.token);
    expect(me.id).toBe(alice.account.id);
    expect(me.username).toBe("alice");
    expect(me.acct).toBe("alice");
    expect(me.url).toBe("https://tern.test/@alice");
    expect(me.source).toMatchObject({ privacy: "public", note: "", follow_requests_count: 0 });
    expectDocumentedShape(me, "Account", ["last_status_at", "verified_at"]);
    await expectError(await t.request("/api/v1/accounts/verify_credentials"), 401);
    const writeOnly = await t.user("writeonly", { scopes: "write" });
    await expectError(
      await t.request("/api/v1/accounts/verify_credentials", { token: writeOnly.token }),
      403,
    );
  });

  it("GET /:id shows an account to anybody; unknown or malformed ids are 404", async () => {
    const bobs = await json<Account>(`/api/v1/accounts/${bob.account.id}`);
    expect(bobs).toMatchObject({ id: bob.account.id, username: "bob", acct: "bob", locked: false });
    expect(bobs.source).toBeUndefined();
    expectDocumentedShape(bobs, "Account", ["last_status_at", "verified_at"]);
    expect((await json<Account>(`/api/v1/accounts/${carol.account.id}`)).locked).toBe(true);
    await expectError(await t.request("/api/v1/accounts/1"), 404);
    await expectError(await t.request("/api/v1/accounts/nope"), 404);
  });

  it("lookup finds local accounts by username or full handle", async () => {
    for (const acct of ["bob", "@bob", "bob@tern.test", "BOB@TERN.TEST"]) {
      const found = await json<Account>(`/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`);
      expect(found.id, acct).toBe(bob.account.id);
    }
    await expectError(await t.request("/api/v1/accounts/lookup?acct=nobody"), 404);
    await expectError(await t.request("/api/v1/accounts/lookup?acct=nobody@tern.test"), 404);
    await expectError(await t.request("/api/v1/accounts/lookup"), 400);
    await expectError(await t.request("/api/v1/accounts/lookup?acct=a%20b@c@d"), 400);
  });
});

describe("relationships and follow lists", () => {
  it("relationships tells following, requested and followed_by", async () => {
    await follow(alice, bob);
    await follow(bob, alice);
    await follow(alice, carol); // locked: a request
    const rels = await json<Record<string, unknown>[]>(
      `/api/v1/accounts/relationships?id[]=${bob.account.id}&id[]=${carol.account.id}&id[]=${alice.account.id}`,
      alice.token,
    );
    expect(rels.map((r) => r.id)).toEqual([bob.account.id, carol.account.id, alice.account.id]);
    expect(rels[0]).toMatchObject({ following: true, followed_by: true, requested: false });
    expect(rels[1]).toMatchObject({ following: false, followed_by: false, requested: true });
    expect(rels[2]).toMatchObject({ following: false, followed_by: false, requested: false });
    expectDocumentedShape(rels[0], "Relationship", ["muting_expires_at"]);
    // One id without brackets works too; ids that are not numbers are skipped.
    const one = await json<{ id: string; requested_by: boolean }[]>(
      `/api/v1/accounts/relationships?id=${alice.account.id}`,
      carol.token,
    );
    expect(one).toEqual([expect.objectContaining({ id: alice.account.id, requested_by: true })]);
    expect(await json("/api/v1/accounts/relationships?id[]=abc", alice.token)).toEqual([]);
    await expectError(
      await t.request(`/api/v1/accounts/relationships?id[]=${bob.account.id}`),
      401,
    );
  });

  it("followers and following list accounts, newest first, with Link paging", async () => {
    const popular = await t.user("popular");
    const fans: User[] = [];
    for (const name of ["fan1", "fan2", "fan3", "fan4", "fan5"]) {
      const fan = await t.user(name);
      await follow(fan, popular);
      fans.push(fan);
    }
    const newestFirst = fans.map((f) => f.account.id).reverse();
    const first = await t.request(`/api/v1/accounts/${popular.account.id}/followers?limit=2`);
    const page1 = (await first.json()) as Account[];
    expect(page1.map((a) => a.id)).toEqual(newestFirst.slice(0, 2));
    const l1 = links(first);
    expect(l1.next).toContain("max_id=");
    expect(l1.prev).toContain("min_id=");
    const second = await t.request(l1.next);
    expect(((await second.json()) as Account[]).map((a) => a.id)).toEqual(newestFirst.slice(2, 4));
    const back = await t.request(links(second).prev);
    expect(((await back.json()) as Account[]).map((a) => a.id)).toEqual(newestFirst.slice(0, 2));
    const third = await t.request(links(second).next);
    expect(((await third.json()) as Account[]).map((a) => a.id)).toEqual(newestFirst.slice(4));
    // prev from the last page is the page before it, not the first one.
    const previous = await t.request(links(third).prev);
    expect(((await previous.json()) as Account[]).map((a) => a.id)).toEqual(
      newestFirst.slice(2, 4),
    );

    const following = await json<Account[]>(`/api/v1/accounts/${fans[0].account.id}/following`);
    expect(following.map((a) => a.id)).toEqual([popular.account.id]);
    // Pending requests are not followers.
    expect(
      (await json<Account[]>(`/api/v1/accounts/${carol.account.id}/followers`)).map((a) => a.id),
    ).toEqual([]);
    await expectError(await t.request("/api/v1/accounts/1/followers"), 404);
    await expectError(
      await t.request(`/api/v1/accounts/${popular.account.id}/followers?max_id=x`),
      400,
    );
  });
});

describe("an account's statuses and counts", () => {
  it("hides followers-only posts from non-followers and direct posts from everyone", async () => {
    const writer = await t.user("writer");
    const follower = await t.user("follower");
    const stranger = await t.user("stranger");
    await follow(follower, writer);
    const pub = await post(writer, "public");
    const unl = await post(writer, "unlisted", "unlisted");
    const priv = await post(writer, "followers only", "private");
    const dm = await post(writer, "@stranger direct", "direct");
    const path = `/api/v1/accounts/${writer.account.id}/statuses`;
    const seen = async (token?: string) =>
      (await json<{ id: string }[]>(path, token)).map((s) => s.id);
    expect(await seen()).toEqual([unl.id, pub.id]);
    expect(await seen(stranger.token)).toEqual([unl.id, pub.id]);
    expect(await seen(follower.token)).toEqual([priv.id, unl.id, pub.id]);
    expect(await seen(writer.token)).toEqual([priv.id, unl.id, pub.id]);
    expect(await seen(stranger.token)).not.toContain(dm.id);
    const list = await json<Record<string, unknown>[]>(path);
    expectDocumentedShape(list[0], "Status", STATUS_NULLABLE);

    const page = await t.request(`${path}?limit=1`);
    expect(((await page.json()) as { id: string }[]).map((s) => s.id)).toEqual([unl.id]);
    const next = await t.request(links(page).next);
    expect(((await next.json()) as { id: string }[]).map((s) => s.id)).toEqual([pub.id]);
    await expectError(await t.request("/api/v1/accounts/1/statuses"), 404);
  });

  it("counts statuses, followers and following", async () => {
    const counted = await t.user("counted");
    const f1 = await t.user("countfan1");
    const f2 = await t.user("countfan2");
    await follow(f1, counted);
    await follow(f2, counted);
    await follow(counted, f1);
    await post(counted, "one");
    await post(counted, "two", "unlisted");
    await post(counted, "three", "private");
    const doomed = await post(counted, "four");
    await t.request(`/api/v1/statuses/${doomed.id}`, { method: "DELETE", token: counted.token });
    const a = await json<Account>(`/api/v1/accounts/${counted.account.id}`);
    expect(a.statuses_count).toBe(3);
    expect(a.followers_count).toBe(2);
    expect(a.following_count).toBe(1);
    expect(a.last_status_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The same numbers in verify_credentials and in posts' accounts.
    const me = await json<Account>("/api/v1/accounts/verify_credentials", counted.token);
    expect([me.statuses_count, me.followers_count, me.following_count]).toEqual([3, 2, 1]);
    const unfollowed = await t.request(`/api/v1/accounts/${counted.account.id}/unfollow`, {
      method: "POST",
      token: f2.token,
    });
    expect(unfollowed.status).toBe(200);
    expect((await json<Account>(`/api/v1/accounts/${counted.account.id}`)).followers_count).toBe(1);
  });
});
