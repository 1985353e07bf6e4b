import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError, links } from "./entity-shape.ts";

interface Relationship {
  id: string;
  following: boolean;
  requested: boolean;
  followed_by: boolean;
  requested_by: boolean;
}
interface User {
  account: { id: string };
  token: string;
}

let t: TestTern;
beforeAll(async () => {
  t = await startTestTern();
});
afterAll(() => t.close());

async function act(who: User, path: string): Promise<Relationship> {
  const res = await t.request(path, { method: "POST", token: who.token });
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body as Relationship;
}
const follow = (who: User, target: User) =>
  act(who, `/api/v1/accounts/${target.account.id}/follow`);
const unfollow = (who: User, target: User) =>
  act(who, `/api/v1/accounts/${target.account.id}/unfollow`);
async function relationship(who: User, target: User): Promise<Relationship> {
  const res = await t.request(`/api/v1/accounts/relationships?id[]=${target.account.id}`, {
    token: who.token,
  });
  return ((await res.json()) as Relationship[])[0];
}
async function requests(who: User, query = ""): Promise<string[]> {
  const res = await t.request(`/api/v1/follow_requests${query}`, { token: who.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }[]).map((a) => a.id);
}
async function homeIds(who: User): Promise<string[]> {
  const res = await t.request("/api/v1/timelines/home", { token: who.token });
  return ((await res.json()) as { id: string }[]).map((s) => s.id);
}
async function post(who: User, status: string, visibility = "public"): Promise<string> {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token: who.token,
    json: { status, visibility },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

describe("following an unlocked local account", () => {
  it("follows at once, both sides see it, and following again changes nothing", async () => {
    const a = await t.user("a1");
    const b = await t.user("b1");
    const rel = await follow(a, b);
    expect(rel).toMatchObject({
      id: b.account.id,
      following: true,
      requested: false,
      followed_by: false,
    });
    expectDocumentedShape(rel, "Relationship", ["muting_expires_at"]);
    expect(await relationship(b, a)).toMatchObject({
      following: false,
      followed_by: true,
      requested_by: false,
    });
    expect(await follow(a, b)).toMatchObject({ following: true, requested: false });
    const followers = await t.request(`/api/v1/accounts/${b.account.id}/followers`);
    expect(((await followers.json()) as { id: string }[]).map((x) => x.id)).toEqual([a.account.id]);
  });

  it("unfollow ends it and takes the account's posts out of home", async () => {
    const a = await t.user("a2");
    const b = await t.user("b2");
    await follow(a, b);
    const p = await post(b, "you will see this, for a while", "private");
    await eventually(async () => (await homeIds(a)).includes(p));
    expect(await unfollow(a, b)).toMatchObject({ following: false, requested: false });
    expect(await homeIds(a)).not.toContain(p);
    // The post is no longer visible to a either.
    await expectError(await t.request(`/api/v1/statuses/${p}`, { token: a.token }), 404);
    // Unfollowing again is fine.
    expect(await unfollow(a, b)).toMatchObject({ following: false });
  });

  it("refuses to follow oneself, unknown or malformed ids, and tokens without follow scope", async () => {
    const a = await t.user("a3");
    const b = await t.user("b3");
    await expectError(
      await t.request(`/api/v1/accounts/${a.account.id}/follow`, {
        method: "POST",
        token: a.token,
      }),
      422,
    );
    await expectError(
      await t.request("/api/v1/accounts/1/follow", { method: "POST", token: a.token }),
      404,
    );
    await expectError(
      await t.request("/api/v1/accounts/x/follow", { method: "POST", token: a.token }),
      404,
    );
    await expectError(
      await t.request(`/api/v1/accounts/${b.account.id}/follow`, { method: "POST" }),
      401,
    );
    const reader = await t.user("reader3", { scopes: "read" });
    const res = await t.request(`/api/v1/accounts/${b.account.id}/follow`, {
      method: "POST",
      token: reader.token,
    });
    await expectError(res, 403);
    // The granular scopes Mastodon documents are enough.
    const granular = await t.user("granular3", { scopes: "write:follows read:follows" });
    expect(await follow(granular, b)).toMatchObject({ following: true });
  });
});

describe("following a locked local account", () => {
  let owner: User;
  let asker: User;
  beforeAll(async () => {
    owner = await t.user("locked", { locked: true });
    asker = await t.user("asker");
  });

  it("makes a request the owner sees, and authorizing it makes a follow", async () => {
    const secret = await post(owner, "for my followers", "private");
    const rel = await follow(asker, owner);
    expect(rel).toMatchObject({ following: false, requested: true });
    expect(await requests(owner)).toEqual([asker.account.id]);
    expect(await relationship(owner, asker)).toMatchObject({
      requested_by: true,
      followed_by: false,
    });
    const me = await t.request("/api/v1/accounts/verify_credentials", { token: owner.token });
    expect(
      ((await me.json()) as { source: { follow_requests_count: number } }).source
        .follow_requests_count,
    ).toBe(1);
    // Not yet a follower: the followers-only post is hidden.
    await expectError(await t.request(`/api/v1/statuses/${secret}`, { token: asker.token }), 404);

    const answer = await act(owner, `/api/v1/follow_requests/${asker.account.id}/authorize`);
    expect(answer).toMatchObject({ id: asker.account.id, followed_by: true, requested_by: false });
    expect(await relationship(asker, owner)).toMatchObject({ following: true, requested: false });
    expect(await requests(owner)).toEqual([]);
    expect((await t.request(`/api/v1/statuses/${secret}`, { token: asker.token })).status).toBe(
      200,
    );
    // The owner's earlier followers-only post is now in the new follower's home, and so are new ones.
    await eventually(async () => (await homeIds(asker)).includes(secret));
    const later = await post(owner, "after authorizing", "private");
    await eventually(async () => (await homeIds(asker)).includes(later));
    // Authorizing twice: there is no request any more.
    const again = await t.request(`/api/v1/follow_requests/${asker.account.id}/authorize`, {
      method: "POST",
      token: owner.token,
    });
    await expectError(again, 404);
  });

  it("rejecting a request removes it", async () => {
    const other = await t.user("rejected");
    expect(await follow(other, owner)).toMatchObject({ requested: true });
    expect(await requests(owner)).toEqual([other.account.id]);
    const answer = await act(owner, `/api/v1/follow_requests/${other.account.id}/reject`);
    expect(answer).toMatchObject({ followed_by: false, requested_by: false });
    expect(await requests(owner)).toEqual([]);
    expect(await relationship(other, owner)).toMatchObject({ following: false, requested: false });
  });

  it("a request can be withdrawn by unfollowing", async () => {
    const shy = await t.user("shy");
    await follow(shy, owner);
    expect(await unfollow(shy, owner)).toMatchObject({ following: false, requested: false });
    expect(await requests(owner)).toEqual([]);
  });

  it("lists many requests with Link paging, and checks ids and scopes", async () => {
    const many: User[] = [];
    for (const name of ["req1", "req2", "req3"]) {
      const u = await t.user(name);
      await follow(u, owner);
      many.push(u);
    }
    const newestFirst = many.map((u) => u.account.id).reverse();
    const first = await t.request("/api/v1/follow_requests?limit=2", { token: owner.token });
    expect(((await first.json()) as { id: string }[]).map((a) => a.id)).toEqual(
      newestFirst.slice(0, 2),
    );
    const next = await t.request(links(first).next, { token: owner.token });
    expect(((await next.json()) as { id: string }[]).map((a) => a.id)).toEqual(
      newestFirst.slice(2),
    );

    for (const id of ["1", "abc"]) {
      const res = await t.request(`/api/v1/follow_requests/${id}/authorize`, {
        method: "POST",
        token: owner.token,
      });
      await expectError(res, 404);
    }
    await expectError(await t.request("/api/v1/follow_requests"), 401);
    const reader = await t.user("reader4", { scopes: "read" });
    const res = await t.request(`/api/v1/follow_requests/${many[0].account.id}/reject`, {
      method: "POST",
      token: reader.token,
    });
    await expectError(res, 403);
    // Someone else cannot answer the owner's requests.
    const res2 = await t.request(`/api/v1/follow_requests/${many[0].account.id}/authorize`, {
      method: "POST",
      token: asker.token,
    });
    await expectError(res2, 404);
    expect(await requests(owner)).toHaveLength(3);
  });
});
