import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError, links, STATUS_NULLABLE } from "./entity-shape.ts";

interface Status {
  id: string;
  uri: string;
  content: string;
  visibility: string;
  account: { id: string; statuses_count: number };
  reblogs_count: number;
  reblogged: boolean;
  favourited: boolean;
  reblog: Status | null;
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
  // carol follows bob: his boosts reach her home.
  const res = await t.request(`/api/v1/accounts/${bob.account.id}/follow`, {
    method: "POST",
    token: carol.token,
  });
  expect(res.status).toBe(200);
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
async function act(
  who: User,
  id: string,
  action: "reblog" | "unreblog",
  json?: unknown,
): Promise<Status> {
  const res = await t.request(`/api/v1/statuses/${id}/${action}`, {
    method: "POST",
    token: who.token,
    json,
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Status;
}
async function view(id: string, who?: User): Promise<Status> {
  const res = await t.request(`/api/v1/statuses/${id}`, { token: who?.token });
  return (await res.json()) as Status;
}
async function list(path: string, who?: User): Promise<Status[]> {
  const res = await t.request(path, { token: who?.token });
  expect(res.status).toBe(200);
  return (await res.json()) as Status[];
}
const statusesCount = async (who: User) =>
  (
    (await (await t.request(`/api/v1/accounts/${who.account.id}`)).json()) as {
      statuses_count: number;
    }
  ).statuses_count;

describe("boosting a status", () => {
  it("answers the boost with the boosted status inside; twice is the same boost", async () => {
    const id = await post(alice, "boost me");
    const before = await statusesCount(bob);
    const boost = await act(bob, id, "reblog");
    expectDocumentedShape(boost, "Status", STATUS_NULLABLE);
    expectDocumentedShape(boost.reblog, "Status", STATUS_NULLABLE);
    expect(boost).toMatchObject({ content: "", visibility: "public" });
    expect(boost.account.id).toBe(bob.account.id);
    expect(boost.uri).toBe(`https://tern.test/users/bob/statuses/${boost.id}/activity`);
    expect(boost.reblog).toMatchObject({ id, reblogs_count: 1, reblogged: true, reblog: null });
    expect(boost.reblog?.account.id).toBe(alice.account.id);
    const again = await act(bob, id, "reblog");
    expect(again.id).toBe(boost.id);
    expect(again.reblog).toMatchObject({ reblogs_count: 1 });
    // Boosting the boost boosts the post (once).
    expect((await act(bob, boost.id, "reblog")).id).toBe(boost.id);
    // Mastodon counts boosts among the booster's statuses.
    expect(await statusesCount(bob)).toBe(before + 1);

    expect(await view(id, bob)).toMatchObject({ reblogs_count: 1, reblogged: true });
    expect(await view(id, carol)).toMatchObject({ reblogs_count: 1, reblogged: false });
    expect(await view(id)).toMatchObject({ reblogs_count: 1, reblogged: false });
    expect((await view(boost.id, carol)).reblog?.id).toBe(id);

    const undone = await act(bob, id, "unreblog");
    expect(undone).toMatchObject({ id, reblogs_count: 0, reblogged: false });
    expect(await act(bob, id, "unreblog")).toMatchObject({ id, reblogs_count: 0 });
    expect(await statusesCount(bob)).toBe(before);
    await expectError(await t.request(`/api/v1/statuses/${boost.id}`), 404);
  });

  it("takes visibility public, unlisted or private, and refuses others", async () => {
    const id = await post(alice, "quietly");
    const boost = await act(carol, id, "reblog", { visibility: "unlisted" });
    expect(boost.visibility).toBe("unlisted");
    const form = await t.request(`/api/v1/statuses/${id}/reblog`, {
      method: "POST",
      token: bob.token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "visibility=private",
    });
    expect(((await form.json()) as Status).visibility).toBe("private");
    const direct = await t.request(`/api/v1/statuses/${id}/reblog`, {
      method: "POST",
      token: alice.token,
      json: { visibility: "direct" },
    });
    expect(await expectError(direct, 422)).toMatch(/visibility/);
    expect(await view(id)).toMatchObject({ reblogs_count: 2 });
    // reblogged_by lists only public and unlisted boosts, as Mastodon does.
    const by = await list(`/api/v1/statuses/${id}/reblogged_by`);
    expect(by.map((a) => a.id)).toEqual([carol.account.id]);
  });

  it("followers-only posts only by their author (kept followers-only), direct ones never", async () => {
    const priv = await post(bob, "for my followers", "private");
    // carol follows bob and sees it, but may not boost it.
    await expectError(
      await t.request(`/api/v1/statuses/${priv}/reblog`, { method: "POST", token: carol.token }),
      403,
    );
    const own = await act(bob, priv, "reblog", { visibility: "public" });
    expect(own.visibility).toBe("private");
    const dm = await post(alice, "@bob only you", "direct");
    await expectError(
      await t.request(`/api/v1/statuses/${dm}/reblog`, { method: "POST", token: bob.token }),
      403,
    );
    await expectError(
      await t.request(`/api/v1/statuses/${dm}/reblog`, { method: "POST", token: alice.token }),
      403,
    );
    expect(await view(dm, alice)).toMatchObject({ reblogs_count: 0 });
  });

  it("is a 404 for a status the viewer may not see, and needs write:statuses", async () => {
    const hidden = await post(alice, "followers only", "private");
    for (const action of ["reblog", "unreblog"]) {
      const res = await t.request(`/api/v1/statuses/${hidden}/${action}`, {
        method: "POST",
        token: carol.token,
      });
      await expectError(res, 404);
    }
    await expectError(
      await t.request("/api/v1/statuses/123/reblog", { method: "POST", token: bob.token }),
      404,
    );
    const id = await post(alice, "scoped");
    const reader = await t.user("reader", { scopes: "read write:favourites" });
    await expectError(
      await t.request(`/api/v1/statuses/${id}/reblog`, { method: "POST", token: reader.token }),
      403,
    );
    const writer = await t.user("writer", { scopes: "write:statuses" });
    await act(writer, id, "reblog");
    await expectError(await t.request(`/api/v1/statuses/${hidden}/reblogged_by`), 404);
  });
});

describe("where boosts show", () => {
  it("in followers' homes once, in the booster's account statuses, not on public timelines", async () => {
    const id = await post(alice, "travels far");
    const boost = await act(bob, id, "reblog");
    const home = await eventually(async () => {
      const page = await list("/api/v1/timelines/home", carol);
      return page.some((s) => s.id === boost.id) && page;
    });
    expect(home.find((s) => s.id === boost.id)?.reblog).toMatchObject({ id, reblogged: false });
    // bob's own home has his boost of it.
    await eventually(async () =>
      (await list("/api/v1/timelines/home", bob)).some((s) => s.id === boost.id),
    );
    // Boosted again by someone else carol follows: still once in her home.
    const dave = await t.user("dave");
    await t.request(`/api/v1/accounts/${dave.account.id}/follow`, {
      method: "POST",
      token: carol.token,
    });
    const second = await act(dave, id, "reblog");
    const later = await post(dave, "after the second boost");
    await eventually(async () =>
      (await list("/api/v1/timelines/home", carol)).some((s) => s.id === later),
    );
    const shown = (await list("/api/v1/timelines/home", carol)).filter(
      (s) => s.id === id || s.reblog?.id === id,
    );
    expect(shown.map((s) => s.id)).toEqual([boost.id]);
    expect(second.reblog).toMatchObject({ reblogs_count: 2 });

    const profile = await list(`/api/v1/accounts/${bob.account.id}/statuses`);
    expect(profile.find((s) => s.id === boost.id)?.reblog?.id).toBe(id);
    for (const path of ["/api/v1/timelines/public", "/api/v1/timelines/public?local=true"]) {
      const page = await list(path);
      expect(page.some((s) => s.reblog !== null)).toBe(false);
      expect(page.some((s) => s.id === id)).toBe(true);
    }
  });

  it("a follower who hides bob's boosts does not get them", async () => {
    const erin = await t.user("erin");
    await t.request(`/api/v1/accounts/${bob.account.id}/follow`, {
      method: "POST",
      token: erin.token,
    });
    // The follows helper owns `reblogs=false`; the column is what fan-out reads.
    const hidden = await queryRows<{ id: string }>(
      t.database.db,
      sql`update follows set show_reblogs = false where follower_id = ${erin.account.id} returning id`,
    );
    expect(hidden).toHaveLength(1);
    const id = await post(alice, "not for erin");
    const boost = await act(bob, id, "reblog");
    const own = await post(bob, "bob's own words");
    await eventually(async () =>
      (await list("/api/v1/timelines/home", erin)).some((s) => s.id === own),
    );
    const home = await list("/api/v1/timelines/home", erin);
    expect(home.some((s) => s.id === boost.id)).toBe(false);
  });

  it("unboosting and deleting take the boost out of homes, counts and notifications", async () => {
    const id = await post(alice, "short-lived");
    const boost = await act(bob, id, "reblog");
    const notes = async () => {
      const res = await t.request("/api/v1/notifications?types[]=reblog", { token: alice.token });
      const all = (await res.json()) as { account: { id: string }; status?: { id: string } }[];
      return all.filter((n) => n.status?.id === id).map((n) => n.account.id);
    };
    expect(await notes()).toEqual([bob.account.id]);
    await eventually(async () =>
      (await list("/api/v1/timelines/home", carol)).some((s) => s.id === boost.id),
    );
    await act(bob, id, "unreblog");
    expect(await notes()).toHaveLength(0);
    expect((await list("/api/v1/timelines/home", carol)).some((s) => s.id === boost.id)).toBe(
      false,
    );

    const again = await act(bob, id, "reblog");
    expect(await notes()).toHaveLength(1);
    const before = await statusesCount(bob);
    const del = await t.request(`/api/v1/statuses/${id}`, { method: "DELETE", token: alice.token });
    expect(del.status).toBe(200);
    await expectError(await t.request(`/api/v1/statuses/${again.id}`), 404);
    expect(await statusesCount(bob)).toBe(before - 1);
    expect((await list("/api/v1/timelines/home", carol)).some((s) => s.id === again.id)).toBe(
      false,
    );
    expect(
      (await list(`/api/v1/accounts/${bob.account.id}/statuses`)).map((s) => s.id),
    ).not.toContain(again.id);
  });

  it("deleting one's boost (DELETE /statuses/:id) is unboosting", async () => {
    const id = await post(alice, "boost then delete the boost");
    const boost = await act(carol, id, "reblog");
    const del = await t.request(`/api/v1/statuses/${boost.id}`, {
      method: "DELETE",
      token: carol.token,
    });
    expect(del.status).toBe(200);
    expect(await view(id, carol)).toMatchObject({ reblogs_count: 0, reblogged: false });
  });
});

describe("reblogged_by", () => {
  it("lists the boosters newest first, paged with Link", async () => {
    const id = await post(alice, "who boosted");
    await act(bob, id, "reblog");
    await act(carol, id, "reblog");
    const res = await t.request(`/api/v1/statuses/${id}/reblogged_by?limit=1`);
    expect(((await res.json()) as { id: string }[]).map((a) => a.id)).toEqual([carol.account.id]);
    const more = await t.request(links(res).next);
    expect(((await more.json()) as { id: string }[]).map((a) => a.id)).toEqual([bob.account.id]);
  });
});
