import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { type SQL, sql } from "drizzle-orm";
import { createRestAPIClient } from "masto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Tx } from "../../src/db/client.ts";
import { mutes } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { FakePeer, settle } from "../helpers/ap-fixtures.ts";
import { type ApiUser, postStatus } from "../helpers/api-client.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError, links } from "./entity-shape.ts";

/**
 * Hashtags: the tag timeline (public posts only, any/all/none, local/remote, Link paging), the Tag
 * with its history and follow state, followed tags landing in home (local and remote posts), and
 * featured tags. masto.js drives the follow-a-tag flow and a search with resolve.
 */
interface Status {
  id: string;
  content: string;
}

let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
let carol: ApiUser;
let gts: FakePeer;
let server: ServerType;
let url: string;
const ids: Record<string, string> = {};

const get = async <T>(path: string, who?: ApiUser): Promise<{ res: Response; body: T }> => {
  const res = await t.request(path, { token: who?.token });
  const body = (await res.clone().json()) as T;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { res, body };
};
const timeline = async (query: string, who?: ApiUser) =>
  (await get<Status[]>(`/api/v1/timelines/tag/${query}`, who)).body.map((s) => s.id);
const home = async (who: ApiUser) =>
  (await get<Status[]>("/api/v1/timelines/home", who)).body.map((s) => s.id);
const post = async (key: string, who: ApiUser, text: string, visibility = "public") => {
  ids[key] = (await postStatus(t, who, text, visibility)).id;
};

beforeAll(async () => {
  t = await startTestTern();
  gts = await FakePeer.start("gotosocial");
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
  await t.user("probe"); // the capture's mentioned account: why the remote post reaches us
  server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await post("cats", alice, "first #Cats post");
  await post("both", alice, "#cats and #dogs");
  await post("dogs", carol, "only #dogs here");
  await post("private", alice, "hidden #cats", "private");
  await post("unlisted", alice, "quiet #cats", "unlisted");
});
afterAll(async () => {
  server?.close();
  await gts?.close();
  await t?.close();
});

describe("tag timeline", () => {
  it("lists public posts with the tag, newest first, with any[], all[] and none[]", async () => {
    expect(await timeline("cats")).toEqual([ids.both, ids.cats]);
    expect(await timeline("CATS", bob)).toEqual([ids.both, ids.cats]);
    expect(await timeline("cats?any[]=dogs")).toEqual([ids.dogs, ids.both, ids.cats]);
    expect(await timeline("cats?all[]=dogs")).toEqual([ids.both]);
    expect(await timeline("cats?none[]=dogs")).toEqual([ids.cats]);
    expect(await timeline("cats?local=true")).toEqual([ids.both, ids.cats]);
    expect(await timeline("cats?remote=true")).toEqual([]);
    expect(await timeline("cats?only_media=true")).toEqual([]);
    expect(await timeline("nothing")).toEqual([]);
  });

  it("pages with max_id / min_id and Link headers", async () => {
    const first = await get<Status[]>("/api/v1/timelines/tag/cats?limit=1");
    expect(first.body.map((s) => s.id)).toEqual([ids.both]);
    const next = links(first.res).next;
    expect(next).toContain(`max_id=${ids.both}`);
    expect(await timeline(`cats?limit=1&max_id=${ids.both}`)).toEqual([ids.cats]);
    expect(await timeline(`cats?min_id=${ids.cats}`)).toEqual([ids.both]);
  });

  it("hides authors the viewer muted", async () => {
    await t.database.db
      .insert(mutes)
      .values({ id: newId(), accountId: bob.account.id, targetAccountId: carol.account.id });
    expect(await timeline("dogs", bob)).toEqual([ids.both]);
    expect(await timeline("dogs")).toEqual([ids.dogs, ids.both]);
    await queryRows(t.database.db, sql`delete from mutes`);
  });

  it("refuses a name no post could carry", async () => {
    await expectError(await t.request("/api/v1/timelines/tag/no%20tag"), 422);
    await expectError(await t.request("/api/v1/tags/123"), 422);
  });
});

