/**
 * E-mail by SMTP (SMTP_URL) against a real SMTP server in this process: sign-up asks for an
 * address and a confirmed link before login; resending; the password reset pages end to end;
 * approval and moderation mails; a dead SMTP server never fails the sign-up and its mail waits
 * for a retry. Without SMTP_URL nothing is asked and the reset pages are not there.
 */
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "../../src/db/schema/index.ts";
import { setRegistrationMode } from "../../src/services/accounts/registrations.ts";
import { setRole } from "../../src/services/accounts/roles.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

interface Mail {
  to: string;
  subject: string;
  body: string;
}
const mails: Mail[] = [];
let smtp: SMTPServer;
let t: TestTern;
let appToken: string;

/** Quoted-printable soft breaks and escapes undone, enough to read a link. */
const decode = (raw: string) =>
  raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

const mailTo = (to: string, n = 1) =>
  eventually(async () => {
    const got = mails.filter((m) => m.to === to);
    return got.length >= n ? got[n - 1] : undefined;
  });
/** Jobs run side by side: mails of one account may arrive in any order. */
const mailAbout = (to: string, subject: string) =>
  eventually(async () => mails.find((m) => m.to === to && m.subject.includes(subject)));
const linkIn = (mail: Mail, path: string) => {
  const match = new RegExp(`https://tern\\.test${path}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.body);
  if (!match) throw new Error(`no ${path} link in ${mail.body}`);
  return decodeURIComponent(match[1]);
};

const form = (fields: Record<string, string>, cookie?: string) => ({
  method: "POST",
  headers: {
    "content-type": "application/x-www-form-urlencoded",
    origin: "https://tern.test",
    ...(cookie ? { cookie } : {}),
  },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
});
const signIn = (username: string, password: string) =>
  t.request("/auth/sign_in", form({ username, password, next: "/" }));

/** A form page's CSRF cookie and field. */
async function csrfOf(path: string): Promise<{ cookie: string; csrf: string }> {
  const res = await t.request(path);
  expect(res.status).toBe(200);
  const html = await res.text();
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
  return { cookie, csrf: /name="csrf_token" value="([^"]+)"/.exec(html)![1] };
}

const signUp = (fields: Record<string, unknown>) =>
  t.request("/api/v1/accounts", {
    method: "POST",
    token: appToken,
    json: { password: "a long enough password", agreement: true, locale: "en", ...fields },
  });

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => {
        raw += chunk.toString("utf8");
      });
      stream.on("end", () => {
        const subject = /^Subject: (.*)$/im.exec(raw)?.[1] ?? "";
        for (const to of session.envelope.rcptTo)
          mails.push({ to: to.address, subject, body: decode(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const { port } = smtp.server.address() as AddressInfo;
  t = await startTestTern({ SMTP_URL: `smtp://127.0.0.1:${port}` });
  await setRegistrationMode(t.database.db, "open");
  const app = (await (
    await t.request("/api/v1/apps", {
      method: "POST",
      json: {
        client_name: "Mail app",
        redirect_uris: "urn:ietf:wg:oauth:2.0:oob",
        scopes: "read write",
      },
    })
  ).json()) as { client_id: string; client_secret: string };
  const token = (await (
    await t.request("/oauth/token", {
      method: "POST",
      json: { grant_type: "client_credentials", ...app, scope: "read write" },
    })
  ).json()) as { access_token: string };
  appToken = token.access_token;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(resolve) : resolve()));
});

