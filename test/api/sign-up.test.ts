/**
 * `POST /api/v1/accounts` through masto.js, as a Mastodon app signs someone up: an app token from
 * client_credentials, the Token entity back; closed, open, approval and invite-only servers;
 * Mastodon's validation details; staff told with `admin.sign_up`.
 */
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { eq } from "drizzle-orm";
import { createOAuthAPIClient, createRestAPIClient, type mastodon } from "masto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSignupCommand } from "../../src/cli/signup-commands.ts";
import { localUsers } from "../../src/db/schema/index.ts";
import { setRegistrationMode } from "../../src/services/accounts/registrations.ts";
import { setRole } from "../../src/services/accounts/roles.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;
let server: ServerType;
let url: string;
let appToken: string;
let boss: { account: { id: string }; token: string };

const signUp = (params: Record<string, unknown>) =>
  createRestAPIClient({ url, accessToken: appToken }).v1.accounts.create({
    email: "",
    password: "a long enough password",
    agreement: true,
    locale: "en",
    ...params,
  } as mastodon.rest.v1.CreateAccountParams);

const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (err: { statusCode?: number }) => err.statusCode,
  );

beforeAll(async () => {
  t = await startTestTern();
  boss = await t.user("boss");
  await setRole(t.database.db, "boss", "admin");
  server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rest = createRestAPIClient({ url });
  const app = await rest.v1.apps.create({
    clientName: "Sign-up app",
    redirectUris: "urn:ietf:wg:oauth:2.0:oob",
    scopes: "read write",
  });
  const token = await createOAuthAPIClient({ url }).token.create({
    grantType: "client_credentials",
    clientId: app.clientId!,
    clientSecret: app.clientSecret!,
    redirectUri: "urn:ietf:wg:oauth:2.0:oob",
    scope: "read write",
  });
  appToken = token.accessToken;
}, 60_000);
afterAll(async () => {
  server?.close();
  await t?.close();
});

describe("POST /api/v1/accounts", () => {
  it("is refused while registrations are closed (the default)", async () => {
    expect(await statusOf(signUp({ username: "early" }))).toBe(403);
  });

  it("signs up on an open server: a working user token, and the admin is told", async () => {
    // As an admin would, with the CLI.
    const said = await parseSignupCommand(["registrations", "open"])(
      t.database.db,
      t.config,
      process.cwd(),
    );
    expect(said).toBe("Registrations are now open");
    const token = await signUp({ username: "bob" });
    expect(token).toMatchObject({ tokenType: "Bearer", scope: "read write" });
    const bob = createRestAPIClient({ url, accessToken: token.accessToken });
    expect((await bob.v1.accounts.verifyCredentials()).username).toBe("bob");
    const admin = createRestAPIClient({ url, accessToken: boss.token });
    const told = await eventually(async () =>
      (await admin.v1.notifications.list({ types: ["admin.sign_up"] })).find(
        (n) => n.account.username === "bob",
      ),
    );
    expect(told.type).toBe("admin.sign_up");
  });

  it("answers bad fields with Mastodon's error details, and needs an app token with write", async () => {
    const res = await t.request("/api/v1/accounts", {
      method: "POST",
      token: appToken,
      json: { username: "bob", password: "short", agreement: false, locale: "en" },
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toMatch(/^Validation failed: Username has already been taken/);
    expect(body.details).toEqual({
      username: [{ error: "ERR_TAKEN", description: "has already been taken" }],
      password: [{ error: "ERR_TOO_SHORT", description: "is too short (minimum is 8 characters)" }],
      agreement: [{ error: "ERR_ACCEPTED", description: "must be accepted" }],
    });
    const reserved = await t.request("/api/v1/accounts", {
      method: "POST",
      token: appToken,
      json: { username: "Moderator", password: "long enough pass", agreement: true },
    });
    expect((await reserved.json()).details.username[0].error).toBe("ERR_RESERVED");
    const dob = await t.request("/api/v1/accounts", {
      method: "POST",
      token: appToken,
      json: {
        username: "kid",
        password: "long enough pass",
        agreement: true,
        date_of_birth: "2001-01-01",
      },
    });
    expect(dob.status).toBe(422);
    expect((await dob.json()).error).toMatch(/date_of_birth/);
    const readOnly = await t.user("reader", { scopes: "read" });
    const res2 = await t.request("/api/v1/accounts", {
      method: "POST",
      token: readOnly.token,
      json: { username: "nobody", password: "long enough pass", agreement: true },
    });
    expect(res2.status).toBe(403);
  });

  it("under approval, gives a token that may do nothing until a moderator approves", async () => {
    await setRegistrationMode(t.database.db, "approval");
    const token = await signUp({ username: "carol", reason: "I know bob" });
    const carol = createRestAPIClient({ url, accessToken: token.accessToken });
    const refused = await carol.v1.accounts.verifyCredentials().catch((e) => e);
    expect(refused.statusCode).toBe(403);
    expect(refused.message).toBe("Your login is currently pending approval");
    const [user] = await t.database.db
      .select()
      .from(localUsers)
      .where(eq(localUsers.signUpReason, "I know bob"));
    expect(user.approved).toBe(false);
    // The sign-in form says why instead of "wrong password".
    const signIn = await t.request("/auth/sign_in", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "username=carol&password=a+long+enough+password",
    });
    expect(signIn.status).toBe(403);
    expect(await signIn.text()).toMatch(/pending approval/);
  });

  it("lets an invite in while closed, once per use, and follows the inviter", async () => {
    await setRegistrationMode(t.database.db, "closed");
    // `tern invite create` prints the link; the oldest admin (boss) is the inviter.
    const link = await parseSignupCommand(["invite", "create", "--max-uses", "1", "--autofollow"])(
      t.database.db,
      t.config,
      process.cwd(),
    );
    const code = link.replace("https://tern.test/invite/", "");
    expect(code).toMatch(/^[A-Za-z0-9_-]{12}$/);
    const token = await signUp({ username: "dave", invite_code: code });
    const dave = createRestAPIClient({ url, accessToken: token.accessToken });
    const [rel] = await dave.v1.accounts.relationships.fetch({ id: [boss.account.id] });
    expect(rel.following).toBe(true);
    expect(await statusOf(signUp({ username: "erin", invite_code: code }))).toBe(403);
  });
});