describe("tags and followed tags", () => {
  it("shows the Tag with a week of history, and following only to a signed-in caller", async () => {
    const tag = (await get<Record<string, unknown>>("/api/v1/tags/Cats", bob)).body;
    expectDocumentedShape(tag, "Tag");
    expect(tag).toMatchObject({
      name: "cats",
      url: "https://tern.test/tags/cats",
      following: false,
    });
    const history = tag.history as { day: string; uses: string; accounts: string }[];
    expect(history).toHaveLength(7);
    // Today: two public posts by one account; the private and unlisted ones do not count.
    expect(history[0]).toMatchObject({ uses: "2", accounts: "1" });
    expect(Number(history[0].day) % 86_400).toBe(0);
    expect(history.slice(1).every((d) => d.uses === "0")).toBe(true);
    const anonymous = (await get<Record<string, unknown>>("/api/v1/tags/cats")).body;
    expect(anonymous).not.toHaveProperty("following");
  });

  it("follows and unfollows, lists followed tags with paging", async () => {
    const follow = (name: string, action = "follow") =>
      t.request(`/api/v1/tags/${name}/${action}`, { method: "POST", token: carol.token });
    expect(await (await follow("alpha")).json()).toMatchObject({ name: "alpha", following: true });
    expect((await follow("alpha")).status).toBe(200); // twice is the same follow
    await follow("beta");
    const page = await get<{ name: string }[]>("/api/v1/followed_tags?limit=1", carol);
    expect(page.body.map((n) => n.name)).toEqual(["beta"]);
    const rest = await get<{ name: string }[]>(links(page.res).next, carol);
    expect(rest.body.map((n) => n.name)).toEqual(["alpha"]);
    expect(await (await follow("alpha", "unfollow")).json()).toMatchObject({ following: false });
    expect((await get<{ name: string }[]>("/api/v1/followed_tags", carol)).body).toHaveLength(1);
    await expectError(await t.request("/api/v1/tags/alpha/follow", { method: "POST" }), 401);
    await expectError(await t.request("/api/v1/followed_tags"), 401);
  });

  it("puts public posts with a followed tag into home, not others, not muted authors", async () => {
    await t.request("/api/v1/tags/birds/follow", { method: "POST", token: bob.token });
    await post("birds", alice, "a #Birds post");
    await post("birdsUnlisted", alice, "an unlisted #birds post", "unlisted");
    await t.database.db
      .insert(mutes)
      .values({ id: newId(), accountId: bob.account.id, targetAccountId: carol.account.id });
    await post("birdsMuted", carol, "muted #birds");
    await post("birdsOwn", bob, "my own #birds");
    await settle(t);
    const feed = await home(bob);
    expect(feed).toContain(ids.birds);
    expect(feed).toContain(ids.birdsOwn);
    expect(feed).not.toContain(ids.birdsUnlisted);
    expect(feed).not.toContain(ids.birdsMuted);
    await queryRows(t.database.db, sql`delete from mutes`);
  });
});

