import { expect } from "vitest";
import type { TestTern } from "./tern.ts";

/**
 * Signs `username` in through the sign-in form (the password `t.user` gives every account) and
 * returns the session cookie, as a browser would carry it.
 */
export async function webSignIn(t: TestTern, username: string, next = "/studio"): Promise<string> {
  const res = await t.request("/auth/sign_in", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      username,
      password: "correct horse battery staple",
      next,
    }).toString(),
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  return (res.headers.get("set-cookie") ?? "").split(";")[0];
}
