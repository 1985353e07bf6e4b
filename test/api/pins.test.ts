import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiUser, postStatus, statusAction } from "../helpers/api-client.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, links } from "./entity-shape.ts";

/**
 * Pins: own public or unlisted posts only, at most five (Mastodon's limit, a 422 that says so),
 * listed by GET /api/v1/accounts/:id/statuses?pinned=true, and served as the `featured` collection.
 */
interface Status {
  id: string;
  uri: string;
  pinned?: boolean;
}
type User = ApiUser;

let t: TestTern;
let alice: User;
let bob: User;
beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
});
afterAll(() => t.close());

const post = (who: User, status: string, visibility = "public") =>
  postStatus<Status>(t, who, status, visibility);
const pinRequest = (who: User, id: string, action: "pin" | "unpin" = "pin") =>
  t.request(`/api/v1/statuses/${id}/${action}`, { method: "POST", token: who.token });
const act = (who: User, id: string, action: "pin" | "unpin") =>
  statusAction<Status>(t, who, id, action);
async function pinnedOf(who: User, viewer?: User, query = ""): Promise<Status[]> {
  const res = await t.request(`/api/v1/accounts/${who.account.id}/statuses?pinned=true${query}`, {
    token: viewer?.token,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Status[];
}
async function unpinAll(who: User) {
  for (const s of await pinnedOf(who, who)) await act(who, s.id, "unpin");
}

describe("pinning a status", () => {
  it("pins one's own public and unlisted posts; twice is once; unpin takes it back", async () => {
    const open = await post(alice, "pin me");
    const quiet = await post(alice, "pin me quietly", "unlisted");
    expect(await act(alice, open.id, "pin")).toMatchObject({ id: open.id, pinned: true });
    expect(await act(alice, open.id, "pin")).toMatchObject({ pinned: true });
    await act(alice, quiet.id, "pin");
    expect((await pinnedOf(alice)).map((s) => s.id).sort()).toEqual([open.id, quiet.id].sort());
    const res = await t.request(`/api/v1/statuses/${open.id}`, { token: alice.token });
    expect(await res.json()).toMatchObject({ pinned: true });
    expect(await act(alice, open.id, "unpin")).toMatchObject({ pinned: false });
    expect(await act(alice, open.id, "unpin")).toMatchObject({ pinned: false });
    expect((await pinnedOf(alice)).map((s) => s.id)).toEqual([quiet.id]);
    await unpinAll(alice);
  });

  it("shows `pinned` only on the viewer's own statuses, as Mastodon does", async () => {
    const own = await post(alice, "shown pinned");
    await act(alice, own.id, "pin");
    const asBob = (await (
      await t.request(`/api/v1/statuses/${own.id}`, { token: bob.token })
    ).json()) as Status;
    expect("pinned" in asBob).toBe(false);
    const anonymous = (await (await t.request(`/api/v1/statuses/${own.id}`)).json()) as Status;
    expect("pinned" in anonymous).toBe(false);
    // Everyone sees the pin in the list, flagged or not.
    expect((await pinnedOf(alice, bob)).map((s) => s.id)).toEqual([own.id]);
    expect((await pinnedOf(alice)).map((s) => s.id)).toEqual([own.id]);
    // Alice's unpinned posts say pinned: false to her.
    const other = await post(alice, "not pinned");
    const mine = await t.request(`/api/v1/accounts/${alice.account.id}/statuses`, {
      token: alice.token,
    });
    const flags = new Map(((await mine.json()) as Status[]).map((s) => [s.id, s.pinned]));
    expect(flags.get(other.id)).toBe(false);
    expect(flags.get(own.id)).toBe(true);
    await unpinAll(alice);
  });

  it("refuses a sixth pin with a 422 that says so, and keeps the five", async () => {
    const five: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await post(alice, `pin ${i}`);
      await act(alice, s.id, "pin");
      five.push(s.id);
    }
    const sixth = await post(alice, "one too many");
    const error = await expectError(await pinRequest(alice, sixth.id), 422);
    expect(error).toMatch(/maximum number of posts/);
    expect((await pinnedOf(alice)).map((s) => s.id).sort()).toEqual(five.sort());
    // Unpinning one makes room again.
    await act(alice, five[0], "unpin");
    await act(alice, sixth.id, "pin");
    await unpinAll(alice);
  });

  it("refuses other people's posts (422), followers-only and direct posts (422), hidden ones (404)", async () => {
    const bobs = await post(bob, "bob's own");
    expect(await expectError(await pinRequest(alice, bobs.id), 422)).toMatch(/Someone else's post/);
    for (const visibility of ["private", "direct"]) {
      const mine = await post(alice, `a ${visibility} post`, visibility);
      expect(await expectError(await pinRequest(alice, mine.id), 422)).toMatch(
        /public and unlisted/,
      );
    }
    const hidden = await post(bob, "bob's followers only", "private");
    await expectError(await pinRequest(alice, hidden.id), 404);
    await expectError(await pinRequest(alice, hidden.id, "unpin"), 404);
    await expectError(await pinRequest(alice, "123"), 404);
    expect(await pinnedOf(alice)).toEqual([]);
    expect(await pinnedOf(bob)).toEqual([]);
  });

  it("needs write:accounts (Mastodon's scope for pins)", async () => {
    const s = await post(alice, "scoped pin");
    const reader = await t.user("reader", { scopes: "read" });
    await expectError(await pinRequest(reader, s.id), 403);
    const writer = await t.user("writer", { scopes: "write:accounts" });
    const own = await post(writer, "writer's post").catch(() => null);
    expect(own).toBeNull(); // write:accounts alone cannot post
    await expectError(await t.request(`/api/v1/statuses/${s.id}/pin`, { method: "POST" }), 401);
  });
});

describe("?pinned=true", () => {
  it("returns exactly the pins, newest post first, paged with Link headers", async () => {
    const posts: Status[] = [];
    for (let i = 0; i < 4; i++) posts.push(await post(alice, `paged ${i}`));
    for (const s of [posts[2], posts[0], posts[3]]) await act(alice, s.id, "pin");
    const first = await t.request(
      `/api/v1/accounts/${alice.account.id}/statuses?pinned=true&limit=2`,
    );
    expect(((await first.clone().json()) as Status[]).map((s) => s.id)).toEqual([
      posts[3].id,
      posts[2].id,
    ]);
    const next = links(first).next;
    expect(next).toContain("pinned=true");
    const second = await t.request(next);
    expect(((await second.json()) as Status[]).map((s) => s.id)).toEqual([posts[0].id]);
    // Without the flag the profile shows everything (pins are not repeated or marked for others).
    const all = await t.request(`/api/v1/accounts/${alice.account.id}/statuses?pinned=false`);
    expect(((await all.json()) as Status[]).map((s) => s.id)).toContain(posts[1].id);
    await unpinAll(alice);
  });

  it("a deleted post leaves the pins", async () => {
    const s = await post(alice, "pinned then deleted");
    await act(alice, s.id, "pin");
    await t.request(`/api/v1/statuses/${s.id}`, { method: "DELETE", token: alice.token });
    expect(await pinnedOf(alice)).toEqual([]);
  });

  it("the instance says five pins are allowed", async () => {
    const res = await t.request("/api/v2/instance");
    const body = (await res.json()) as {
      configuration: { accounts: { max_pinned_statuses: number } };
    };
    expect(body.configuration.accounts.max_pinned_statuses).toBe(5);
  });
});

describe("the featured collection", () => {
  it("is advertised by the actor and holds the pinned Notes, most recently pinned first", async () => {
    const ap = { headers: { accept: "application/activity+json" } };
    const actor = (await (await t.request("/users/alice", ap)).json()) as { featured: string };
    expect(actor.featured).toBe("https://tern.test/users/alice/featured");
    const older = await post(alice, "featured first");
    const newer = await post(alice, "featured second");
    await act(alice, newer.id, "pin");
    await act(alice, older.id, "pin");
    const res = await t.request("/users/alice/featured", ap);
    expect(res.status).toBe(200);
    const collection = (await res.json()) as {
      type: string;
      totalItems: number;
      orderedItems: { id: string; type: string; content: string }[];
    };
    expect(collection.type).toBe("OrderedCollection");
    expect(collection.totalItems).toBe(2);
    expect(collection.orderedItems.map((n) => [n.type, n.id])).toEqual([
      ["Note", older.uri],
      ["Note", newer.uri],
    ]);
    expect(collection.orderedItems[0].content).toContain("featured first");
    await unpinAll(alice);
    const empty = (await (await t.request("/users/alice/featured", ap)).json()) as {
      totalItems: number;
    };
    expect(empty.totalItems).toBe(0);
    expect((await t.request("/users/nobody/featured", ap)).status).toBe(404);
  });
});
