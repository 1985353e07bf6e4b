import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRoleCommand, runRoleCommand } from "../../src/cli/account-role.ts";
import { instanceRules, reports } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { type ApiUser, postStatus } from "../helpers/api-client.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError, STATUS_NULLABLE } from "./entity-shape.ts";

/**
 * POST /api/v1/reports between local accounts: what the reporter gets back (Mastodon's Report),
 * what is refused (with a reason, nothing stored), and the moderators' `admin.report`.
 */
let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
let mod: ApiUser;
let ruleId: string;
beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  mod = await t.user("mod");
  await runRoleCommand(t.database.db, parseRoleCommand(["account", "role", "@mod", "moderator"]));
  ruleId = newId();
  await t.database.db.insert(instanceRules).values({ id: ruleId, text: "No spam" });
});
afterAll(() => t.close());

const report = (who: ApiUser, json: unknown) =>
  t.request("/api/v1/reports", { method: "POST", token: who.token, json });
const count = async () => (await t.database.db.select().from(reports)).length;

describe("POST /api/v1/reports", () => {
  it("answers Mastodon's Report, and the moderator is notified with it", async () => {
    const post = await postStatus(t, bob, "buy now");
    const res = await report(alice, {
      account_id: bob.account.id,
      status_ids: [post.id],
      comment: "Spam account",
      category: "spam",
      forward: true, // a local target: nothing to forward
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expectDocumentedShape(body, "Report", [...STATUS_NULLABLE, "action_taken_at", "rule_ids"]);
    expect(body).toMatchObject({
      action_taken: false,
      category: "spam",
      comment: "Spam account",
      forwarded: false,
      status_ids: [post.id],
      rule_ids: null,
      target_account: { id: bob.account.id, acct: "bob" },
    });

    const notes = await (
      await t.request("/api/v1/notifications?types[]=admin.report", { token: mod.token })
    ).json();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      type: "admin.report",
      account: { id: alice.account.id },
      report: { id: body.id, target_account: { id: bob.account.id } },
    });
    const grouped = await (
      await t.request("/api/v2/notifications?types[]=admin.report", { token: mod.token })
    ).json();
    expect(grouped.notification_groups[0]).toMatchObject({
      type: "admin.report",
      report: { id: body.id },
    });
    // Not a moderator: nothing.
    const bobs = await (await t.request("/api/v1/notifications", { token: bob.token })).json();
    expect(bobs.filter((n: { type: string }) => n.type === "admin.report")).toEqual([]);
  });

  it("takes a form body with rule_ids[]: category violation, a second report notifies again", async () => {
    const res = await t.request("/api/v1/reports", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `account_id=${bob.account.id}&rule_ids[]=${ruleId}&forward=false`,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({
      category: "violation",
      rule_ids: [ruleId],
      status_ids: null,
    });
    const notes = await (
      await t.request("/api/v1/notifications?types[]=admin.report", { token: mod.token })
    ).json();
    expect(notes).toHaveLength(2);
  });

  it("refuses bad reports with a reason and stores nothing", async () => {
    const before = await count();
    const hidden = await postStatus(t, bob, "followers only", "private");
    const others = await postStatus(t, alice, "mine");
    const cases: [unknown, number, RegExp][] = [
      [{}, 422, /account_id/],
      [{ account_id: bob.account.id, bogus: 1 }, 422, /bogus/],
      [{ account_id: bob.account.id, comment: "x".repeat(1001) }, 422, /comment/],
      [{ account_id: bob.account.id, category: "rude" }, 422, /category/],
      [{ account_id: bob.account.id, rule_ids: [newId()] }, 422, /rule/],
      [{ account_id: bob.account.id, category: "spam", rule_ids: [ruleId] }, 422, /violation/],
      [{ account_id: bob.account.id, status_ids: [hidden.id] }, 404, /status/],
      [{ account_id: bob.account.id, status_ids: [others.id] }, 404, /status/],
      [{ account_id: newId() }, 404, /not found/i],
      [{ account_id: alice.account.id }, 422, /yourself/],
    ];
    for (const [json, status, reason] of cases) {
      expect(await expectError(await report(alice, json), status), JSON.stringify(json)).toMatch(
        reason,
      );
    }
    expect(await count()).toBe(before);
  });

  it("needs write:reports", async () => {
    const reader = await t.user("reader", { scopes: "read" });
    await expectError(await report(reader, { account_id: bob.account.id }), 403);
    await expectError(
      await t.request("/api/v1/reports", { method: "POST", json: { account_id: bob.account.id } }),
      401,
    );
  });

  it("tern account role refuses an unknown role", () => {
    expect(() => parseRoleCommand(["account", "role", "mod", "boss"])).toThrow(/user, moderator/);
  });
});
