import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import {
  documentedExample,
  expectError,
  links,
  STATUS_NULLABLE,
  shapeProblems,
} from "./entity-shape.ts";

/**
 * Grouped notifications (/api/v2/notifications) against the shapes Mastodon documents for
 * GroupedNotificationsResults and NotificationGroup, and against v1 on the same events:
 * favourites of one status and follows group, everything else stands alone; paging, filters,
 * grouped_types[], expand_accounts, one group by key, its accounts, dismissing it.
 */
type User = Awaited<ReturnType<TestTern["user"]>>;
interface Group {
  group_key: string;
  notifications_count: number;
  type: string;
  most_recent_notification_id: string;
  page_min_id?: string;
  page_max_id?: string;
  latest_page_notification_at?: string;
  sample_account_ids: string[];
  status_id?: string;
}
interface Results {
  accounts: { id: string }[];
  partial_accounts?: Record<string, unknown>[];
  statuses: { id: string }[];
  notification_groups: Group[];
}
interface V1 {
  id: string;
  type: string;
  group_key: string;
  account: { id: string };
  created_at: string;
}

/**
 * NotificationGroup's documented attributes and types (docs.joinmastodon.org/methods/
 * grouped_notifications, #NotificationGroup): ids are strings. `page_*` and `status_id` are
 * optional there; every group here pages and names a status unless said otherwise.
 */
const DOCUMENTED_GROUP = {
  group_key: "favourite-1",
  notifications_count: 2,
  type: "favourite",
  most_recent_notification_id: "2",
  page_min_id: "1",
  page_max_id: "2",
  latest_page_notification_at: "2024-08-23T08:59:56.743Z",
  sample_account_ids: ["16"],
  status_id: "1",
};

let t: TestTern;
let eve: User;
let p1: string;
let p2: string;
const fans: User[] = [];

async function call<T>(who: User, path: string, method = "GET", json?: unknown): Promise<T> {
  const res = await t.request(path, { method, token: who.token, json });
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body as T;
}
const v2 = (query = "") => call<Results>(eve, `/api/v2/notifications${query}`);
const v1 = (query = "") => call<V1[]>(eve, `/api/v1/notifications${query}`);

beforeAll(async () => {
  t = await startTestTern();
  eve = await t.user("eve");
  const post = async (status: string) =>
    (await call<{ id: string }>(eve, "/api/v1/statuses", "POST", { status })).id;
  p1 = await post("first");
  p2 = await post("second");
  for (const n of [1, 2, 3, 4]) fans.push(await t.user(`fan${n}`));
  // In this order, newest last: 3 favourites of p1, 2 of p2, 3 follows, 1 mention.
  for (const fan of fans.slice(0, 3)) await call(fan, `/api/v1/statuses/${p1}/favourite`, "POST");
  for (const fan of fans.slice(0, 2)) await call(fan, `/api/v1/statuses/${p2}/favourite`, "POST");
  for (const fan of fans.slice(1, 4))
    await call(fan, `/api/v1/accounts/${eve.account.id}/follow`, "POST");
  await call(fans[3], "/api/v1/statuses", "POST", { status: "hey @eve" });
});
afterAll(() => t.close());

