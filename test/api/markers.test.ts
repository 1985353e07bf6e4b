import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError } from "./entity-shape.ts";

/**
 * /api/v1/markers (form and JSON, partial saves, `version`), and unread counts that follow the
 * notifications marker: v1 and v2 answer together on the same events (Phanpy keeps a badge
 * stuck when they disagree).
 */
type User = Awaited<ReturnType<TestTern["user"]>>;
interface Marker {
  last_read_id: string;
  version: number;
  updated_at: string;
}

let t: TestTern;
let eve: User;
beforeAll(async () => {
  t = await startTestTern();
  eve = await t.user("eve");
});
afterAll(() => t.close());

async function call<T>(who: User, path: string, init: RequestInit & { json?: unknown } = {}) {
  const res = await t.request(path, { ...init, token: who.token });
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body as T;
}
const markers = (who: User) =>
  call<Record<string, Marker>>(who, "/api/v1/markers?timeline[]=home&timeline[]=notifications");
const form = (body: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body,
});

describe("/api/v1/markers", () => {
  it("nothing saved: {}; a form save of home; a JSON save of notifications; versions bump", async () => {
    expect(await markers(eve)).toEqual({});
    const saved = await call<Record<string, Marker>>(
      eve,
      "/api/v1/markers",
      form("home[last_read_id]=1000"),
    );
    expect(Object.keys(saved)).toEqual(["home"]);
    expect(saved.home).toMatchObject({ last_read_id: "1000", version: 0 });
    expectDocumentedShape(saved.home, "Marker");
    await call(eve, "/api/v1/markers", {
      method: "POST",
      json: { notifications: { last_read_id: "2000" } },
    });
    await call(eve, "/api/v1/markers", form("home[last_read_id]=1500"));
    const both = await markers(eve);
    expect(both.home).toMatchObject({ last_read_id: "1500", version: 1 });
    expect(both.notifications).toMatchObject({ last_read_id: "2000", version: 0 });
    const onlyHome = await call<Record<string, Marker>>(eve, "/api/v1/markers?timeline[]=home");
    expect(Object.keys(onlyHome)).toEqual(["home"]);
    expect(await call(eve, "/api/v1/markers?timeline[]=lists")).toEqual({});
  });

  it("refuses a save without a position or with a bad id, and checks scopes", async () => {
    await expectError(
      await t.request("/api/v1/markers", { method: "POST", token: eve.token, json: {} }),
      422,
    );
    await expectError(
      await t.request("/api/v1/markers", {
        method: "POST",
        token: eve.token,
        json: { home: { last_read_id: "abc" } },
      }),
      422,
    );
    const reader = await t.user("reader", { scopes: "read:notifications" });
    await expectError(await t.request("/api/v1/markers", { token: reader.token }), 403);
    await expectError(await t.request("/api/v1/markers"), 401);
  });
});

describe("unread counts follow the notifications marker, v1 and v2 alike", () => {
  it("the same events: counts agree, drop to 0 at the marker, and rise again together", async () => {
    const zoe = await t.user("zoe");
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: zoe.token,
      json: { status: "count me" },
    });
    const postId = ((await res.json()) as { id: string }).id;
    const fans = await Promise.all(["f1", "f2", "f3"].map((n) => t.user(n)));
    for (const fan of fans.slice(0, 2))
      await call(fan, `/api/v1/statuses/${postId}/favourite`, { method: "POST" });
    await call(fans[2], `/api/v1/accounts/${zoe.account.id}/follow`, { method: "POST" });
    await call(fans[2], "/api/v1/statuses", { method: "POST", json: { status: "hi @zoe" } });
    const counts = async () => {
      const v1 = await call<{ count: number }>(zoe, "/api/v1/notifications/unread_count");
      // v2 counts groups, as Mastodon; grouping nothing, it counts what v1 counts.
      const v2 = await call<{ count: number }>(zoe, "/api/v2/notifications/unread_count");
      const v2Flat = await call<{ count: number }>(
        zoe,
        "/api/v2/notifications/unread_count?grouped_types[]=mention",
      );
      const v1List = await call<unknown[]>(zoe, "/api/v1/notifications?limit=80");
      const v2Groups = await call<{ notification_groups: unknown[] }>(
        zoe,
        "/api/v2/notifications?limit=80",
      );
      return { v1: v1.count, v2: v2.count, v2Flat: v2Flat.count, v1List, v2Groups };
    };
    const before = await counts();
    expect([before.v1, before.v2, before.v2Flat]).toEqual([4, 3, 4]);
    expect(before.v1List).toHaveLength(before.v1);
    expect(before.v2Groups.notification_groups).toHaveLength(before.v2);
    const newest = (before.v1List[0] as { id: string }).id;
    await call(zoe, "/api/v1/markers", form(`notifications[last_read_id]=${newest}`));
    const read = await counts();
    expect([read.v1, read.v2, read.v2Flat]).toEqual([0, 0, 0]);
    const late = await t.user("late");
    await call(late, `/api/v1/statuses/${postId}/favourite`, { method: "POST" });
    const again = await counts();
    expect([again.v1, again.v2, again.v2Flat]).toEqual([1, 1, 1]);
    const capped = await call<{ count: number }>(zoe, "/api/v1/notifications/unread_count?limit=1");
    expect(capped.count).toBe(1);
  });
});
