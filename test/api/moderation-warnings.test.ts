/**
 * Moderation completeness: stored warnings (with text, report and statuses) notified to the
 * account in v1 and v2 notifications, the disable and sensitive actions and their undoing, the
 * admin audit log and its page, and sign-ups awaiting approval hidden from the public.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDomainCommand } from "../../src/cli/domain.ts";
import {
  accountWarnings,
  adminActionLogs,
  localUsers,
  mediaAttachments,
} from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { passwordLogin } from "../../src/services/accounts/login.ts";
import { setRegistrationMode } from "../../src/services/accounts/registrations.ts";
import { setRole } from "../../src/services/accounts/roles.ts";
import { createWebSession } from "../../src/services/sessions/web-sessions.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;
let modToken: string;
const ADMIN_SCOPES = "read write admin:read admin:write";
const PASSWORD = "correct horse battery staple";

beforeAll(async () => {
  t = await startTestTern();
  const mia = await t.user("mia", { scopes: ADMIN_SCOPES });
  modToken = mia.token;
  await setRole(t.database.db, "mia", "admin");
});
afterAll(() => t?.close());

const get = (path: string, token?: string) => t.request(path, { token });
const post = (path: string, token: string, json: unknown = {}) =>
  t.request(path, { method: "POST", token, json });
const login = (username: string) =>
  passwordLogin(t.database.db, t.config.rateLimits, {
    ip: "127.0.0.1",
    username,
    password: PASSWORD,
  });

/** `POST /api/v1/admin/accounts/:id/action` as the admin, in-process (masto.js needs a socket). */
async function act(id: string, body: Record<string, unknown>): Promise<void> {
  const res = await post(`/api/v1/admin/accounts/${id}/action`, modToken, body);
  expect(res.status).toBe(200);
}
const adminAccount = async (id: string) =>
  (await (await get(`/api/v1/admin/accounts/${id}`, modToken)).json()) as {
    disabled: boolean;
    sensitized: boolean;
  };