describe("GET /api/v2/notifications", () => {
  it("groups favourites of one status and follows, in Mastodon's documented shape", async () => {
    const res = await v2();
    const [mention, follows, favP2, favP1] = res.notification_groups;
    expect(res.notification_groups.map((g) => [g.type, g.notifications_count])).toEqual([
      ["mention", 1],
      ["follow", 3],
      ["favourite", 2],
      ["favourite", 3],
    ]);
    expect(mention.group_key).toMatch(/^ungrouped-\d+$/);
    expect(favP1.status_id).toBe(p1);
    expect(favP2.status_id).toBe(p2);
    expect(follows.status_id).toBeUndefined();
    // Sample accounts, newest first.
    expect(favP1.sample_account_ids).toEqual([fans[2], fans[1], fans[0]].map((f) => f.account.id));
    expect(follows.sample_account_ids).toEqual(
      [fans[3], fans[2], fans[1]].map((f) => f.account.id),
    );
    // Every account and status a group points at comes once, at the root.
    const accountIds = res.accounts.map((a) => a.id).sort();
    expect(accountIds).toEqual([eve, ...fans].map((u) => u.account.id).sort());
    expect(res.statuses.map((s) => s.id).sort()).toEqual([p1, p2, mention.status_id!].sort());
    expect(shapeProblems(favP1, DOCUMENTED_GROUP)).toEqual([]);
    const { status_id: _, ...withoutStatus } = DOCUMENTED_GROUP;
    expect(shapeProblems(follows, withoutStatus)).toEqual([]);
    expect(shapeProblems(res.accounts[0], documentedExample("Account"), STATUS_NULLABLE)).toEqual(
      [],
    );
    expect(shapeProblems(res.statuses[0], documentedExample("Status"), STATUS_NULLABLE)).toEqual(
      [],
    );
    expect(res.partial_accounts).toBeUndefined();
  });

  it("agrees with v1: the same notifications, the same keys, the newest ids", async () => {
    const flat = await v1("?limit=80");
    const groups = (await v2()).notification_groups;
    expect(groups.reduce((n, g) => n + g.notifications_count, 0)).toBe(flat.length);
    for (const g of groups) {
      const members = flat.filter((n) =>
        g.group_key.startsWith("ungrouped-")
          ? `ungrouped-${n.id}` === g.group_key
          : n.group_key === g.group_key,
      );
      expect(members).toHaveLength(g.notifications_count);
      expect(g.most_recent_notification_id).toBe(members[0].id);
      expect(g.page_max_id).toBe(members[0].id);
      expect(g.page_min_id).toBe(members[members.length - 1].id);
      expect(g.latest_page_notification_at).toBe(members[0].created_at);
      expect(members.every((n) => n.type === g.type)).toBe(true);
    }
  });

  it("pages by groups with Link headers: next and prev", async () => {
    const all = (await v2()).notification_groups.map((g) => g.group_key);
    const res = await t.request("/api/v2/notifications?limit=2", { token: eve.token });
    const first = (await res.json()) as Results;
    expect(first.notification_groups.map((g) => g.group_key)).toEqual(all.slice(0, 2));
    // As on Mastodon, the next page starts below the last group's newest notification: that
    // group goes on there with its older notifications (clients merge it by key).
    const next = await call<Results>(eve, links(res).next);
    expect(next.notification_groups.map((g) => g.group_key)).toEqual(all.slice(1, 3));
    expect(next.notification_groups[0].notifications_count).toBe(2);
    const prev = await call<Results>(eve, links(res).prev);
    expect(prev.notification_groups).toEqual([]);
    const older = first.notification_groups[1].page_min_id;
    const above = await v2(`?min_id=${older}&limit=1`);
    expect(above.notification_groups.map((g) => g.group_key)).toEqual([all[0]]);
  });

  it("filters by types[], exclude_types[] and account_id; unknown types are ignored", async () => {
    const favs = await v2("?types[]=favourite&types[]=nonsense");
    expect(favs.notification_groups.map((g) => g.type)).toEqual(["favourite", "favourite"]);
    const rest = await v2(
      "?exclude_types[]=favourite&exclude_types[]=follow&include_filtered=true",
    );
    expect(rest.notification_groups.map((g) => g.type)).toEqual(["mention"]);
    expect((await v2("?types[]=nonsense")).notification_groups).toEqual([]);
    const fromFan4 = await v2(`?account_id=${fans[3].account.id}`);
    expect(fromFan4.notification_groups.map((g) => g.type)).toEqual(["mention", "follow"]);
  });

  it("grouped_types[] limits what groups: the rest come one by one", async () => {
    const groups = (await v2("?grouped_types[]=follow")).notification_groups;
    expect(groups.map((g) => [g.type, g.notifications_count])).toEqual([
      ["mention", 1],
      ["follow", 3],
      ...Array.from({ length: 5 }, () => ["favourite", 1]),
    ]);
    expect(groups.slice(2).every((g) => g.group_key.startsWith("ungrouped-"))).toBe(true);
  });

  it("expand_accounts=partial_avatars: newest account per group in full, the others partial", async () => {
    const res = await v2("?expand_accounts=partial_avatars");
    const full = new Set(res.accounts.map((a) => a.id));
    for (const g of res.notification_groups) expect(full.has(g.sample_account_ids[0])).toBe(true);
    expect(full.has(eve.account.id)).toBe(true); // the statuses' author
    const partial = res.partial_accounts!;
    expect(partial.length).toBeGreaterThan(0);
    for (const p of partial) {
      expect(Object.keys(p).sort()).toEqual([
        "acct",
        "avatar",
        "avatar_description",
        "avatar_static",
        "bot",
        "id",
        "locked",
        "url",
      ]);
      expect(full.has(p.id as string)).toBe(false);
    }
    await expectError(
      await t.request("/api/v2/notifications?expand_accounts=some", { token: eve.token }),
      400,
    );
  });
});

