import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, links } from "./entity-shape.ts";

interface Status {
  id: string;
  favourites_count: number;
  favourited: boolean;
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

async function post(who: User, status: string, visibility = "public"): Promise<string> {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token: who.token,
    json: { status, visibility },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as Status).id;
}
async function act(who: User, id: string, action: "favourite" | "unfavourite"): Promise<Status> {
  const res = await t.request(`/api/v1/statuses/${id}/${action}`, {
    method: "POST",
    token: who.token,
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Status;
}
async function view(id: string, who?: User): Promise<Status> {
  const res = await t.request(`/api/v1/statuses/${id}`, { token: who?.token });
  return (await res.json()) as Status;
}

describe("favouriting a status", () => {
  it("counts once however often it is repeated, and the flag follows the viewer", async () => {
    const id = await post(alice, "fav me");
    expect(await act(bob, id, "favourite")).toMatchObject({
      favourites_count: 1,
      favourited: true,
    });
    expect(await act(bob, id, "favourite")).toMatchObject({
      favourites_count: 1,
      favourited: true,
    });
    await act(carol, id, "favourite");
    expect(await view(id, bob)).toMatchObject({ favourites_count: 2, favourited: true });
    expect(await view(id, alice)).toMatchObject({ favourites_count: 2, favourited: false });
    expect(await view(id)).toMatchObject({ favourites_count: 2, favourited: false });
    expect(await act(bob, id, "unfavourite")).toMatchObject({
      favourites_count: 1,
      favourited: false,
    });
    expect(await act(bob, id, "unfavourite")).toMatchObject({ favourites_count: 1 });
  });

  it("shows the flag on timelines and account pages too", async () => {
    const id = await post(alice, "flag everywhere");
    await act(bob, id, "favourite");
    const pages = ["/api/v1/timelines/public", `/api/v1/accounts/${alice.account.id}/statuses`];
    for (const path of pages) {
      const res = await t.request(path, { token: bob.token });
      const mine = ((await res.json()) as Status[]).find((s) => s.id === id);
      expect(mine, path).toMatchObject({ favourited: true, favourites_count: 1 });
    }
  });

  it("is a 404 for a status the viewer may not see, and nothing is counted", async () => {
    const id = await post(alice, "only for @carol", "direct");
    for (const action of ["favourite", "unfavourite"]) {
      const res = await t.request(`/api/v1/statuses/${id}/${action}`, {
        method: "POST",
        token: bob.token,
      });
      await expectError(res, 404);
    }
    const missing = await t.request("/api/v1/statuses/123/favourite", {
      method: "POST",
      token: bob.token,
    });
    await expectError(missing, 404);
    expect(await view(id, alice)).toMatchObject({ favourites_count: 0 });
  });

  it("needs write:favourites, and read:favourites for the list", async () => {
    const id = await post(alice, "scoped");
    const reader = await t.user("reader", { scopes: "read" });
    const res = await t.request(`/api/v1/statuses/${id}/favourite`, {
      method: "POST",
      token: reader.token,
    });
    await expectError(res, 403);
    const writer = await t.user("writer", { scopes: "write:favourites" });
    await act(writer, id, "favourite");
    await expectError(await t.request("/api/v1/favourites", { token: writer.token }), 403);
    await expectError(await t.request("/api/v1/favourites"), 401);
    const ok = await t.request("/api/v1/favourites", { token: reader.token });
    expect(ok.status).toBe(200);
  });
});

describe("GET /api/v1/favourites and favourited_by", () => {
  it("lists newest favourite first, paged with Link", async () => {
    const dave = await t.user("dave");
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(await post(alice, `page ${n}`));
    // Favourited in another order than posted: the list follows the favourites.
    for (const id of [ids[1], ids[0], ids[2]]) await act(dave, id, "favourite");
    const first = await t.request("/api/v1/favourites?limit=2", { token: dave.token });
    const page1 = (await first.json()) as Status[];
    expect(page1.map((s) => s.id)).toEqual([ids[2], ids[0]]);
    expect(page1.every((s) => s.favourited)).toBe(true);
    const next = links(first).next;
    const second = await t.request(next, { token: dave.token });
    expect(((await second.json()) as Status[]).map((s) => s.id)).toEqual([ids[1]]);
    const prev = await t.request(links(second).prev, { token: dave.token });
    expect(((await prev.json()) as Status[]).map((s) => s.id)).toEqual([ids[2], ids[0]]);
  });

  it("favourited_by lists the accounts, newest first, paged", async () => {
    const id = await post(alice, "who liked");
    await act(bob, id, "favourite");
    await act(carol, id, "favourite");
    const res = await t.request(`/api/v1/statuses/${id}/favourited_by?limit=1`);
    expect(((await res.json()) as { id: string }[]).map((a) => a.id)).toEqual([carol.account.id]);
    const more = await t.request(links(res).next);
    expect(((await more.json()) as { id: string }[]).map((a) => a.id)).toEqual([bob.account.id]);
    const hidden = await post(alice, "secret", "private");
    await expectError(await t.request(`/api/v1/statuses/${hidden}/favourited_by`), 404);
  });

  it("a deleted status leaves the list and its favourite with it", async () => {
    const erin = await t.user("erin");
    const id = await post(alice, "soon gone");
    await act(erin, id, "favourite");
    const del = await t.request(`/api/v1/statuses/${id}`, { method: "DELETE", token: alice.token });
    expect(del.status).toBe(200);
    const res = await t.request("/api/v1/favourites", { token: erin.token });
    expect(await res.json()).toEqual([]);
  });
});
