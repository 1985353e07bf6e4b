import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, links, STATUS_NULLABLE, shapeProblems } from "./entity-shape.ts";

/** Mastodon's Notification examples are abridged (`// ...`, trailing commas): made JSON here. */
function documentedNotification(file: string): unknown {
  const path = new URL(`../fixtures/mastodon-docs/entities/Notification/${file}`, import.meta.url);
  const text = readFileSync(path, "utf8")
    .replace(/^\s*\/\/.*$/gm, "")
    .replace(/,(\s*[}\]])/g, "$1");
  return JSON.parse(text);
}

interface Notification {
  id: string;
  type: string;
  group_key: string;
  account: { id: string };
  status?: { id: string; favourited: boolean };
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

async function call(who: User, path: string, method = "GET"): Promise<Response> {
  return t.request(path, { method, token: who.token });
}
async function ok<T>(who: User, path: string, method = "GET"): Promise<T> {
  const res = await call(who, path, method);
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body as T;
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
const list = (who: User, query = "") => ok<Notification[]>(who, `/api/v1/notifications${query}`);
const kinds = (ns: Notification[]) => ns.map((n) => `${n.type}:${n.account.id}`);

describe("what notifies", () => {
  it("follow, follow_request, mention and favourite, each once and never of oneself", async () => {
    const amy = await t.user("amy");
    const ben = await t.user("ben");
    const locked = await t.user("locked", { locked: true });
    await ok(ben, `/api/v1/accounts/${amy.account.id}/follow`, "POST");
    await ok(ben, `/api/v1/accounts/${locked.account.id}/follow`, "POST");
    await post(ben, "hi @amy, and @locked");
    const mine = await post(amy, "like this");
    for (let i = 0; i < 2; i++) {
      await ok(ben, `/api/v1/statuses/${mine}/favourite`, "POST");
      await ok(ben, `/api/v1/statuses/${mine}/unfavourite`, "POST");
    }
    await ok(ben, `/api/v1/statuses/${mine}/favourite`, "POST");
    await ok(amy, `/api/v1/statuses/${mine}/favourite`, "POST"); // her own: no notification
    const forAmy = await list(amy);
    expect(kinds(forAmy)).toEqual([
      `favourite:${ben.account.id}`,
      `mention:${ben.account.id}`,
      `follow:${ben.account.id}`,
    ]);
    const fav = forAmy[0];
    expect(fav.status).toMatchObject({ id: mine, favourited: true });
    expect(fav.group_key).toBe(`favourite-${mine}`);
    expect(shapeProblems(fav, documentedNotification("02-favourite.json.txt"))).toEqual([]);
    const mention = forAmy[1];
    expect(
      shapeProblems(mention, documentedNotification("01-mention.json.txt"), STATUS_NULLABLE),
    ).toEqual([]);
    expect(mention.group_key).toMatch(/^ungrouped-/);
    expect(kinds(await list(locked))).toEqual([
      `mention:${ben.account.id}`,
      `follow_request:${ben.account.id}`,
    ]);
    expect(await list(ben)).toEqual([]);
  });

  it("a deleted status takes its notifications with it", async () => {
    const cat = await t.user("cat");
    const dan = await t.user("dan");
    const id = await post(dan, "@cat soon gone");
    expect(kinds(await list(cat))).toEqual([`mention:${dan.account.id}`]);
    await ok(dan, `/api/v1/statuses/${id}`, "DELETE");
    expect(await list(cat)).toEqual([]);
  });
});

describe("GET /api/v1/notifications", () => {
  let eve: User;
  const fans: User[] = [];
  beforeAll(async () => {
    eve = await t.user("eve");
    const id = await post(eve, "popular");
    for (const n of [1, 2, 3]) {
      const fan = await t.user(`fan${n}`);
      fans.push(fan);
      await ok(fan, `/api/v1/statuses/${id}/favourite`, "POST");
      await ok(fan, `/api/v1/accounts/${eve.account.id}/follow`, "POST");
    }
  });

  it("filters by types[], exclude_types[] and account_id; unknown types are ignored", async () => {
    const favs = await list(eve, "?types[]=favourite&types[]=nonsense");
    expect(favs.map((n) => n.type)).toEqual(["favourite", "favourite", "favourite"]);
    expect(await list(eve, "?types[]=nonsense")).toEqual([]);
    const noFavs = await list(eve, "?exclude_types[]=favourite&exclude_types[]=admin.sign_up");
    expect(noFavs.map((n) => n.type)).toEqual(["follow", "follow", "follow"]);
    const fromOne = await list(eve, `?account_id=${fans[1].account.id}`);
    expect(kinds(fromOne)).toEqual([
      `follow:${fans[1].account.id}`,
      `favourite:${fans[1].account.id}`,
    ]);
    expect(await list(eve, "?types=follow")).toHaveLength(3);
  });

  it("takes the newer types and include_filtered; nothing odd is ever a 500", async () => {
    const newer = "?types[]=update&types[]=quoted_update&types[]=status&types[]=quote";
    expect(await list(eve, newer)).toEqual([]);
    expect(await list(eve, "?types[]=follow&include_filtered=true")).toHaveLength(3);
    for (const q of ["?types[]=", "?exclude_types[]=%00x", "?types[]=admin.sign_up&limit=abc"]) {
      expect((await call(eve, `/api/v1/notifications${q}`)).status).toBeLessThan(500);
    }
  });

  it("pages newest first with Link headers", async () => {
    const all = await list(eve);
    expect(all).toHaveLength(6);
    const res = await call(eve, "/api/v1/notifications?limit=4");
    const first = (await res.json()) as Notification[];
    expect(first.map((n) => n.id)).toEqual(all.slice(0, 4).map((n) => n.id));
    const next = (await (await call(eve, links(res).next)).json()) as Notification[];
    expect(next.map((n) => n.id)).toEqual(all.slice(4).map((n) => n.id));
    const since = await list(eve, `?min_id=${all[3].id}&limit=2`);
    expect(since.map((n) => n.id)).toEqual(all.slice(1, 3).map((n) => n.id));
  });

  it("unread_count counts up to its limit", async () => {
    expect(await ok(eve, "/api/v1/notifications/unread_count")).toEqual({ count: 6 });
    expect(await ok(eve, "/api/v1/notifications/unread_count?limit=2")).toEqual({ count: 2 });
    expect(await ok(eve, "/api/v1/notifications/unread_count?types[]=follow")).toEqual({
      count: 3,
    });
  });

  it("shows one, dismisses one, clears all; others' notifications are a 404", async () => {
    const all = await list(eve);
    const one = await ok<Notification>(eve, `/api/v1/notifications/${all[0].id}`);
    expect(one.id).toBe(all[0].id);
    await expectError(await call(fans[0], `/api/v1/notifications/${all[0].id}`), 404);
    await ok(fans[0], `/api/v1/notifications/${all[0].id}/dismiss`, "POST");
    expect(await list(eve)).toHaveLength(6);
    await ok(eve, `/api/v1/notifications/${all[0].id}/dismiss`, "POST");
    expect((await list(eve)).map((n) => n.id)).toEqual(all.slice(1).map((n) => n.id));
    await ok(eve, "/api/v1/notifications/clear", "POST");
    expect(await list(eve)).toEqual([]);
  });

  it("needs read:notifications to read and write:notifications to dismiss", async () => {
    const writer = await t.user("nwriter", { scopes: "write" });
    const reader = await t.user("nreader", { scopes: "read:statuses" });
    await expectError(await call(reader, "/api/v1/notifications"), 403);
    await expectError(await call(reader, "/api/v1/notifications/unread_count"), 403);
    await expectError(await call(reader, "/api/v1/notifications/clear", "POST"), 403);
    await ok(writer, "/api/v1/notifications/clear", "POST");
    await expectError(await t.request("/api/v1/notifications"), 401);
  });
});