describe("featured tags", () => {
  it("features, counts, suggests and removes", async () => {
    const feature = (name: string) =>
      t.request("/api/v1/featured_tags", { method: "POST", token: alice.token, json: { name } });
    const made = await feature("#Cats");
    const body = (await made.json()) as Record<string, unknown>;
    expect(made.status, JSON.stringify(body)).toBe(200);
    expectDocumentedShape(body, "FeaturedTag");
    // Public and unlisted posts count; the followers-only one does not.
    expect(body).toMatchObject({
      name: "cats",
      statuses_count: "3",
      url: "https://tern.test/@alice/tagged/cats",
    });
    expect(body.last_status_at).toBe(new Date().toISOString().slice(0, 10));
    await expectError(await feature("cats"), 422);
    await expectError(await feature("not a tag"), 422);
    const suggestions = await get<{ name: string }[]>("/api/v1/featured_tags/suggestions", alice);
    expect(suggestions.body.map((s) => s.name)).toEqual(["birds", "dogs"]);
    const list = await get<{ id: string }[]>("/api/v1/featured_tags", alice);
    expect(list.body.map((f) => f.id)).toEqual([body.id]);
    // Other servers read them from the actor's featuredTags collection, as Mastodon serves it.
    const ap = { headers: { accept: "application/activity+json" } };
    const actor = (await (await t.request("/users/alice", ap)).json()) as { featuredTags: string };
    expect(actor.featuredTags).toBe("https://tern.test/users/alice/collections/tags");
    const collection = await (await t.request(new URL(actor.featuredTags).pathname, ap)).json();
    expect(collection).toMatchObject({
      totalItems: 1,
      orderedItems: [{ type: "Hashtag", name: "#cats", href: "https://tern.test/tags/cats" }],
    });
    await expectError(
      await t.request(`/api/v1/featured_tags/${body.id}`, { method: "DELETE", token: bob.token }),
      404,
    );
    const gone = await t.request(`/api/v1/featured_tags/${body.id}`, {
      method: "DELETE",
      token: alice.token,
    });
    expect(gone.status).toBe(200);
    expect((await get<unknown[]>("/api/v1/featured_tags", alice)).body).toEqual([]);
  });
});

describe("hashtag page", () => {
  it("shows the public posts with the tag to anyone, and 404 for a name no post could carry", async () => {
    const res = await t.request("/tags/Cats", { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("#cats");
    expect(html).toContain("first ");
    expect(html).not.toContain("hidden ");
    expect(html).not.toContain("quiet ");
    expect((await t.request("/tags/no%20tag")).status).toBe(404);
  });
});

describe("masto.js", () => {
  it("follows a tag and sees a remote post with it in home; searches with resolve", async () => {
    const masto = createRestAPIClient({ url, accessToken: carol.token });
    const tag = await masto.v1.tags.$select("InteropTest").follow();
    expect(tag).toMatchObject({ name: "interoptest", following: true });
    expect((await masto.v1.followedTags.list()).map((f) => f.name)).toContain("interoptest");
    // A signed Create from a GoToSocial peer reaches the shared inbox (it mentions probe).
    const res = await gts.deliver(t, "create-note-hashtag-mention");
    expect(res.status).toBeLessThan(300);
    const remote = await eventually(async () => {
      const feed = await masto.v1.timelines.home.list();
      return feed.find((s) => s.content.includes("this is tagged"));
    });
    expect(remote.account.acct).toBe(`bob@${new URL(gts.origin).host}`);
    expect(remote.tags.map((x) => x.name)).toContain("interoptest");
    const tagged = await masto.v1.timelines.tag.$select("interoptest").list({ remote: true });
    expect(tagged.map((s) => s.id)).toEqual([remote.id]);
    // Search, resolving a remote profile by its URL.
    const found = await masto.v2.search.list({ q: gts.actorId, resolve: true, type: "accounts" });
    expect(found.accounts.map((a) => a.id)).toEqual([remote.account.id]);
  });
});

describe("query plans", () => {
  it("reads a tag timeline as a range scan of status_tags_name_status_idx", async () => {
    const plan = async (tx: Tx, query: SQL) =>
      (await queryRows<Record<string, string>>(tx, sql`explain ${query}`))
        .map((r) => Object.values(r)[0])
        .join("\n");
    // One transaction: the setting holds for the same connection (postgres.js pools them).
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const text = await plan(
        tx,
        sql`select s.id from status_tags st join statuses s on s.id = st.status_id
          where st.name = 'cats' and st.status_id < 9000000000000000000 and s.visibility = 'public'
          order by st.status_id desc limit 20`,
      );
      expect(text).toContain("status_tags_name_status_idx");
    });
  });
});
