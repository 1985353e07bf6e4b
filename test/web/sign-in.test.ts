import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;

beforeAll(async () => {
  t = await startTestTern();
  await t.user("alice");
});
afterAll(() => t.close());

function signIn(username: string, password: string, next = "/settings", origin?: string) {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (origin) headers.origin = origin;
  return t.request("/auth/sign_in", {
    method: "POST",
    headers,
    body: new URLSearchParams({ username, password, next }).toString(),
    redirect: "manual",
  });
}

describe("signing in to Tern's pages", () => {
  it("sets a secure, HttpOnly session cookie and goes back where it was asked to", async () => {
    const res = await signIn(
      "alice",
      "correct horse battery staple",
      "/admin",
      "https://tern.test",
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/admin");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-tern_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    // Signed in: the sign-in page sends the browser on.
    const again = await t.request("/auth/sign_in?next=/x", {
      headers: { cookie: cookie.split(";")[0] },
      redirect: "manual",
    });
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toBe("/x");
  });

  it("refuses a wrong password, another site's form and an open redirect", async () => {
    expect((await signIn("alice", "wrong")).status).toBe(401);
    expect(
      (await signIn("alice", "correct horse battery staple", "/", "https://evil.test")).status,
    ).toBe(403);
    const res = await signIn("alice", "correct horse battery staple", "//evil.test/");
    expect(res.headers.get("location")).toBe("/");
  });

  it("signs out only with the session's CSRF token", async () => {
    const res = await signIn("alice", "correct horse battery staple");
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
    const out = await t.request("/auth/sign_out", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "csrf_token=forged",
      redirect: "manual",
    });
    expect(out.status).toBe(302);
    const still = await t.request("/auth/sign_in", { headers: { cookie }, redirect: "manual" });
    expect(still.status).toBe(302);
  });

  it("keeps the admin pages for moderators: signed out goes to sign in, a user gets 403", async () => {
    const out = await t.request("/admin/accounts", { redirect: "manual" });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/auth/sign_in?next=%2Fadmin%2Faccounts");
    const res = await signIn("alice", "correct horse battery staple");
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
    const page = await t.request("/admin", { headers: { cookie }, redirect: "manual" });
    expect(page.status).toBe(403);
  });
});
