import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/** PostgreSQL text cannot hold NUL: such input is a 400 with a reason, never a 500. */
let t: TestTern;
let token: string;
beforeAll(async () => {
  t = await startTestTern();
  token = (await t.user("alice")).token;
});
afterAll(() => t.close());

const NUL = "\u0000";

it.each([
  ["lookup with a NUL in the domain", "/api/v1/accounts/lookup?acct=a@%00", {}],
  ["a status with a NUL", "/api/v1/statuses", { method: "POST", json: { status: `a${NUL}b` } }],
  [
    "a content warning with a NUL",
    "/api/v1/statuses",
    { method: "POST", json: { status: "ok", spoiler_text: NUL } },
  ],
  [
    "a form status with %00",
    "/api/v1/statuses",
    { method: "POST", body: new URLSearchParams({ status: `a${NUL}` }) },
  ],
  [
    "an app name with a NUL",
    "/api/v1/apps",
    { method: "POST", json: { client_name: NUL, redirect_uris: "urn:ietf:wg:oauth:2.0:oob" } },
  ],
  [
    "a token request with NULs",
    "/oauth/token",
    {
      method: "POST",
      json: { grant_type: "client_credentials", client_id: NUL, client_secret: NUL },
    },
  ],
  [
    "a login form with NULs",
    "/oauth/authorize",
    { method: "POST", body: new URLSearchParams({ username: NUL, password: NUL, client_id: NUL }) },
  ],
] as const)("refuses %s with 400", async (_name, path, init) => {
  const res = await t.request(path, { token, ...init } as RequestInit & { token: string });
  expect(res.status).toBe(400);
  expect((await res.json()).error).toMatch(/NUL/);
});

it("still takes ordinary posts", async () => {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token,
    json: { status: "no nul here" },
  });
  expect(res.status).toBe(200);
});
