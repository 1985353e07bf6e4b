/**
 * The admin API as an app uses it (masto.js's `admin.accounts` and `admin.reports` over real
 * HTTP): scope and role checks, the approval queue, and what silencing and suspending do for
 * everyone else (timelines, profiles) and for the suspended account (its token, its login).
 */
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { eq } from "drizzle-orm";
import { createRestAPIClient, type mastodon } from "masto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseModerationCommand, runModerationCommand } from "../../src/cli/account-moderation.ts";
import { accounts, localUsers, statuses } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { passwordLogin } from "../../src/services/accounts/login.ts";
import { setRole } from "../../src/services/accounts/roles.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;
let server: ServerType;
let url: string;
let mod: mastodon.rest.Client;
let modToken: string;
const ADMIN_SCOPES = "read write admin:read admin:write";

beforeAll(async () => {
  t = await startTestTern();
  modToken = (await t.user("mia", { scopes: ADMIN_SCOPES })).token;
  await setRole(t.database.db, "mia", "moderator");
  server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mod = createRestAPIClient({ url, accessToken: modToken });
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

const get = (path: string, token?: string) => t.request(path, { token });
const post = (path: string, token: string, json: unknown = {}) =>
  t.request(path, { method: "POST", token, json });
const publicIds = async () =>
  ((await (await get("/api/v1/timelines/public")).json()) as { id: string }[]).map((s) => s.id);

async function postAs(token: string, status: string): Promise<string> {
  const res = await post("/api/v1/statuses", token, { status });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

describe("who may call it", () => {
  it("needs an admin scope and a moderator or admin behind the token", async () => {
    // A plain user with the scope: 403; a moderator without it: 403; no token: 401.
    const plain = await t.user("pat", { scopes: ADMIN_SCOPES });
    expect((await get("/api/v1/admin/accounts", plain.token)).status).toBe(403);
    const noScope = await t.user("nora");
    await setRole(t.database.db, "nora", "admin");
    expect((await get("/api/v1/admin/accounts", noScope.token)).status).toBe(403);
    expect((await get("/api/v1/admin/reports", noScope.token)).status).toBe(403);
    expect((await get("/api/v1/admin/accounts")).status).toBe(401);
    // `read` does not cover admin:read; the granular scope alone does.
    const granular = await t.user("gus", { scopes: "admin:read:accounts" });
    await setRole(t.database.db, "gus", "moderator");
    expect((await get("/api/v1/admin/accounts", granular.token)).status).toBe(200);
    expect((await get("/api/v1/admin/reports", granular.token)).status).toBe(403);
    // A moderator cannot act on an admin.
    const res = await post(`/api/v1/admin/accounts/${noScope.account.id}/action`, modToken, {
      type: "suspend",
    });
    expect(res.status).toBe(403);
  });

  it("names the filters Tern does not support with a 422", async () => {
    // disabled and sensitized are kept now: filters, not 422s.
    expect((await get("/api/v1/admin/accounts?disabled=true", modToken)).status).toBe(200);
    const v2 = await get("/api/v2/admin/accounts?role_ids[]=1", modToken);
    expect(v2.status).toBe(422);
    expect(((await v2.json()) as { error: string }).error).toMatch(/role_ids/);
    const preset = await post("/api/v1/admin/accounts/1/action", modToken, {
      type: "none",
      warning_preset_id: "1",
    });
    expect(preset.status).toBe(422);
    expect(((await preset.json()) as { error: string }).error).toMatch(/warning_preset_id/);
  });
});

describe("the approval queue", () => {
  it("lists pending sign-ups, approves one and rejects another", async () => {
    const { account: kim } = await t.user("kim");
    const { account: lou } = await t.user("lou");
    await t.database.db
      .update(localUsers)
      .set({ approved: false, signUpReason: "I like terns", email: "kim@example.com" })
      .where(eq(localUsers.accountId, kim.id));
    await t.database.db
      .update(localUsers)
      .set({ approved: false })
      .where(eq(localUsers.accountId, lou.id));

    const pending = await mod.v1.admin.accounts.list({ pending: true });
    expect(pending.map((a) => a.username).sort()).toEqual(["kim", "lou"]);
    const kimEntry = pending.find((a) => a.username === "kim")!;
    expect(kimEntry).toMatchObject({
      approved: false,
      email: "kim@example.com",
      inviteRequest: "I like terns",
      role: { id: "-99" },
      account: { acct: "kim" },
    });
    const v2 = (await (
      await get("/api/v2/admin/accounts?origin=local&status=pending", modToken)
    ).json()) as { username: string }[];
    expect(v2.map((a) => a.username).sort()).toEqual(["kim", "lou"]);

    const approved = await mod.v1.admin.accounts.$select(kim.id).approve();
    expect(approved.approved).toBe(true);
    const rejected = await mod.v1.admin.accounts.$select(lou.id).reject();
    expect(rejected.username).toBe("lou");
    expect((await get(`/api/v1/admin/accounts/${lou.id}`, modToken)).status).toBe(404);
    expect(await mod.v1.admin.accounts.list({ pending: true })).toEqual([]);
    // Approving what is not pending is refused.
    expect((await post(`/api/v1/admin/accounts/${kim.id}/approve`, modToken)).status).toBe(403);
  });
});

describe("moderation actions", () => {
  it("suspending a local account revokes its token, refuses its login and hides its posts", async () => {
    const sam = await t.user("sam");
    const postId = await postAs(sam.token, "hello from sam");
    expect(await publicIds()).toContain(postId);

    await mod.v1.admin.accounts
      .$select(sam.account.id)
      .action.create({ type: "suspend", text: "spam" });
    // The token is dead at once: the next call is a 401.
    expect((await get("/api/v1/accounts/verify_credentials", sam.token)).status).toBe(401);
    const login = await passwordLogin(t.database.db, t.config.rateLimits, {
      ip: "127.0.0.1",
      username: "sam",
      password: "correct horse battery staple",
    });
    expect(login).toEqual({ ok: false, reason: "suspended" });
    expect(await publicIds()).not.toContain(postId);
    expect((await get(`/api/v1/statuses/${postId}`)).status).toBe(404);
    const profile = (await (await get(`/api/v1/accounts/${sam.account.id}`)).json()) as {
      suspended?: boolean;
    };
    expect(profile.suspended).toBe(true);
    expect((await get("/@sam")).status).toBe(404);
    // ActivityPub: the actor stays (its keys verify what it sent), marked suspended, blanked.
    const actor = await t.request("/users/sam", {
      headers: { accept: "application/activity+json" },
    });
    expect(actor.status).toBe(200);
    expect(await actor.json()).toMatchObject({ suspended: true, name: "sam" });
    const [entry] = await mod.v1.admin.accounts.list({ suspended: true, username: "sam" });
    expect(entry.suspended).toBe(true);

    const back = await mod.v1.admin.accounts.$select(sam.account.id).unsuspend();
    expect(back.suspended).toBe(false);
    expect(await publicIds()).toContain(postId);
  });

  it("suspending a remote account takes its posts off the public timeline", async () => {
    const remote = {
      id: newId(),
      username: "rex",
      domain: "far.example",
      uri: "https://far.example/users/rex",
    };
    await t.database.db.insert(accounts).values(remote);
    const id = newId();
    await t.database.db.insert(statuses).values({
      id,
      uri: `${remote.uri}/posts/1`,
      accountId: remote.id,
      content: "<p>far away</p>",
      visibility: "public",
      local: false,
    });
    expect(await publicIds()).toContain(id);
    const [listed] = await mod.v1.admin.accounts.list({ byDomain: "far.example" });
    expect(listed).toMatchObject({ id: remote.id, domain: "far.example", role: null });
    await mod.v1.admin.accounts.$select(remote.id).action.create({ type: "suspend" });
    expect(await publicIds()).not.toContain(id);
    // Deleting needs the suspension first; then the account is gone.
    const del = await t.request(`/api/v1/admin/accounts/${remote.id}`, {
      method: "DELETE",
      token: modToken,
    });
    expect(del.status).toBe(200);
    expect((await get(`/api/v1/accounts/${remote.id}`)).status).toBe(404);
  });

  it("silencing keeps the account off public timelines and warns it", async () => {
    const sid = await t.user("sid");
    const postId = await postAs(sid.token, "loud post");
    await mod.v1.admin.accounts.$select(sid.account.id).action.create({ type: "silence" });
    expect(await publicIds()).not.toContain(postId);
    const notes = (await (await get("/api/v1/notifications", sid.token)).json()) as {
      type: string;
    }[];
    expect(notes.map((n) => n.type)).toContain("moderation_warning");
    const acct = (await (await get(`/api/v1/accounts/${sid.account.id}`)).json()) as {
      limited?: boolean;
    };
    expect(acct.limited).toBe(true);
    await mod.v1.admin.accounts.$select(sid.account.id).unsilence();
    expect(await publicIds()).toContain(postId);
  });
});

describe("reports", () => {
  it("lists, assigns, reclassifies, resolves and reopens", async () => {
    const reporter = await t.user("ria");
    const target = await t.user("tom");
    const statusId = await postAs(target.token, "rude words");
    const filed = await post("/api/v1/reports", reporter.token, {
      account_id: target.account.id,
      status_ids: [statusId],
      comment: "rude",
    });
    expect(filed.status).toBe(200);
    const { id } = (await filed.json()) as { id: string };

    const open = await mod.v1.admin.reports.list();
    const report = open.find((r) => r.id === id)!;
    expect(report).toMatchObject({
      actionTaken: false,
      comment: "rude",
      account: { username: "ria" },
      targetAccount: { username: "tom" },
    });
    expect(report.statuses.map((s) => s.id)).toEqual([statusId]);

    const mine = await mod.v1.admin.reports.$select(id).assignToSelf();
    expect(mine.assignedAccount?.username).toBe("mia");
    const put = await t.request(`/api/v1/admin/reports/${id}`, {
      method: "PUT",
      token: modToken,
      json: { category: "spam" },
    });
    expect(((await put.json()) as { category: string }).category).toBe("spam");
    const done = await mod.v1.admin.reports.$select(id).resolve();
    expect(done.actionTaken).toBe(true);
    expect(done.actionTakenByAccount.username).toBe("mia");
    expect((await mod.v1.admin.reports.list()).map((r) => r.id)).not.toContain(id);
    expect((await mod.v1.admin.reports.list({ resolved: true })).map((r) => r.id)).toContain(id);
    const again = await mod.v1.admin.reports.$select(id).reopen();
    expect(again.actionTaken).toBe(false);
    const free = await mod.v1.admin.reports.$select(id).unassign();
    expect(free.assignedAccount).toBeNull();
  });
});

describe("the CLI", () => {
  it("tern account list, approve, suspend and unsuspend", async () => {
    const cy = await t.user("cy");
    await t.database.db
      .update(localUsers)
      .set({ approved: false })
      .where(eq(localUsers.accountId, cy.account.id));
    const cli = (...argv: string[]) =>
      runModerationCommand(t.database.db, t.config, parseModerationCommand(["account", ...argv]));
    expect(await cli("list", "--pending")).toContain("@cy\tpending");
    expect(await cli("approve", "@cy")).toBe("@cy is approved");
    expect(await cli("suspend", `cy@${t.config.host}`)).toBe("@cy is suspended");
    expect((await get("/api/v1/accounts/verify_credentials", cy.token)).status).toBe(401);
    expect(await cli("list", "--suspended")).toContain("@cy\tsuspended");
    expect(await cli("unsuspend", "cy")).toBe("@cy is no longer suspended");
    expect(() => parseModerationCommand(["account", "list", "--all"])).toThrow(/not an option/);
  });
});
