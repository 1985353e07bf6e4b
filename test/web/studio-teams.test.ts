/**
 * The studio's accounts and team pages through app.request: a login creates a brand account it
 * owns, adds an editor and an analyst by username, each switches to it (the analyst to
 * analytics), the editor's studio posts land in the team log with the editor's name; an analyst
 * gets a 403 on every manage action, a stranger on the page and the switch; a removed member
 * loses its acting account and its tokens at once; ownership moves; the log pages by keyset;
 * every form refuses a missing CSRF token.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokens } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { recordAudit } from "../../src/services/teams/audit.ts";
import { listMembers } from "../../src/services/teams/members.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { webSignIn } from "../helpers/web-session.ts";

const form = { "content-type": "application/x-www-form-urlencoded" };
let t: TestTern;
let brandId: string;
const who: Record<string, { id: string; cookie: string; csrf: string }> = {};

async function signIn(username: string) {
  const { account } = await t.user(username);
  const cookie = await webSignIn(t, username, "/studio/accounts");
  const page = await get("/studio/accounts", cookie);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1];
  who[username] = { id: account.id, cookie, csrf };
}

const get = (path: string, cookie: string) => t.request(path, { headers: { cookie } });
/** A form POST as `as`, with its CSRF token unless `fields` says otherwise. */
const post = (as: string, path: string, fields: Record<string, string> = {}) =>
  t.request(path, {
    method: "POST",
    headers: { ...form, cookie: who[as].cookie },
    body: new URLSearchParams({ csrf_token: who[as].csrf, ...fields }).toString(),
    redirect: "manual",
  });
const acting = async (as: string) =>
  /data-acting>Acting as <strong>@(\w+)/.exec(
    await (await get("/studio/accounts", who[as].cookie)).text(),
  )?.[1];
const team = () => `/studio/accounts/${brandId}`;
const roles = async () =>
  (await listMembers(t.database.db, brandId)).map((m) => `${m.account.username}:${m.role}`);

/** A token for the brand as the OAuth flow writes it when `member` chose the brand. */
async function memberToken(member: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await t.database.db.insert(accessTokens).values({
    id: newId(),
    tokenHash: createHash("sha256").update(token).digest("hex"),
    accountId: brandId,
    grantedByAccountId: who[member].id,
    scopes: "read write",
  });
  return token;
}

beforeAll(async () => {
  t = await startTestTern();
  for (const name of ["alice", "bob", "carol", "dave"]) await signIn(name);
}, 60_000);
afterAll(() => t?.close());

