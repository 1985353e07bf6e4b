import { createHash, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiEnv } from "../src/api/mastodon/env.ts";
import { authenticate, currentAccount, requireScope } from "../src/api/mastodon/middleware/auth.ts";
import { appsRouter } from "../src/api/mastodon/v1/apps.ts";
import { loadConfig } from "../src/config/index.ts";
import type { Database } from "../src/db/client.ts";
import { authorizationCodes } from "../src/db/schema/index.ts";
import type { AppDeps } from "../src/deps.ts";
import { AppError } from "../src/lib/errors.ts";
import { oauthRoutes } from "../src/oauth/routes.ts";
import { createLocalAccount } from "../src/services/accounts/accounts.ts";
import { hasScope, isScopeSubset, parseScopes } from "../src/services/oauth/scopes.ts";
import { openTestDatabase } from "./helpers/db.ts";
import { startTestTern } from "./helpers/tern.ts";

const PUBLIC_URL = "https://tern.test";
const REDIRECT = "https://client.example/callback";
const OOB = "urn:ietf:wg:oauth:2.0:oob";
const CSRF_COOKIE = "__Host-tern_oauth_csrf";

let database: Database;
let app: Hono;

/**
 * The OAuth routes and the apps router mounted as app.ts does, with its error handling, plus
 * three tiny routes guarded by requireScope. (createApp also needs Fedify, which this file
 * does not exercise.)
 */
function buildApp(deps: AppDeps): Hono {
  const root = new Hono();
  root.onError((err, c) => {
    if (err instanceof AppError) return c.json({ error: err.message }, err.status as 400);
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status);
    console.error(err);
    return c.json({ error: "Internal server error" }, 500);
  });
  const api = new Hono<ApiEnv>();
  api.use("*", authenticate(deps));
  api.route("/v1/apps", appsRouter(deps));
  api.get("/test/read", requireScope("read:statuses"), (c) =>
    c.json({ username: currentAccount(c).username }),
  );
  api.post("/test/write", requireScope("write:statuses"), (c) => c.json({ ok: true }));
  api.get("/test/app", requireScope("read", { user: false }), (c) => c.json({ ok: true }));
  root.route("/api", api);
  root.route("/", oauthRoutes(deps));
  return root;
}

beforeAll(async () => {
  database = await openTestDatabase();
  const config = loadConfig({ PUBLIC_URL, DATA_DIR: "memory://" });
  app = buildApp({ config, db: database.db, federation: undefined as never });
  await createLocalAccount(database.db, PUBLIC_URL, {
    username: "alice",
    password: "correct horse",
  });
  await createLocalAccount(database.db, PUBLIC_URL, {
    username: "bob",
    password: "battery staple",
  });
});

afterAll(async () => {
  await database?.close();
});

interface RegisteredApp {
  id: string;
  client_id: string;
  client_secret: string;
  scopes: string[];
  redirect_uris: string[];
}

async function registerApp(body: Record<string, unknown> = {}): Promise<RegisteredApp> {
  const res = await app.request("/api/v1/apps", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Test Client",
      redirect_uris: `${REDIRECT}\n${OOB}`,
      scopes: "read write follow",
      ...body,
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as RegisteredApp;
}

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

function authorizeQuery(client: RegisteredApp, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: "read write",
    state: "xyz<&>",
    ...extra,
  });
  return `/oauth/authorize?${q}`;
}

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** Opens the authorize page like a browser: the HTML, its hidden fields, and the CSRF cookie. */
async function openForm(path: string) {
  const res = await app.request(path);
  const html = await res.text();
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    hidden[decodeEntities(m[1])] = decodeEntities(m[2]);
  }
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0];
  return { res, html, hidden, cookie, setCookie };
}

/** Submits the form with credentials, as the browser would (same-origin, with the cookie). */
function submitForm(
  form: { hidden: Record<string, string>; cookie: string },
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return app.request("/oauth/authorize", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: form.cookie,
      origin: PUBLIC_URL,
      ...headers,
    },
    body: new URLSearchParams({ ...form.hidden, ...fields }).toString(),
  });
}

/** Logs alice in and returns the code from the redirect. */
async function getCode(client: RegisteredApp, extra: Record<string, string> = {}) {
  const form = await openForm(authorizeQuery(client, extra));
  expect(form.res.status).toBe(200);
  const res = await submitForm(form, { username: "alice", password: "correct horse" });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  return location.searchParams.get("code")!;
}

