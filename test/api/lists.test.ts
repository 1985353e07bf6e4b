import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { createRestAPIClient, type mastodon } from "masto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaAttachments } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { settle } from "../helpers/ap-fixtures.ts";
import { type ApiUser, postStatus } from "../helpers/api-client.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError, links } from "./entity-shape.ts";

/**
 * Lists: CRUD, members (only accounts the owner follows), list timelines written by the worker's
 * fan-out (with replies_policy), exclusive lists kept out of home, and GET /accounts/:id/lists;
 * then the same through masto.js, with a filter set and seen applied.
 */
interface List {
  id: string;
  title: string;
  replies_policy: string;
  exclusive: boolean;
}
interface Status {
  id: string;
}

let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
let carol: ApiUser;
let dave: ApiUser;
beforeAll(async () => {
  t = await startTestTern();
  [alice, bob, carol, dave] = await Promise.all(
    ["alice", "bob", "carol", "dave"].map((name) => t.user(name)),
  );
  for (const who of [bob, carol]) {
    const res = await t.request(`/api/v1/accounts/${who.account.id}/follow`, {
      method: "POST",
      token: alice.token,
    });
    expect(res.status).toBe(200);
  }
});
afterAll(() => t.close());

async function call<T>(method: string, path: string, json?: unknown, who = alice): Promise<T> {
  const res = await t.request(path, { method, token: who.token, json });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}
const makeList = (json: Record<string, unknown>) => call<List>("POST", "/api/v1/lists", json);
const addMembers = (list: string, ids: string[]) =>
  call("POST", `/api/v1/lists/${list}/accounts`, { account_ids: ids });
const ids = async (path: string, who = alice) =>
  (await call<Status[]>("GET", path, undefined, who)).map((s) => s.id);
const listIds = (list: string) => ids(`/api/v1/timelines/list/${list}`);
const post = async (who: ApiUser, status: string, inReplyTo?: string) => {
  if (!inReplyTo) return (await postStatus<Status>(t, who, status)).id;
  return (
    await call<Status>("POST", "/api/v1/statuses", { status, in_reply_to_id: inReplyTo }, who)
  ).id;
};

describe("list CRUD", () => {
  it("creates, shows, renames, lists and deletes a list in Mastodon's shape", async () => {
    const list = await makeList({ title: "Friends" });
    expectDocumentedShape(list, "List");
    expect(list).toMatchObject({ title: "Friends", replies_policy: "list", exclusive: false });
    const changed = await call<List>("PUT", `/api/v1/lists/${list.id}`, {
      title: "Close friends",
      replies_policy: "followed",
      exclusive: true,
    });
    expect(changed).toMatchObject({
      title: "Close friends",
      replies_policy: "followed",
      exclusive: true,
    });
    expect(await call<List>("GET", `/api/v1/lists/${list.id}`)).toEqual(changed);
    expect((await call<List[]>("GET", "/api/v1/lists")).map((l) => l.id)).toContain(list.id);
    // Someone else's list does not exist for them.
    await expectError(await t.request(`/api/v1/lists/${list.id}`, { token: bob.token }), 404);
    expect(await call("DELETE", `/api/v1/lists/${list.id}`)).toEqual({});
    await expectError(await t.request(`/api/v1/lists/${list.id}`, { token: alice.token }), 404);
  });

  it("refuses an empty title, an unknown policy or parameter, and a token without the scope", async () => {
    const bad = async (json: unknown, pattern: RegExp) => {
      const res = await t.request("/api/v1/lists", { method: "POST", token: alice.token, json });
      expect(await expectError(res, 422)).toMatch(pattern);
    };
    await bad({ title: "  " }, /title/i);
    await bad({}, /title/i);
    await bad({ title: "x", replies_policy: "everyone" }, /replies_policy/);
    await bad({ title: "x", colour: "red" }, /colour/);
    const reader = await t.user("reader", { scopes: "read:statuses" });
    await expectError(await t.request("/api/v1/lists", { token: reader.token }), 403);
    expect((await call<List[]>("GET", "/api/v1/lists")).map((l) => l.title)).not.toContain("x");
  });
});