async function postAs(token: string, status: string): Promise<string> {
  const res = await post("/api/v1/statuses", token, { status });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

describe("moderation warnings", () => {
  it("stores the warning with its text and statuses and notifies the account", async () => {
    const wes = await t.user("wes");
    const postId = await postAs(wes.token, "a borderline post");
    await act(wes.account.id, {
      type: "none",
      text: "Please read the rules",
      status_ids: [postId],
    });
    const [stored] = await t.database.db
      .select()
      .from(accountWarnings)
      .where(eq(accountWarnings.targetAccountId, wes.account.id));
    expect(stored).toMatchObject({ action: "none", text: "Please read the rules" });
    expect(stored.statusIds).toEqual([postId]);

    const v1 = (await (await get("/api/v1/notifications", wes.token)).json()) as {
      type: string;
      moderation_warning?: Record<string, unknown> & { target_account: { id: string } };
    }[];
    const note = v1.find((n) => n.type === "moderation_warning");
    expect(note?.moderation_warning).toMatchObject({
      id: stored.id,
      action: "none",
      text: "Please read the rules",
      status_ids: [postId],
      appeal: null,
    });
    expect(note?.moderation_warning?.target_account.id).toBe(wes.account.id);

    const v2 = (await (await get("/api/v2/notifications", wes.token)).json()) as {
      notification_groups: { type: string; moderation_warning?: { text: string } }[];
    };
    const group = v2.notification_groups.find((g) => g.type === "moderation_warning");
    expect(group?.moderation_warning?.text).toBe("Please read the rules");
  });

  it("refuses status_ids of someone else and warning_preset_id with a 422", async () => {
    const xan = await t.user("xan");
    const other = await postAs(modToken, "the moderator's own post");
    const res = await post(`/api/v1/admin/accounts/${xan.account.id}/action`, modToken, {
      type: "none",
      status_ids: [other],
    });
    expect(res.status).toBe(422);
    const preset = await post(`/api/v1/admin/accounts/${xan.account.id}/action`, modToken, {
      type: "none",
      warning_preset_id: 1,
    });
    expect(preset.status).toBe(422);
    expect(((await preset.json()) as { error: string }).error).toMatch(/warning_preset_id/);
  });
});

describe("disable and sensitive", () => {
  it("disable refuses login and revokes tokens; enable lets the account in again", async () => {
    const dee = await t.user("dee");
    const postId = await postAs(dee.token, "still visible");
    await act(dee.account.id, { type: "disable" });
    expect((await get("/api/v1/accounts/verify_credentials", dee.token)).status).toBe(401);
    expect(await login("dee")).toMatchObject({ ok: false, reason: "disabled" });
    // The account and its posts stay visible.
    expect((await get(`/api/v1/statuses/${postId}`)).status).toBe(200);
    expect((await adminAccount(dee.account.id)).disabled).toBe(true);

    const enabled = await post(`/api/v1/admin/accounts/${dee.account.id}/enable`, modToken);
    expect(((await enabled.json()) as { disabled: boolean }).disabled).toBe(false);
    expect((await login("dee")).ok).toBe(true);
  });

  it("sensitive marks existing media posts sensitive until unsensitive", async () => {
    const sue = await t.user("sue");
    const withMedia = await postAs(sue.token, "a picture");
    const plain = await postAs(sue.token, "just words");
    await t.database.db.insert(mediaAttachments).values({
      id: newId(),
      accountId: sue.account.id,
      statusId: withMedia,
      type: "image",
      url: "https://tern.test/media/x/original.png",
    });
    const sensitive = async (id: string) =>
      ((await (await get(`/api/v1/statuses/${id}`)).json()) as { sensitive: boolean }).sensitive;
    expect(await sensitive(withMedia)).toBe(false);
    await act(sue.account.id, { type: "sensitive" });
    expect(await sensitive(withMedia)).toBe(true);
    expect(await sensitive(plain)).toBe(false);
    expect((await adminAccount(sue.account.id)).sensitized).toBe(true);
    await post(`/api/v1/admin/accounts/${sue.account.id}/unsensitive`, modToken);
    expect(await sensitive(withMedia)).toBe(false);
  });

  it("disable is for local accounts only", async () => {
    const res = await post("/api/v1/admin/accounts/1/action", modToken, { type: "disable" });
    expect([404, 422]).toContain(res.status);
  });
});

describe("audit log", () => {
  it("records each action and lists them on /admin/audit", async () => {
    const logs = await t.database.db.select().from(adminActionLogs);
    const actions = new Set(logs.map((l) => l.action));
    for (const a of ["warn", "disable", "enable", "sensitive", "unsensitive"])
      expect(actions).toContain(a);
    const mia = (await t.database.db.select().from(localUsers)).find((u) => u.role === "admin")!;
    const { token } = await createWebSession(t.database.db, mia.accountId, {});
    const page = await t.request("/admin/audit", {
      headers: { cookie: `__Host-tern_session=${token}` },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("unsensitive");
    expect(html).toContain("@mia");
    expect(html).toContain("account sue");
  });
});

describe("audit log of server settings", () => {
  it("records domain blocks and allows (API and CLI), registrations and rules (pages)", async () => {
    const block = await post("/api/v1/admin/domain_blocks", modToken, {
      domain: "spam.example",
      severity: "suspend",
    });
    expect(block.status).toBe(200);
    const { id } = (await block.json()) as { id: string };
    const changed = await t.request(`/api/v1/admin/domain_blocks/${id}`, {
      method: "PUT",
      token: modToken,
      json: { severity: "silence" },
    });
    expect(changed.status).toBe(200);
    const removed = await t.request(`/api/v1/admin/domain_blocks/${id}`, {
      method: "DELETE",
      token: modToken,
    });
    expect(removed.status).toBe(200);
    expect(
      await runDomainCommand(t.database.db, { kind: "domain-allow", domain: "ok.example" }),
    ).toContain("Allowed");
    await setRegistrationMode(t.database.db, "approval");

    const mia = (await t.database.db.select().from(localUsers)).find((u) => u.role === "admin")!;
    const session = await createWebSession(t.database.db, mia.accountId, {});
    const cookie = `__Host-tern_session=${session.token}`;
    const form = (path: string, fields: Record<string, string>) =>
      t.request(path, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf_token: session.csrfToken, ...fields }).toString(),
      });
    expect((await form("/admin/settings/rules/add", { text: "No spam" })).status).toBe(200);
    // A forged form (no CSRF token) changes nothing and logs nothing.
    const forged = await t.request("/admin/settings/registrations", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "mode=open",
    });
    expect(forged.status).toBe(403);

    const logs = await t.database.db.select().from(adminActionLogs);
    const line = (action: string) => logs.filter((l) => l.action === action);
    expect(line("domain_block.save").map((l) => [l.targetLabel, l.accountId])).toEqual([
      ["spam.example", mia.accountId],
      ["spam.example", mia.accountId],
    ]);
    expect(line("domain_block.remove")[0]).toMatchObject({ targetLabel: "spam.example" });
    // The CLI acts as the server's owner: no account.
    expect(line("domain_allow.add")[0]).toMatchObject({
      targetLabel: "ok.example",
      accountId: null,
    });
    expect(line("instance.registrations").map((l) => l.detail)).toEqual([{ mode: "approval" }]);
    expect(line("instance.rule_add")[0]).toMatchObject({ accountId: mia.accountId });
    const page = await t.request("/admin/audit", { headers: { cookie } });
    const html = await page.text();
    expect(html).toContain("spam.example");
    expect(html).toContain("instance.rule_add");
  });
});

describe("accounts awaiting approval", () => {
  it("are not found by lookup, id, profile, WebFinger or their actor", async () => {
    const pen = await t.user("pen");
    await t.database.db
      .update(localUsers)
      .set({ approved: false })
      .where(eq(localUsers.accountId, pen.account.id));
    expect((await get("/api/v1/accounts/lookup?acct=pen")).status).toBe(404);
    expect((await get(`/api/v1/accounts/${pen.account.id}`)).status).toBe(404);
    expect((await get("/@pen")).status).toBe(404);
    const wf = await get(`/.well-known/webfinger?resource=acct:pen@${t.config.host}`);
    expect(wf.status).toBe(404);
    const actor = await t.request("/users/pen", {
      headers: { accept: "application/activity+json" },
    });
    expect([404, 410]).toContain(actor.status);
    // Staff still see it through the admin API.
    expect((await get(`/api/v1/admin/accounts/${pen.account.id}`, modToken)).status).toBe(200);
  });
});