function tokenRequest(body: Record<string, string>, headers: Record<string, string> = {}) {
  return app.request("/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function exchange(client: RegisteredApp, code: string, verifier?: string) {
  return tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
    client_id: client.client_id,
    client_secret: client.client_secret,
    ...(verifier ? { code_verifier: verifier } : {}),
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the authorization code flow, as a Mastodon client runs it", () => {
  it("registers, logs in, exchanges with PKCE, calls the API, and revokes", async () => {
    const client = await registerApp({ website: "https://client.example" });
    expect(client.client_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.scopes).toEqual(["read", "write", "follow"]);
    expect(client.redirect_uris).toEqual([REDIRECT, OOB]);
    expect(client).toMatchObject({
      client_secret_expires_at: 0,
      vapid_key: "",
      name: "Test Client",
    });

    const { verifier, challenge } = pkce();
    const form = await openForm(
      authorizeQuery(client, { code_challenge: challenge, code_challenge_method: "S256" }),
    );
    expect(form.res.status).toBe(200);
    expect(form.res.headers.get("content-type")).toContain("text/html");
    expect(form.res.headers.get("x-frame-options")).toBe("DENY");
    expect(form.html).toContain('<form method="post" action="/oauth/authorize"');
    expect(form.html).toContain('name="username"');
    expect(form.html).toContain('type="password"');
    expect(form.html).toContain("Test Client");
    expect(form.html).toContain("xyz&lt;&amp;&gt;"); // the state, escaped
    expect(form.hidden).toMatchObject({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: "read write",
      state: "xyz<&>",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    expect(form.setCookie).toMatch(/HttpOnly/i);
    expect(form.setCookie).toMatch(/SameSite=Strict/i);
    expect(form.setCookie).toMatch(/Secure/i);
    expect(form.cookie).toBe(`${CSRF_COOKIE}=${form.hidden.csrf_token}`);

    const res = await submitForm(form, { username: "alice", password: "correct horse" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get("state")).toBe("xyz<&>");
    const code = location.searchParams.get("code")!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const tokenRes = await exchange(client, code, verifier);
    expect(tokenRes.status).toBe(200);
    expect(tokenRes.headers.get("cache-control")).toBe("no-store");
    const token = (await tokenRes.json()) as Record<string, unknown>;
    expect(token).toMatchObject({ token_type: "Bearer", scope: "read write" });
    expect(typeof token.access_token).toBe("string");
    expect(Math.abs((token.created_at as number) - Date.now() / 1000)).toBeLessThan(60);
    const accessToken = token.access_token as string;

    const me = await app.request("/api/test/read", { headers: bearer(accessToken) });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ username: "alice" });

    const verify = await app.request("/api/v1/apps/verify_credentials", {
      headers: bearer(accessToken),
    });
    expect(verify.status).toBe(200);
    const verified = (await verify.json()) as Record<string, unknown>;
    expect(verified).toMatchObject({
      id: client.id,
      name: "Test Client",
      website: "https://client.example",
    });
    expect(verified).not.toHaveProperty("client_secret");

    const revoke = await app.request("/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        token: accessToken,
        client_id: client.client_id,
        client_secret: client.client_secret,
      }).toString(),
    });
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toEqual({});

    const after = await app.request("/api/test/read", { headers: bearer(accessToken) });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: "The access token is invalid" });
    expect(after.headers.get("www-authenticate")).toContain("invalid_token");
  });

  it("re-renders the form with 401 on a wrong password", async () => {
    const client = await registerApp();
    const form = await openForm(authorizeQuery(client));
    const res = await submitForm(form, { username: "alice", password: "wrong password" });
    expect(res.status).toBe(401);
    expect(res.headers.get("location")).toBeNull();
    const html = await res.text();
    expect(html).toContain("Wrong username or password");
    expect(html).toContain('value="alice"');
    expect(html).toContain('<form method="post"');
    // The handle works as a username too.
    const handle = await submitForm(form, {
      username: "@alice@tern.test",
      password: "correct horse",
    });
    expect(handle.status).toBe(302);
    // Unknown user and empty password: the same answer, never a 500.
    expect((await submitForm(form, { username: "nobody", password: "x" })).status).toBe(401);
    expect((await submitForm(form, { username: "alice", password: "" })).status).toBe(401);
  });

  it("refuses a form posted without the CSRF cookie or from another origin", async () => {
    const client = await registerApp();
    const form = await openForm(authorizeQuery(client));
    const creds = { username: "alice", password: "correct horse" };
    const noCookie = await submitForm({ ...form, cookie: "" }, creds);
    expect(noCookie.status).toBe(403);
    expect(noCookie.headers.get("location")).toBeNull();
    const otherOrigin = await submitForm(form, creds, { origin: "https://evil.example" });
    expect(otherOrigin.status).toBe(403);
    const wrongToken = await submitForm(form, { ...creds, csrf_token: "A".repeat(43) });
    expect(wrongToken.status).toBe(403);
  });

  it("answers invalid_grant to a wrong PKCE verifier, and burns the code", async () => {
    const client = await registerApp();
    const { verifier, challenge } = pkce();
    const code = await getCode(client, {
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const wrong = await exchange(client, code, pkce().verifier);
    expect(wrong.status).toBe(400);
    const body = (await wrong.json()) as Record<string, string>;
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toBeTruthy();
    expect((await exchange(client, code, verifier)).status).toBe(400);
  });

  it("requires the verifier when a challenge was given, and accepts plain PKCE", async () => {
    const client = await registerApp();
    const { verifier, challenge } = pkce();
    const code = await getCode(client, {
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    expect((await exchange(client, code)).status).toBe(400);

    const plain = randomBytes(40).toString("base64url");
    const code2 = await getCode(client, { code_challenge: plain });
    expect((await exchange(client, code2, plain)).status).toBe(200);
    expect(verifier).not.toBe(plain);
  });

  it("lets a code be used once", async () => {
    const client = await registerApp();
    const code = await getCode(client);
    expect((await exchange(client, code)).status).toBe(200);
    const again = await exchange(client, code);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("refuses an expired code", async () => {
    const client = await registerApp();
    const code = await getCode(client);
    await database.db
      .update(authorizationCodes)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(authorizationCodes.appId, client.id));
    expect((await exchange(client, code)).status).toBe(400);
  });

  it("does not redirect to an unregistered redirect_uri, and checks it at the token endpoint", async () => {
    const client = await registerApp();
    const res = await app.request(
      authorizeQuery(client, { redirect_uri: "https://evil.example/cb" }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("redirect_uri");

    const unknownClient = await app.request(authorizeQuery({ ...client, client_id: "nope" }));
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.headers.get("location")).toBeNull();

    const code = await getCode(client);
    const mismatch = await tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: OOB,
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("shows the code on a page for the out-of-band redirect", async () => {
    const client = await registerApp();
    const form = await openForm(authorizeQuery(client, { redirect_uri: OOB }));
    const res = await submitForm(form, { username: "alice", password: "correct horse" });
    expect(res.status).toBe(200);
    const html = await res.text();
    const code = /<code id="code">([^<]+)<\/code>/.exec(html)?.[1];
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const tokenRes = await tokenRequest({
      grant_type: "authorization_code",
      code: code!,
      redirect_uri: OOB,
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(tokenRes.status).toBe(200);
  });

  it("sends access_denied back when the user denies", async () => {
    const client = await registerApp();
    const form = await openForm(authorizeQuery(client));
    const res = await submitForm(form, { decision: "deny" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("redirects scope errors back to the client", async () => {
    const client = await registerApp({ scopes: "read" });
    for (const scope of ["read bogus", "read write"]) {
      const res = await app.request(authorizeQuery(client, { scope }));
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get("location")!);
      expect(location.searchParams.get("error")).toBe("invalid_scope");
      expect(location.searchParams.get("state")).toBe("xyz<&>");
    }
    const badType = await app.request(authorizeQuery(client, { response_type: "token" }));
    expect(new URL(badType.headers.get("location")!).searchParams.get("error")).toBe(
      "unsupported_response_type",
    );
  });

  it("escapes the app name in the page", async () => {
    const client = await registerApp({ client_name: '<script>alert("x")</script>' });
    const form = await openForm(authorizeQuery(client));
    expect(form.html).not.toContain("<script>");
    expect(form.html).toContain("&lt;script&gt;");
  });

  it("lets a public client exchange with PKCE and no secret, but not without PKCE", async () => {
    const client = await registerApp();
    const { verifier, challenge } = pkce();
    const code = await getCode(client, {
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const base = {
      grant_type: "authorization_code",
      redirect_uri: REDIRECT,
      client_id: client.client_id,
    };
    const ok = await tokenRequest({ ...base, code, code_verifier: verifier });
    expect(ok.status).toBe(200);
    const code2 = await getCode(client);
    const refused = await tokenRequest({ ...base, code: code2 });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe("invalid_client");
  });
});

describe("tokens and scopes", () => {
  it("gives client_credentials tokens no user: 422 on user routes", async () => {
    const client = await registerApp();
    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64");
    const res = await app.request("/oauth/token", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${basic}`,
      },
      body: "grant_type=client_credentials&scope=read",
    });
    expect(res.status).toBe(200);
    const { access_token, scope } = (await res.json()) as { access_token: string; scope: string };
    expect(scope).toBe("read");
    const userRoute = await app.request("/api/test/read", { headers: bearer(access_token) });
    expect(userRoute.status).toBe(422);
    expect(await userRoute.json()).toEqual({ error: "This method requires an authenticated user" });
    expect((await app.request("/api/test/app", { headers: bearer(access_token) })).status).toBe(
      200,
    );
    const verify = await app.request("/api/v1/apps/verify_credentials", {
      headers: bearer(access_token),
    });
    expect(verify.status).toBe(200);
  });

  it("answers 403 when the token lacks the scope, 401 without a token", async () => {
    const client = await registerApp();
    const code = await getCode(client, { scope: "read" });
    const { access_token } = (await (await exchange(client, code)).json()) as {
      access_token: string;
    };
    const write = await app.request("/api/test/write", {
      method: "POST",
      headers: bearer(access_token),
    });
    expect(write.status).toBe(403);
    expect(await write.json()).toEqual({ error: "This action is outside the authorized scopes" });
    expect((await app.request("/api/test/read", { headers: bearer(access_token) })).status).toBe(
      200,
    );
    const anonymous = await app.request("/api/test/read");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: "The access token is invalid" });
    const bogus = await app.request("/api/test/app", { headers: bearer("not-a-token") });
    expect(bogus.status).toBe(401);
  });

  it("refuses to revoke another app's token with 403", async () => {
    const owner = await registerApp();
    const other = await registerApp();
    const code = await getCode(owner);
    const { access_token } = (await (await exchange(owner, code)).json()) as {
      access_token: string;
    };
    const res = await app.request("/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        token: access_token,
        client_id: other.client_id,
        client_secret: other.client_secret,
      }),
    });
    expect(res.status).toBe(403);
    expect((await app.request("/api/test/read", { headers: bearer(access_token) })).status).toBe(
      200,
    );
    const unknown = await app.request("/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        token: "unknown",
        client_id: other.client_id,
        client_secret: other.client_secret,
      }),
    });
    expect(unknown.status).toBe(200);
  });

  it("answers RFC 6749 errors at the token endpoint", async () => {
    const client = await registerApp();
    const wrongSecret = await tokenRequest({
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: "wrong",
    });
    expect(wrongSecret.status).toBe(401);
    expect(((await wrongSecret.json()) as { error: string }).error).toBe("invalid_client");

    const badBasic = await tokenRequest(
      { grant_type: "client_credentials" },
      { authorization: `Basic ${Buffer.from(`${client.client_id}:nope`).toString("base64")}` },
    );
    expect(badBasic.status).toBe(401);
    expect(badBasic.headers.get("www-authenticate")).toContain("Basic");

    const unsupported = await tokenRequest({ grant_type: "password", client_id: client.client_id });
    expect(((await unsupported.json()) as { error: string }).error).toBe("unsupported_grant_type");

    const badScope = await tokenRequest({
      grant_type: "client_credentials",
      scope: "read bogus",
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(badScope.status).toBe(400);
    expect(((await badScope.json()) as { error: string }).error).toBe("invalid_scope");

    const malformed = await app.request("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: "invalid_request" });
  });

  it("validates app registrations", async () => {
    const post = (body: string, type = "application/json") =>
      app.request("/api/v1/apps", { method: "POST", headers: { "content-type": type }, body });
    const malformed = await post("{oops");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: "Request body is not valid JSON" });

    const unknownScope = await post(
      JSON.stringify({ client_name: "x", redirect_uris: REDIRECT, scopes: "read bogus" }),
    );
    expect(unknownScope.status).toBe(400);
    expect(((await unknownScope.json()) as { error: string }).error).toContain("bogus");

    const noRedirect = await post(JSON.stringify({ client_name: "x" }));
    expect(noRedirect.status).toBe(422);
    const badRedirect = await post(
      JSON.stringify({ client_name: "x", redirect_uris: "javascript:alert(1)" }),
    );
    expect(badRedirect.status).toBe(422);

    const form = await post(
      new URLSearchParams({ client_name: "Form", "redirect_uris[]": REDIRECT }).toString(),
      "application/x-www-form-urlencoded",
    );
    expect(form.status).toBe(200);
    expect(await form.json()).toMatchObject({
      scopes: ["read"],
      redirect_uris: [REDIRECT],
      website: null,
    });
  });

  it("serves RFC 8414 metadata", async () => {
    const res = await app.request("/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: PUBLIC_URL,
      authorization_endpoint: `${PUBLIC_URL}/oauth/authorize`,
      token_endpoint: `${PUBLIC_URL}/oauth/token`,
      revocation_endpoint: `${PUBLIC_URL}/oauth/revoke`,
      app_registration_endpoint: `${PUBLIC_URL}/api/v1/apps`,
      response_types_supported: ["code"],
      grant_types_supported: ["authorization_code", "client_credentials"],
      code_challenge_methods_supported: ["S256"],
    });
    expect(meta.scopes_supported).toContain("read:statuses");
  });

  it("implies granular scopes from umbrella ones", () => {
    expect(hasScope(["read"], "read:statuses")).toBe(true);
    expect(hasScope(["read:statuses"], "read")).toBe(false);
    expect(hasScope(["follow"], "write:blocks")).toBe(true);
    expect(hasScope(["follow"], "write:statuses")).toBe(false);
    expect(hasScope(["read"], "profile")).toBe(true);
    expect(hasScope(["write"], "push")).toBe(false);
    expect(hasScope(["read"], "nonsense")).toBe(false);
    expect(isScopeSubset(["follow"], ["read", "write"])).toBe(true);
    expect(parseScopes("read+write  follow read")).toEqual(["read", "write", "follow"]);
    expect(parseScopes(undefined)).toEqual(["read"]);
    expect(() => parseScopes("read admin:nonsense")).toThrow(/Unknown scope/);
    expect(hasScope(["admin:read"], "admin:read:accounts")).toBe(true);
    expect(hasScope(["read", "write"], "admin:read:accounts")).toBe(false);
    expect(hasScope(["admin:read"], "admin:write:accounts")).toBe(false);
  });
});

describe("through the composed app (createApp, with Fedify in front)", () => {
  it("runs the whole flow against the real routes", { timeout: 60_000 }, async () => {
    const t = await startTestTern();
    try {
      await t.user("carol");
      const meta = await t.request("/.well-known/oauth-authorization-server");
      expect(meta.status).toBe(200);
      expect(((await meta.json()) as { issuer: string }).issuer).toBe(PUBLIC_URL);

      const reg = await t.request("/api/v1/apps", {
        method: "POST",
        json: { client_name: "Composed", redirect_uris: REDIRECT, scopes: "read write" },
      });
      expect(reg.status).toBe(200);
      const client = (await reg.json()) as RegisteredApp;
      const { verifier, challenge } = pkce();
      const page = await t.request(
        authorizeQuery(client, { code_challenge: challenge, code_challenge_method: "S256" }),
      );
      expect(page.status).toBe(200);
      const html = await page.text();
      const hidden = Object.fromEntries(
        [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [
          m[1],
          decodeEntities(m[2]),
        ]),
      );
      const login = await t.request("/oauth/authorize", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: (page.headers.get("set-cookie") ?? "").split(";")[0],
          origin: PUBLIC_URL,
        },
        body: new URLSearchParams({
          ...hidden,
          username: "carol",
          password: "correct horse battery staple",
        }).toString(),
      });
      expect(login.status).toBe(302);
      const code = new URL(login.headers.get("location")!).searchParams.get("code")!;
      const tokenRes = await t.request("/oauth/token", {
        method: "POST",
        json: {
          grant_type: "authorization_code",
          code,
          redirect_uri: REDIRECT,
          client_id: client.client_id,
          client_secret: client.client_secret,
          code_verifier: verifier,
        },
      });
      expect(tokenRes.status).toBe(200);
      const { access_token } = (await tokenRes.json()) as { access_token: string };

      const me = await t.request("/api/v1/accounts/verify_credentials", { token: access_token });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { username: string }).username).toBe("carol");

      const revoke = await t.request("/oauth/revoke", {
        method: "POST",
        json: {
          token: access_token,
          client_id: client.client_id,
          client_secret: client.client_secret,
        },
      });
      expect(revoke.status).toBe(200);
      const after = await t.request("/api/v1/accounts/verify_credentials", { token: access_token });
      expect(after.status).toBe(401);
    } finally {
      await t.close();
    }
  });
});