describe("with SMTP_URL", () => {
  let userToken: string;

  it("requires an e-mail address to sign up", async () => {
    const res = await signUp({ username: "nomail" });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { details: Record<string, { error: string }[]> };
    expect(body.details.email[0].error).toBe("ERR_BLANK");
  });

  it("mails a confirmation link and refuses login until it is followed", async () => {
    const res = await signUp({ username: "carol", email: "carol@mail.test" });
    expect(res.status).toBe(200);
    userToken = ((await res.json()) as { access_token: string }).access_token;
    const mail = await mailTo("carol@mail.test");
    expect(mail.subject).toContain("Confirm your e-mail address");
    const first = linkIn(mail, "/auth/confirmation");

    const me = await t.request("/api/v1/accounts/verify_credentials", { token: userToken });
    expect(me.status).toBe(403);
    expect(await me.json()).toEqual({ error: "Your login is missing a confirmed e-mail address" });
    const check = await t.request("/api/v1/emails/check_confirmation", { token: userToken });
    expect(await check.json()).toBe(false);
    const page = await signIn("carol", "a long enough password");
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("missing a confirmed e-mail address");

    // Resent to a new address: the new link works, the old one no longer does.
    const resend = await t.request("/api/v1/emails/confirmations", {
      method: "POST",
      token: userToken,
      json: { email: "carol@new.test" },
    });
    expect(resend.status).toBe(200);
    const second = linkIn(await mailTo("carol@new.test"), "/auth/confirmation");
    expect((await t.request(`/auth/confirmation?token=${first}`)).status).toBe(404);
    const confirmed = await t.request(`/auth/confirmation?token=${encodeURIComponent(second)}`);
    expect(confirmed.status).toBe(200);

    expect(
      await (await t.request("/api/v1/emails/check_confirmation", { token: userToken })).json(),
    ).toBe(true);
    expect(
      (await t.request("/api/v1/accounts/verify_credentials", { token: userToken })).status,
    ).toBe(200);
    expect((await signIn("carol", "a long enough password")).status).toBe(302);
    const again = await t.request("/api/v1/emails/confirmations", {
      method: "POST",
      token: userToken,
    });
    expect(again.status).toBe(403);
  });

  it("asks for the address on the sign-up page too, and mails it a link", async () => {
    const { cookie, csrf } = await csrfOf("/auth/sign_up");
    const fields = {
      username: "frank",
      password: "a long enough password",
      password_confirmation: "a long enough password",
      agreement: "1",
      csrf_token: csrf,
    };
    const without = await t.request("/auth/sign_up", form(fields, cookie));
    expect(without.status).toBe(422);
    const res = await t.request(
      "/auth/sign_up",
      form({ ...fields, email: "frank@mail.test" }, cookie),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Check your e-mail");
    linkIn(await mailTo("frank@mail.test"), "/auth/confirmation");
    expect((await signIn("frank", "a long enough password")).status).toBe(403);
  });

  it("resets a password by a single-use link, signing the account out everywhere", async () => {
    const signInPage = await (await t.request("/auth/sign_in")).text();
    expect(signInPage).toContain('href="/auth/password/new"');
    const { cookie, csrf } = await csrfOf("/auth/password/new");
    const unknown = await t.request(
      "/auth/password/new",
      form({ email: "nobody@mail.test", csrf_token: csrf }, cookie),
    );
    const known = await t.request(
      "/auth/password/new",
      form({ email: "CAROL@new.test", csrf_token: csrf }, cookie),
    );
    expect(unknown.status).toBe(200);
    expect(known.status).toBe(200);
    const said = (html: string) => /role="status"[^>]*>([^<]*)</.exec(html)?.[1];
    expect(said(await unknown.text())).toBe(said(await known.text()));
    const mail = await mailAbout("carol@new.test", "Reset your password");
    expect(mail.subject).toContain("Reset your password");
    expect(mails.some((m) => m.to === "nobody@mail.test")).toBe(false);
    const token = linkIn(mail, "/auth/password/edit");

    const edit = await csrfOf(`/auth/password/edit?token=${encodeURIComponent(token)}`);
    const fields = {
      token,
      password: "a brand new password",
      password_confirmation: "a brand new password",
      csrf_token: edit.csrf,
    };
    expect((await t.request("/auth/password/edit", form(fields, edit.cookie))).status).toBe(200);
    expect((await t.request("/auth/password/edit", form(fields, edit.cookie))).status).toBe(404);
    expect(
      (await t.request("/api/v1/accounts/verify_credentials", { token: userToken })).status,
    ).toBe(401);
    expect((await signIn("carol", "a long enough password")).status).toBe(401);
    expect((await signIn("carol", "a brand new password")).status).toBe(302);
  });

  it("mails an approved sign-up and an account a moderator acted on", async () => {
    const boss = await t.user("boss", { scopes: "read write admin:read admin:write" });
    await setRole(t.database.db, "boss", "admin");
    await setRegistrationMode(t.database.db, "approval");
    const res = await signUp({ username: "dave", email: "dave@mail.test", reason: "hi" });
    expect(res.status).toBe(200);
    const id = (
      (await (
        await t.request("/api/v1/admin/accounts?pending=true", { token: boss.token })
      ).json()) as { id: string; username: string }[]
    ).find((a) => a.username === "dave")!.id;
    expect(
      (
        await t.request(`/api/v1/admin/accounts/${id}/approve`, {
          method: "POST",
          token: boss.token,
        })
      ).status,
    ).toBe(200);
    expect((await mailAbout("dave@mail.test", "was approved")).subject).toBeTruthy();

    const action = await t.request(`/api/v1/admin/accounts/${id}/action`, {
      method: "POST",
      token: boss.token,
      json: { type: "silence", send_email_notification: true },
    });
    expect(action.status).toBe(200);
    expect((await mailAbout("dave@mail.test", "moderation action")).body).toContain(
      "limited your account",
    );
    await setRegistrationMode(t.database.db, "open");
  });

  it("signs up while the SMTP server is down; the mail waits in the queue for a retry", async () => {
    await new Promise<void>((resolve) => smtp.close(resolve));
    const res = await signUp({ username: "erin", email: "erin@mail.test" });
    expect(res.status).toBe(200);
    const waiting = await eventually(async () => {
      const rows = await t.database.db
        .select({ attempts: jobs.attempts, later: sql<boolean>`${jobs.runAt} > now()` })
        .from(jobs)
        .where(
          sql`${jobs.payload}->>'type' = 'mail.send' and ${jobs.payload}->>'to' = 'erin@mail.test'`,
        );
      return rows.find((r) => r.attempts >= 1 && r.later);
    }, 20_000);
    expect(waiting.attempts).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

describe("without SMTP_URL", () => {
  let plain: TestTern;
  beforeAll(async () => {
    plain = await startTestTern();
  }, 60_000);
  afterAll(() => plain?.close());

  it("asks for no address, shows no reset link and has no reset pages", async () => {
    expect(await (await plain.request("/auth/sign_in")).text()).not.toContain("/auth/password/new");
    expect((await plain.request("/auth/password/new")).status).toBe(404);
    expect((await plain.request("/auth/password/edit?token=x")).status).toBe(404);
    const boss = await plain.user("boss", { scopes: "read write admin:read admin:write" });
    await setRole(plain.database.db, "boss", "admin");
    const someone = await plain.user("someone");
    const action = await plain.request(`/api/v1/admin/accounts/${someone.account.id}/action`, {
      method: "POST",
      token: boss.token,
      json: { type: "none", send_email_notification: true },
    });
    expect(action.status).toBe(422);
    expect(await action.json()).toEqual({
      error: "send_email_notification is not supported: SMTP_URL is not set",
    });
  });
});