describe("list members", () => {
  it("adds only followed accounts (422 naming the other, nothing added), pages them, and says which lists hold one", async () => {
    const list = await makeList({ title: "People" });
    const res = await t.request(`/api/v1/lists/${list.id}/accounts`, {
      method: "POST",
      token: alice.token,
      json: { account_ids: [bob.account.id, dave.account.id] },
    });
    expect(await expectError(res, 422)).toMatch(/@dave/);
    const members = (q = "") =>
      call<{ id: string }[]>("GET", `/api/v1/lists/${list.id}/accounts${q}`);
    expect(await members()).toEqual([]);
    await addMembers(list.id, [bob.account.id, carol.account.id]);
    await addMembers(list.id, [bob.account.id]); // twice is fine
    expect((await members()).map((a) => a.id).sort()).toEqual(
      [bob.account.id, carol.account.id].sort(),
    );
    const first = await t.request(`/api/v1/lists/${list.id}/accounts?limit=1`, {
      token: alice.token,
    });
    const page1 = (await first.json()) as { id: string }[];
    expect(page1).toHaveLength(1);
    const next = (await call<{ id: string }[]>("GET", links(first).next)).map((a) => a.id);
    expect([...page1.map((a) => a.id), ...next].sort()).toEqual(
      [bob.account.id, carol.account.id].sort(),
    );
    expect(await members("?limit=0")).toHaveLength(2);
    const holding = await call<List[]>("GET", `/api/v1/accounts/${bob.account.id}/lists`);
    expect(holding.map((l) => l.id)).toContain(list.id);
    // Bob's lists are his own: alice's list is not among them.
    expect(
      await call<List[]>("GET", `/api/v1/accounts/${bob.account.id}/lists`, undefined, bob),
    ).toEqual([]);
    await call("DELETE", `/api/v1/lists/${list.id}/accounts`, { account_ids: [carol.account.id] });
    expect((await members()).map((a) => a.id)).toEqual([bob.account.id]);
    await expectError(
      await t.request(`/api/v1/lists/${list.id}/accounts`, {
        method: "POST",
        token: alice.token,
        json: { account_ids: [] },
      }),
      422,
    );
  });
});

describe("list timelines", () => {
  it("are written by the worker's fan-out: members' posts in, others out; added members backfilled, removed ones gone", async () => {
    const earlier = await post(bob, "before the list existed");
    const list = await makeList({ title: "Bob" });
    await addMembers(list.id, [bob.account.id]);
    expect(await listIds(list.id)).toContain(earlier);
    const fresh = await post(bob, "fresh from bob");
    const other = await post(carol, "carol is not in this list");
    const stranger = await post(dave, "dave is not even followed");
    await settle(t);
    const shown = await listIds(list.id);
    expect(shown.slice(0, 2)).toEqual([fresh, earlier]);
    expect(shown).not.toContain(other);
    expect(shown).not.toContain(stranger);
    // Not exclusive: bob's post is in home too.
    expect(await ids("/api/v1/timelines/home")).toContain(fresh);
    // Paging with max_id.
    expect(await ids(`/api/v1/timelines/list/${list.id}?max_id=${fresh}`)).not.toContain(fresh);
    await call("DELETE", `/api/v1/lists/${list.id}/accounts`, { account_ids: [bob.account.id] });
    expect(await listIds(list.id)).toEqual([]);
    // Someone else's list timeline is a 404.
    await expectError(
      await t.request(`/api/v1/timelines/list/${list.id}`, { token: bob.token }),
      404,
    );
  });

  it("honour replies_policy as Mastodon does", async () => {
    const policies = ["followed", "list", "none"] as const;
    const made = await Promise.all(policies.map((p) => makeList({ title: p, replies_policy: p })));
    for (const l of made) await addMembers(l.id, [bob.account.id]);
    const [byAlice, byCarol, byDave, byBob] = await Promise.all([
      post(alice, "alice asks"),
      post(carol, "carol asks"),
      post(dave, "dave asks"),
      post(bob, "bob starts a thread"),
    ]);
    const toOwner = await post(bob, "@alice answering the owner", byAlice);
    const toFollowed = await post(bob, "@carol answering someone alice follows", byCarol);
    const toStranger = await post(bob, "@dave answering a stranger", byDave);
    const toSelf = await post(bob, "thread goes on", byBob);
    await settle(t);
    const [followed, list, none] = await Promise.all(made.map((l) => listIds(l.id)));
    for (const shown of [followed, list, none]) {
      expect(shown).toContain(toOwner);
      expect(shown).toContain(toSelf);
      expect(shown).not.toContain(toStranger);
    }
    expect(followed).toContain(toFollowed);
    expect(list).not.toContain(toFollowed);
    expect(none).not.toContain(toFollowed);
    // With carol in the `list` list, replies to her get in there too.
    await addMembers(made[1].id, [carol.account.id]);
    const again = await post(bob, "@carol once more", byCarol);
    await settle(t);
    expect(await listIds(made[1].id)).toContain(again);
    for (const l of made) await call("DELETE", `/api/v1/lists/${l.id}`);
  });

  it("an exclusive list keeps its members' new posts out of home, in the list", async () => {
    const list = await makeList({ title: "Carol only", exclusive: true });
    await addMembers(list.id, [carol.account.id]);
    const hers = await post(carol, "only in the exclusive list");
    const his = await post(bob, "bob still reaches home");
    await settle(t);
    const home = await ids("/api/v1/timelines/home");
    expect(home).toContain(his);
    expect(home).not.toContain(hers);
    expect(await listIds(list.id)).toContain(hers);
    // Carol's own home is untouched.
    expect(await ids("/api/v1/timelines/home", carol)).toContain(hers);
    await call("DELETE", `/api/v1/lists/${list.id}`);
  });

  it("unfollowing a member takes them and their posts out of the list", async () => {
    const list = await makeList({ title: "Until unfollow" });
    await addMembers(list.id, [carol.account.id]);
    const hers = await post(carol, "soon unfollowed");
    await settle(t);
    expect(await listIds(list.id)).toContain(hers);
    await call("POST", `/api/v1/accounts/${carol.account.id}/unfollow`);
    expect(await listIds(list.id)).toEqual([]);
    expect(await call("GET", `/api/v1/lists/${list.id}/accounts`)).toEqual([]);
    await call("POST", `/api/v1/accounts/${carol.account.id}/follow`);
  });
});