describe("studio accounts and teams", () => {
  it("refuses every form without the CSRF token, changing nothing", async () => {
    for (const path of ["/studio/accounts", "/studio/switch"]) {
      const res = await post("alice", path, { csrf_token: "", username: "nope", account_id: "1" });
      expect(res.status, path).toBe(403);
    }
    expect(await (await get("/studio/accounts", who.alice.cookie)).text()).not.toContain("@nope");
  });

  it("creates a brand account the login owns, listed with its role", async () => {
    const made = await post("alice", "/studio/accounts", {
      username: "brand",
      display_name: "The Brand",
    });
    expect(made.status).toBe(303);
    brandId = /\/studio\/accounts\/(\d+)$/.exec(made.headers.get("location")!)![1];
    const list = await (await get("/studio/accounts", who.alice.cookie)).text();
    expect(list).toMatch(/data-account="alice" aria-current="true"/);
    expect(list).toMatch(/data-account="brand"><td>@brand \(The Brand\)<\/td>\s*<td>owner/);
    const page = await (await get(team(), who.alice.cookie)).text();
    expect(page).toContain('data-member="alice"');
    expect(page).toContain("created the account");
    // A taken name is a 422 on the page, nothing made.
    const again = await post("alice", "/studio/accounts", { username: "bob" });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain("already taken");
  });

  it("lets the owner add members by username, and refuses unknown and doubled ones", async () => {
    expect(
      (await post("alice", `${team()}/members`, { username: "bob", role: "editor" })).status,
    ).toBe(303);
    expect(
      (await post("alice", `${team()}/members`, { username: "@carol", role: "analyst" })).status,
    ).toBe(303);
    const ghost = await post("alice", `${team()}/members`, { username: "ghost", role: "editor" });
    expect(ghost.status).toBe(404);
    expect(await ghost.text()).toContain("No local account &quot;ghost&quot;");
    expect(
      (await post("alice", `${team()}/members`, { username: "bob", role: "owner" })).status,
    ).toBe(422);
    expect(
      (await post("alice", `${team()}/members`, { username: "dave", role: "boss" })).status,
    ).toBe(422);
    const noCsrf = await post("alice", `${team()}/members`, {
      csrf_token: "x",
      username: "dave",
      role: "owner",
    });
    expect(noCsrf.status).toBe(403);
    expect(await roles()).toEqual(["alice:owner", "bob:editor", "carol:analyst"]);
  });

  it("switches an editor to the brand, whose studio posts the team log names", async () => {
    const sw = await post("bob", "/studio/switch", { account_id: brandId });
    expect(sw.status).toBe(303);
    expect(sw.headers.get("location")).toBe("/studio");
    expect(await acting("bob")).toBe("brand");
    const posted = await post("bob", "/studio", { action: "post", status: "From the brand" });
    expect(await posted.text()).toContain("Posted:");
    const at = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16);
    const sched = await post("bob", "/studio", {
      action: "schedule",
      status: "Later",
      scheduled_at: at,
    });
    expect(await sched.text()).toContain("Scheduled for");
    const log = await (await get(team(), who.alice.cookie)).text();
    expect(log).toMatch(
      /<td>@bob<\/td><td>posted<\/td><td><a href="\/studio\/analytics\/statuses\/\d+">/,
    );
    expect(log).toMatch(/<td>@bob<\/td><td>scheduled a post<\/td>/);
    expect(log).toMatch(/<td>@alice<\/td><td>added @bob as editor<\/td>/);
    // An editor sees the team read-only, and switching to itself clears the acting account.
    const bobs = await (await get(team(), who.bob.cookie)).text();
    expect(bobs).not.toContain("Add member");
    expect(bobs).toContain("Leave this team");
    await post("bob", "/studio/switch", { account_id: who.bob.id });
    expect(await acting("bob")).toBe("bob");
  });

  it("gives an analyst analytics and the team page read-only, and a 403 on every change", async () => {
    const sw = await post("carol", "/studio/switch", { account_id: brandId });
    expect(sw.headers.get("location")).toBe("/studio/analytics");
    expect((await get("/studio/analytics", who.carol.cookie)).status).toBe(200);
    const page = await get(team(), who.carol.cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain("Add member");
    expect(html).not.toContain("Change role");
    for (const [path, fields] of [
      ["members", { username: "dave", role: "owner" }],
      ["role", { username: "carol", role: "owner" }],
      ["remove", { username: "bob" }],
      ["transfer", { username: "carol" }],
    ] as const) {
      const res = await post("carol", `${team()}/${path}`, fields);
      expect(res.status, path).toBe(403);
    }
    expect(await roles()).toEqual(["alice:owner", "bob:editor", "carol:analyst"]);
  });

  it("refuses a stranger the switch and the team page, and unknown accounts are 404", async () => {
    const sw = await post("dave", "/studio/switch", { account_id: brandId });
    expect(sw.status).toBe(403);
    expect(await acting("dave")).toBe("dave");
    expect((await get(team(), who.dave.cookie)).status).toBe(403);
    for (const path of ["members", "remove", "leave"])
      expect(
        (await post("dave", `${team()}/${path}`, { username: "bob", role: "editor" })).status,
        path,
      ).toBe(403);
    expect((await post("dave", "/studio/switch", { account_id: "123" })).status).toBe(404);
    expect((await post("dave", "/studio/switch", { account_id: "x'" })).status).toBe(404);
    expect((await get("/studio/accounts/123", who.dave.cookie)).status).toBe(404);
  });

  it("takes a removed member's acting account and tokens away at once", async () => {
    await post("bob", "/studio/switch", { account_id: brandId });
    const token = await memberToken("bob");
    const before = await t.request("/api/v1/accounts/verify_credentials", { token });
    expect(((await before.json()) as { username: string }).username).toBe("brand");
    expect((await post("alice", `${team()}/remove`, { username: "bob" })).status).toBe(303);
    expect(await acting("bob")).toBe("bob");
    expect((await t.request("/api/v1/accounts/verify_credentials", { token })).status).toBe(401);
    expect((await get(team(), who.bob.cookie)).status).toBe(403);
    expect(await (await get("/studio/accounts", who.bob.cookie)).text()).not.toContain("@brand");
    expect(await (await get(team(), who.alice.cookie)).text()).toContain("removed @bob");
  });

  it("changes roles, transfers ownership, keeps one owner, and lets a member leave", async () => {
    expect(
      (await post("alice", `${team()}/role`, { username: "carol", role: "editor" })).status,
    ).toBe(303);
    const last = await post("alice", `${team()}/leave`);
    expect(last.status).toBe(422);
    expect(await last.text()).toContain("at least one owner");
    expect((await post("alice", `${team()}/transfer`, { username: "carol" })).status).toBe(303);
    expect(await roles()).toEqual(["alice:editor", "carol:owner"]);
    // Alice is an editor now: no more managing.
    expect(
      (await post("alice", `${team()}/members`, { username: "dave", role: "analyst" })).status,
    ).toBe(403);
    await post("alice", "/studio/switch", { account_id: brandId });
    const left = await post("alice", `${team()}/leave`);
    expect(left.headers.get("location")).toBe("/studio/accounts");
    expect(await acting("alice")).toBe("alice");
    expect(await roles()).toEqual(["carol:owner"]);
    const log = await (await get(team(), who.carol.cookie)).text();
    expect(log).toContain("changed @carol from analyst to editor");
    expect(log).toContain("made @carol an owner");
    expect(log).toMatch(/<td>@alice<\/td><td>left the team<\/td>/);
  });

  it("pages the team log by keyset, newest first", async () => {
    for (let i = 0; i < 55; i++)
      await recordAudit(t.database.db, {
        accountId: brandId,
        actorAccountId: who.carol.id,
        action: "draft.delete",
      });
    const first = await (await get(team(), who.carol.cookie)).text();
    expect(first.match(/data-audit=/g)).toHaveLength(50);
    expect(first).not.toContain("created the account");
    const older = /href="([^"]+max_id=\d+)#log">Older/.exec(first)![1];
    const second = await (await get(older.replaceAll("&amp;", "&"), who.carol.cookie)).text();
    expect(second).toContain("created the account");
    expect(second).not.toMatch(/>Older</);
  });
});