describe("one group", () => {
  it("by key, its accounts, and dismissing it; others' keys are not found", async () => {
    const favP1 = (await v2()).notification_groups[3];
    const one = await call<Results>(eve, `/api/v2/notifications/${favP1.group_key}`);
    expect(one.notification_groups).toHaveLength(1);
    expect(one.notification_groups[0]).toMatchObject({
      group_key: favP1.group_key,
      notifications_count: 3,
      most_recent_notification_id: favP1.most_recent_notification_id,
      status_id: p1,
    });
    expect(one.notification_groups[0].page_min_id).toBeUndefined();
    expect(one.statuses.map((s) => s.id)).toEqual([p1]);
    const people = await call<{ id: string }[]>(
      eve,
      `/api/v2/notifications/${favP1.group_key}/accounts`,
    );
    expect(people.map((a) => a.id)).toEqual(favP1.sample_account_ids);
    await expectError(
      await t.request(`/api/v2/notifications/${favP1.group_key}`, { token: fans[0].token }),
      404,
    );
    await expectError(await t.request("/api/v2/notifications/nope", { token: eve.token }), 404);
    await expectError(
      await t.request("/api/v2/notifications/ungrouped-1", { token: eve.token }),
      404,
    );
    const mention = (await v2()).notification_groups[0];
    const alone = await call<Results>(eve, `/api/v2/notifications/${mention.group_key}`);
    expect(alone.notification_groups[0].type).toBe("mention");

    // Someone else dismissing it changes nothing; eve dismissing it removes it from v1 and v2.
    await call(fans[0], `/api/v2/notifications/${favP1.group_key}/dismiss`, "POST");
    expect((await v2()).notification_groups).toHaveLength(4);
    await call(eve, `/api/v2/notifications/${favP1.group_key}/dismiss`, "POST");
    expect((await v2()).notification_groups.map((g) => g.group_key)).not.toContain(favP1.group_key);
    expect((await v1("?types[]=favourite")).map((n) => n.group_key)).toEqual([
      `favourite-${p2}`,
      `favourite-${p2}`,
    ]);
  });

  it("needs read:notifications to read and write:notifications to dismiss", async () => {
    const reader = await t.user("v2reader", { scopes: "read:statuses" });
    const readOnly = await t.user("v2readonly", { scopes: "read" });
    await expectError(await t.request("/api/v2/notifications", { token: reader.token }), 403);
    await expectError(
      await t.request("/api/v2/notifications/unread_count", { token: reader.token }),
      403,
    );
    await expectError(
      await t.request("/api/v2/notifications/x/dismiss", { method: "POST", token: readOnly.token }),
      403,
    );
    await expectError(await t.request("/api/v2/notifications"), 401);
  });
});