describe("public and link timelines", () => {
  it("public takes local and only_media; link answers an empty page", async () => {
    const plain = await post(bob, "no pictures here");
    const pictured = await post(bob, "a picture");
    await t.database.db.insert(mediaAttachments).values({
      id: newId(),
      accountId: bob.account.id,
      statusId: pictured,
      position: 0,
      type: "image",
      url: `https://tern.test/media/${"0".repeat(32)}/original.png`,
    });
    const media = await ids("/api/v1/timelines/public?only_media=true");
    expect(media).toContain(pictured);
    expect(media).not.toContain(plain);
    expect(await ids("/api/v1/timelines/public?local=true&only_media=1")).toContain(pictured);
    expect(await ids("/api/v1/timelines/public?remote=true")).not.toContain(plain);
    expect(await ids("/api/v1/timelines/link?url=https://example.com/")).toEqual([]);
  });
});

describe("with masto.js, as a real client", () => {
  let server: ServerType;
  let masto: mastodon.rest.Client;
  let bobMasto: mastodon.rest.Client;
  beforeAll(async () => {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    masto = createRestAPIClient({ url, accessToken: alice.token });
    bobMasto = createRestAPIClient({ url, accessToken: bob.token });
  });
  afterAll(() => {
    server?.close();
  });

  it("makes a list, adds a followed account and reads the list's timeline", async () => {
    const list = await masto.v1.lists.create({ title: "Bob and co", exclusive: false });
    expect(list).toMatchObject({ title: "Bob and co", repliesPolicy: "list", exclusive: false });
    await masto.v1.lists.$select(list.id).accounts.create({ accountIds: [bob.account.id] });
    expect((await masto.v1.lists.$select(list.id).accounts.list()).map((a) => a.id)).toEqual([
      bob.account.id,
    ]);
    const holding = await masto.v1.accounts.$select(bob.account.id).lists.list();
    expect(holding.map((l) => l.id)).toContain(list.id);
    const posted = await bobMasto.v1.statuses.create({ status: "hello, list" });
    await settle(t);
    const timeline = await masto.v1.timelines.list.$select(list.id).list();
    // Newest first (bob's earlier posts came in with him, backfilled).
    expect(timeline[0].id).toBe(posted.id);
    await masto.v1.lists.$select(list.id).accounts.remove({ accountIds: [bob.account.id] });
    expect(await masto.v1.timelines.list.$select(list.id).list()).toEqual([]);
    await masto.v1.lists.$select(list.id).remove();
    expect((await masto.v1.lists.list()).map((l) => l.id)).not.toContain(list.id);
  });

  it("sets a filter and sees it applied: warn marks, hide removes", async () => {
    const filter = await masto.v2.filters.create({
      title: "Weather",
      context: ["home", "public"],
      filterAction: "warn",
      keywordsAttributes: [{ keyword: "rain", wholeWord: true }],
    });
    expect(filter.keywords.map((k) => k.keyword)).toEqual(["rain"]);
    const rainy = await bobMasto.v1.statuses.create({ status: "Rain again today" });
    await settle(t);
    const [seen] = (await masto.v1.timelines.home.list()).filter((s) => s.id === rainy.id);
    expect(seen.filtered?.[0]).toMatchObject({
      filter: { id: filter.id, title: "Weather", filterAction: "warn" },
      keywordMatches: ["Rain"],
    });
    await masto.v2.filters.$select(filter.id).update({ filterAction: "hide" });
    expect((await masto.v1.timelines.home.list()).map((s) => s.id)).not.toContain(rainy.id);
    expect((await masto.v1.timelines.public.list()).map((s) => s.id)).not.toContain(rainy.id);
    await masto.v2.filters.$select(filter.id).remove();
    expect((await masto.v1.timelines.home.list()).map((s) => s.id)).toContain(rainy.id);
  });
});
