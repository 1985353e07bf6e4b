/**
 * The signed-in settings pages through app.request: a password change signs other browsers out
 * and revokes app tokens; sessions and tokens are listed and revocable one by one; invites are
 * made with the session's CSRF token. And the setup page of an empty server, which refuses
 * another site's form and lets only one of two racing browsers make the first admin.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFirstAdmin } from "../../src/services/accounts/setup.ts";
import { createApp } from "../../src/services/oauth/apps.ts";
import { createAccessToken } from "../../src/services/oauth/tokens.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

const PASSWORD = "correct horse battery staple";
const form = { "content-type": "application/x-www-form-urlencoded" };

let t: TestTern;
let token: string;
let alice: { id: string };
// One server for the file: empty at first (the setup test), then alice's.
beforeAll(async () => {
  t = await startTestTern();
});
afterAll(() => t?.close());

async function signIn(password = PASSWORD): Promise<string> {
  const res = await t.request("/auth/sign_in", {
    method: "POST",
    headers: form,
    body: new URLSearchParams({ username: "alice", password, next: "/" }).toString(),
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  return (res.headers.get("set-cookie") ?? "").split(";")[0];
}

async function page(cookie: string, path: string) {
  const res = await t.request(path, { headers: { cookie }, redirect: "manual" });
  const html = res.status === 200 ? await res.text() : "";
  return { status: res.status, html, csrf: /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] };
}

const post = (cookie: string, path: string, fields: Record<string, string>) =>
  t.request(path, {
    method: "POST",
    headers: { ...form, cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });

describe("setup of an empty server", () => {
  it("sends / to /setup, refuses another site's form, and lets one of two racers win", async () => {
    const home = await t.request("/", { redirect: "manual" });
    expect(home.headers.get("location")).toBe("/setup");
    const setup = await t.request("/setup");
    expect(setup.status).toBe(200);
    const cookie = (setup.headers.get("set-cookie") ?? "").split(";")[0];
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(await setup.text())![1];
    const fields = {
      username: "owner",
      password: PASSWORD,
      password_confirmation: PASSWORD,
      csrf_token: csrf,
    };
    const crossSite = await t.request("/setup", {
      method: "POST",
      headers: { ...form, cookie, origin: "https://evil.test" },
      body: new URLSearchParams(fields).toString(),
    });
    expect(crossSite.status).toBe(403);
    const noCookie = await t.request("/setup", {
      method: "POST",
      headers: form,
      body: new URLSearchParams(fields).toString(),
    });
    expect(noCookie.status).toBe(403);
    const db = t.database.db;
    const race = await Promise.allSettled([
      createFirstAdmin(db, t.config.publicUrl, { username: "first", password: PASSWORD }),
      createFirstAdmin(db, t.config.publicUrl, { username: "second", password: PASSWORD }),
    ]);
    expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await t.request("/setup")).status).toBe(404);
    expect((await t.request("/", { redirect: "manual" })).status).toBe(200);
  });
});

describe("settings", () => {
  beforeAll(async () => {
    const made = await t.user("alice");
    token = made.token;
    alice = made.account;
  });

  it("changes the password: other browsers signed out, app tokens revoked, this one kept", async () => {
    const [here, elsewhere] = [await signIn(), await signIn()];
    const { csrf } = await page(here, "/settings/password");
    const fields = {
      current_password: "wrong",
      password: "a new password",
      password_confirmation: "a new password",
    };
    expect((await post(here, "/settings/password", { ...fields, csrf_token: csrf! })).status).toBe(
      403,
    );
    expect(
      (await post(here, "/settings/password", { ...fields, current_password: PASSWORD })).status,
    ).toBe(403);
    const done = await post(here, "/settings/password", {
      ...fields,
      current_password: PASSWORD,
      csrf_token: csrf!,
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toMatch(/Your password was changed.*1 app token revoked/);
    expect((await page(elsewhere, "/settings/sessions")).status).toBe(302);
    expect((await page(here, "/settings/sessions")).status).toBe(200);
    const api = await t.request("/api/v1/accounts/verify_credentials", { token });
    expect(api.status).toBe(401);
    expect(await signIn("a new password")).toMatch(/tern_session=/);
  });

  it("lists browsers and apps and revokes them one at a time", async () => {
    const here = await signIn("a new password");
    const other = await signIn("a new password");
    const { app } = await createApp(t.database.db, {
      name: "Phanpy",
      redirectUris: "urn:ietf:wg:oauth:2.0:oob",
      scopes: "read",
    });
    const issued = await createAccessToken(t.database.db, {
      appId: app.id,
      accountId: alice.id,
      scopes: ["read"],
    });
    const { html, csrf } = await page(here, "/settings/sessions");
    expect(html).toMatch(/\(this browser\)/);
    expect(html).toMatch(/<td>Phanpy<\/td>/);
    const tokenId = /\/settings\/tokens\/(\d+)\/revoke/.exec(html)![1];
    expect(
      (await post(here, `/settings/tokens/${tokenId}/revoke`, { csrf_token: "forged" })).status,
    ).toBe(403);
    expect(
      (await post(here, `/settings/tokens/${tokenId}/revoke`, { csrf_token: csrf! })).status,
    ).toBe(302);
    const api = await t.request("/api/v1/accounts/verify_credentials", { token: issued.token });
    expect(api.status).toBe(401);
    // Every browser but this one: a "Revoke" button ("Sign out" is this browser's).
    const buttons = [
      ...html.matchAll(
        /action="\/settings\/sessions\/(\d+)\/revoke" style="display:inline"><input[^>]*><button type="submit">(Revoke|Sign out)</g,
      ),
    ];
    expect(buttons.map((m) => m[2]).filter((b) => b === "Sign out")).toHaveLength(1);
    for (const [, id, label] of buttons)
      if (label === "Revoke")
        expect(
          (await post(here, `/settings/sessions/${id}/revoke`, { csrf_token: csrf! })).status,
        ).toBe(302);
    expect((await page(other, "/settings/sessions")).status).toBe(302);
    expect((await page(here, "/settings/sessions")).status).toBe(200);
  });

  it("makes and revokes invite links with the session's CSRF token", async () => {
    const here = await signIn("a new password");
    const { csrf } = await page(here, "/settings/invites");
    expect((await post(here, "/settings/invites", { max_uses: "5" })).status).toBe(403);
    const made = await post(here, "/settings/invites", {
      max_uses: "5",
      expires_days: "7",
      csrf_token: csrf!,
    });
    const link = /https:\/\/tern\.test\/invite\/([A-Za-z0-9_-]+)/.exec(await made.text())?.[1];
    expect(link).toBeDefined();
    expect(
      (await t.request(`/invite/${link}`, { redirect: "manual" })).headers.get("location"),
    ).toBe(`/auth/sign_up?invite=${link}`);
    const { html } = await page(here, "/settings/invites");
    const id = /\/settings\/invites\/(\d+)\/revoke/.exec(html)![1];
    expect((await post(here, `/settings/invites/${id}/revoke`, { csrf_token: csrf! })).status).toBe(
      302,
    );
    expect((await t.request(`/invite/${link}`, { redirect: "manual" })).status).toBe(404);
  });
});
