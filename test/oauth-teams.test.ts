import { eq } from "drizzle-orm";
import { createRestAPIClient } from "masto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokens } from "../src/db/schema/index.ts";
import type { Account } from "../src/services/accounts/accounts.ts";
import { signTicket, ticketSecret } from "../src/services/oauth/ticket.ts";
import { listAudit } from "../src/services/teams/audit.ts";
import { addMember, createManagedAccount } from "../src/services/teams/members.ts";
import { redeemCode } from "./helpers/api-client.ts";
import { listenTern, startTestTern, type TestTern } from "./helpers/tern.ts";

/**
 * One login, many accounts, as a Mastodon app sees it: the authorize form asks a login on a team
 * which account the app gets, and the token it then holds acts as that account alone.
 */
const PASSWORD = "correct horse battery staple";
const REDIRECT = "https://client.example/callback";
const CSRF_COOKIE = "__Host-tern_oauth_csrf";

let t: TestTern;
let server: Awaited<ReturnType<typeof listenTern>>;
let url: string;
let alice: Account;
let bob: Account;
let brand: Account;
let client: { client_id: string; client_secret: string };

beforeAll(async () => {
  t = await startTestTern();
  alice = (await t.user("alice")).account;
  bob = (await t.user("bob")).account;
  await t.user("carol");
  brand = await createManagedAccount(t.database.db, t.config.publicUrl, alice, "brand", "Brand");
  await addMember(t.database.db, alice, brand.id, "carol", "analyst");
  const res = await t.request("/api/v1/apps", {
    method: "POST",
    json: { client_name: "Phone App", redirect_uris: REDIRECT, scopes: "read write" },
  });
  client = (await res.json()) as typeof client;
  server = await listenTern(t);
  url = server.url;
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

interface Page {
  status: number;
  html: string;
  hidden: Record<string, string>;
  /** The account ids the chooser offers, in order. */
  choices: string[];
  location: string | null;
}

async function page(res: Response): Promise<Page> {
  const html = await res.text();
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    hidden[decode(m[1])] = decode(m[2]);
  }
  const choices = [...html.matchAll(/<input type="radio" name="account_id" value="(\d+)"/g)].map(
    (m) => m[1],
  );
  return { status: res.status, html, hidden, choices, location: res.headers.get("location") };
}

/** A browser on the authorize page: its CSRF cookie, sending forms from our origin. */
async function openAuthorize() {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: "read write",
    state: "s1",
  });
  const res = await t.request(`/oauth/authorize?${q}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
  expect(cookie.startsWith(`${CSRF_COOKIE}=`)).toBe(true);
  const form = await page(res);
  const submit = async (fields: Record<string, string>, from: Page = form) =>
    page(
      await t.request("/oauth/authorize", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie,
          origin: t.config.publicUrl,
        },
        body: new URLSearchParams({ ...from.hidden, decision: "approve", ...fields }).toString(),
      }),
    );
  return { form, submit };
}

async function tokenFor(location: string | null): Promise<string> {
  expect(location).toBeTruthy();
  const code = new URL(location!).searchParams.get("code")!;
  return redeemCode(t, client, code, REDIRECT);
}

/** Signs in as `username` and answers the chooser with `accountId`. */
async function authorizeAs(username: string, accountId: string): Promise<string> {
  const { submit } = await openAuthorize();
  const chooser = await submit({ username, password: PASSWORD });
  expect(chooser.status).toBe(200);
  const done = await submit({ account_id: accountId }, chooser);
  expect(done.status).toBe(302);
  return tokenFor(done.location);
}

async function whoAmI(token: string): Promise<string> {
  const res = await t.request("/api/v1/accounts/verify_credentials", { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { username: string }).username;
}

describe("choosing the account an app gets", () => {
  it("asks a login on a team which account, without the password in the second form", async () => {
    const { submit } = await openAuthorize();
    const chooser = await submit({ username: "alice", password: PASSWORD });
    expect(chooser.status).toBe(200);
    expect(chooser.html).toContain("Which account should Phone App use?");
    expect(chooser.choices).toEqual([alice.id, brand.id]);
    expect(chooser.html).toContain("@brand");
    expect(chooser.html).toContain("owner");
    expect(chooser.html).not.toContain(PASSWORD);
    expect(Object.keys(chooser.hidden)).not.toContain("password");
    expect(chooser.hidden.ticket).toBeTruthy();

    const done = await submit({ account_id: brand.id }, chooser);
    expect(done.status).toBe(302);
    expect(new URL(done.location!).searchParams.get("state")).toBe("s1");
    const token = await tokenFor(done.location);
    expect(await whoAmI(token)).toBe("brand");
    const rows = await t.database.db
      .select({ grantedBy: accessTokens.grantedByAccountId })
      .from(accessTokens)
      .where(eq(accessTokens.accountId, brand.id));
    expect(rows.map((r) => r.grantedBy)).toContain(alice.id);
  });

  it("gives the login's own account when it chooses itself", async () => {
    const token = await authorizeAs("alice", alice.id);
    expect(await whoAmI(token)).toBe("alice");
  });

  it("keeps one step for a login without team accounts", async () => {
    const { submit } = await openAuthorize();
    const done = await submit({ username: "bob", password: PASSWORD });
    expect(done.status).toBe(302);
    expect(await whoAmI(await tokenFor(done.location))).toBe("bob");
  });

  it("refuses a forged, expired, re-aimed or foreign ticket, and an account without a role", async () => {
    const { submit } = await openAuthorize();
    const chooser = await submit({ username: "alice", password: PASSWORD });
    const ticket = chooser.hidden.ticket;
    // Another login's id under alice's signature.
    const forged = ticket.replace(`.${alice.id}.`, `.${bob.id}.`);
    const refused = await submit({ ticket: forged, account_id: bob.id }, chooser);
    expect(refused.status).toBe(400);
    expect(refused.location).toBeNull();
    expect(refused.html).toContain("Please sign in again");
    // A ticket signed eleven minutes ago is past its ten.
    const secret = await ticketSecret(t.database.db);
    const old = signTicket(
      secret,
      alice.id,
      {
        clientId: client.client_id,
        redirectUri: REDIRECT,
        scopes: ["read", "write"],
        state: "s1",
        codeChallenge: null,
        codeChallengeMethod: null,
        csrf: chooser.hidden.csrf_token,
      },
      Date.now() - 11 * 60_000,
    );
    expect((await submit({ ticket: old, account_id: brand.id }, chooser)).status).toBe(400);
    // The same ticket for other scopes than the password was given for.
    expect((await submit({ scope: "read", account_id: brand.id }, chooser)).status).toBe(400);
    // From another browser (another CSRF cookie): the ticket is bound to this one.
    const other = await openAuthorize();
    const stolen = {
      ...chooser,
      hidden: { ...chooser.hidden, csrf_token: other.form.hidden.csrf_token },
    };
    expect((await other.submit({ account_id: brand.id }, stolen)).status).toBe(400);
    // A genuine ticket, but alice holds no role on bob.
    const noRole = await submit({ account_id: bob.id }, chooser);
    expect(noRole.status).toBe(403);
    expect(noRole.location).toBeNull();
    // The genuine ticket still works for an account alice may use.
    expect((await submit({ account_id: brand.id }, chooser)).status).toBe(302);
  });
});

describe("a chosen account's token in a real client (masto)", () => {
  it("posts, edits, schedules and deletes as the brand, each logged as the login", async () => {
    const masto = createRestAPIClient({ url, accessToken: await authorizeAs("alice", brand.id) });
    const status = await masto.v1.statuses.create({ status: "Hello from the brand" });
    expect(status.account.username).toBe("brand");
    await masto.v1.statuses.$select(status.id).update({ status: "Hello again from the brand" });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await masto.v1.statuses.create({ status: "Later", scheduledAt: at });
    await masto.v1.statuses.$select(status.id).remove();
    const later = new Date(Date.now() + 7_200_000).toISOString();
    await masto.v1.scheduledStatuses.$select(scheduled.id).update({ scheduledAt: later });
    await masto.v1.scheduledStatuses.$select(scheduled.id).remove();

    const log = await listAudit(t.database.db, brand.id);
    const posts = log.filter((e) => e.action.startsWith("status."));
    expect(posts.map((e) => e.action)).toEqual([
      "status.delete",
      "status.schedule",
      "status.update",
      "status.create",
    ]);
    expect(new Set(posts.map((e) => e.actorAccountId))).toEqual(new Set([alice.id]));
    expect(posts[0]?.detail).toMatchObject({ statusId: status.id });
    expect(posts[1]?.detail).toMatchObject({ scheduledStatusId: scheduled.id });
    const changes = log.filter((e) => e.action.startsWith("scheduled."));
    expect(changes.map((e) => [e.action, e.actorAccountId, e.detail.scheduledStatusId])).toEqual([
      ["scheduled.cancel", alice.id, scheduled.id],
      ["scheduled.update", alice.id, scheduled.id],
    ]);
  });

  it("records nothing for an account's own token", async () => {
    const masto = createRestAPIClient({ url, accessToken: await authorizeAs("alice", alice.id) });
    const status = await masto.v1.statuses.create({ status: "Just me" });
    expect(status.account.username).toBe("alice");
    expect(await listAudit(t.database.db, alice.id)).toEqual([]);
  });

  it("gives an analyst a token that reads the brand but cannot post", async () => {
    const token = await authorizeAs("carol", brand.id);
    expect(await whoAmI(token)).toBe("brand");
    const masto = createRestAPIClient({ url, accessToken: token });
    await expect(masto.v1.statuses.create({ status: "Not mine to say" })).rejects.toMatchObject({
      statusCode: 403,
    });
    const read = await masto.v1.accounts.$select(brand.id).statuses.list();
    expect(Array.isArray(read)).toBe(true);
  });
});
