import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { settle } from "../helpers/ap-fixtures.ts";
import { type ApiUser, postStatus, statusAction } from "../helpers/api-client.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, links } from "./entity-shape.ts";

/** Bookmarks: private to their account, idempotent, listed newest first with Link paging. */
interface Status {
  id: string;
  bookmarked: boolean;
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

const post = async (who: User, status: string, visibility = "public") =>
  (await postStatus<Status>(t, who, status, visibility)).id;
const act = (who: User, id: string, action: "bookmark" | "unbookmark") =>
  statusAction<Status>(t, who, id, action);
async function list(who: User, query = ""): Promise<{ res: Response; ids: string[] }> {
  const res = await t.request(`/api/v1/bookmarks${query}`, { token: who.token });
  expect(res.status).toBe(200);
  return { res, ids: ((await res.clone().json()) as Status[]).map((s) => s.id) };
}
const view = async (id: string, who?: User) =>
  (await (await t.request(`/api/v1/statuses/${id}`, { token: who?.token })).json()) as Status;

describe("bookmarking a status", () => {
  it("is idempotent both ways, and the flag is the viewer's own", async () => {
    const id = await post(alice, "keep this");
    expect(await act(bob, id, "bookmark")).toMatchObject({ id, bookmarked: true });
    expect(await act(bob, id, "bookmark")).toMatchObject({ bookmarked: true });
    expect((await list(bob)).ids).toEqual([id]);
    expect(await view(id, bob)).toMatchObject({ bookmarked: true });
    expect(await view(id, alice)).toMatchObject({ bookmarked: false });
    expect(await view(id)).toMatchObject({ bookmarked: false });
    expect(await act(bob, id, "unbookmark")).toMatchObject({ bookmarked: false });
    expect(await act(bob, id, "unbookmark")).toMatchObject({ bookmarked: false });
    expect((await list(bob)).ids).toEqual([]);
  });

  it("shows the flag on timelines and account pages", async () => {
    const id = await post(alice, "flag on every page");
    await act(bob, id, "bookmark");
    for (const path of [
      "/api/v1/timelines/public",
      `/api/v1/accounts/${alice.account.id}/statuses`,
    ]) {
      const res = await t.request(path, { token: bob.token });
      const mine = ((await res.json()) as Status[]).find((s) => s.id === id);
      expect(mine, path).toMatchObject({ bookmarked: true });
    }
    await act(bob, id, "unbookmark");
  });

  it("is a 404 for a status the viewer may not see, and nothing is stored", async () => {
    const id = await post(alice, "followers only", "private");
    for (const action of ["bookmark", "unbookmark"]) {
      const res = await t.request(`/api/v1/statuses/${id}/${action}`, {
        method: "POST",
        token: bob.token,
      });
      await expectError(res, 404);
    }
    for (const bad of ["123", "not-an-id"]) {
      const res = await t.request(`/api/v1/statuses/${bad}/bookmark`, {
        method: "POST",
        token: bob.token,
      });
      await expectError(res, 404);
    }
    expect((await list(bob)).ids).toEqual([]);
  });

  it("needs write:bookmarks to bookmark and read:bookmarks to list", async () => {
    const id = await post(alice, "scoped");
    const reader = await t.user("reader", { scopes: "read:bookmarks" });
    await expectError(
      await t.request(`/api/v1/statuses/${id}/bookmark`, { method: "POST", token: reader.token }),
      403,
    );
    const writer = await t.user("writer", { scopes: "write:bookmarks read:statuses" });
    await act(writer, id, "bookmark");
    await expectError(await t.request("/api/v1/bookmarks", { token: writer.token }), 403);
    await expectError(await t.request("/api/v1/bookmarks"), 401);
    expect((await list(reader)).ids).toEqual([]);
  });

  it("is never federated and notifies nobody", async () => {
    const id = await post(alice, "quietly kept");
    await settle(t);
    const before = await t.request("/api/v1/notifications", { token: alice.token });
    const count = ((await before.json()) as unknown[]).length;
    const jobs = async () =>
      (await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from jobs`))[0]
        .n;
    const queued = await jobs();
    await act(bob, id, "bookmark");
    expect(await jobs()).toBe(queued);
    const after = await t.request("/api/v1/notifications", { token: alice.token });
    expect((await after.json()) as unknown[]).toHaveLength(count);
    await act(bob, id, "unbookmark");
  });
});

describe("GET /api/v1/bookmarks", () => {
  it("lists newest bookmark first, paged with Link headers", async () => {
    const carol = await t.user("carol");
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(await post(alice, `page ${n}`));
    // Bookmarked in another order than posted: the list follows the bookmarks.
    for (const id of [ids[1], ids[0], ids[2]]) await act(carol, id, "bookmark");
    const first = await list(carol, "?limit=2");
    expect(first.ids).toEqual([ids[2], ids[0]]);
    const next = links(first.res).next;
    expect(next).toMatch(/max_id=/);
    const second = await t.request(next, { token: carol.token });
    expect(((await second.json()) as Status[]).map((s) => s.id)).toEqual([ids[1]]);
    const prev = await t.request(links(second).prev, { token: carol.token });
    expect(((await prev.json()) as Status[]).map((s) => s.id)).toEqual([ids[2], ids[0]]);
    // Only carol's: alice sees none of them.
    expect((await list(alice)).ids).toEqual([]);
  });

  it("a deleted status leaves the list", async () => {
    const dave = await t.user("dave");
    const id = await post(alice, "soon gone");
    await act(dave, id, "bookmark");
    const del = await t.request(`/api/v1/statuses/${id}`, { method: "DELETE", token: alice.token });
    expect(del.status).toBe(200);
    expect((await list(dave)).ids).toEqual([]);
  });
});
