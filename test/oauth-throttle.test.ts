import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "./helpers/tern.ts";

/**
 * The login form under guessing: per account name and per client address. `app.request()`
 * counts as loopback, a trusted proxy, so `X-Forwarded-For` plays the client's address.
 */
const PASSWORD = "correct horse battery staple";
const OOB = "urn:ietf:wg:oauth:2.0:oob";

async function loginForm(t: TestTern) {
  const reg = await t.request("/api/v1/apps", {
    method: "POST",
    json: { client_name: "Throttle test", redirect_uris: OOB, scopes: "read" },
  });
  const { client_id } = (await reg.json()) as { client_id: string };
  const q = new URLSearchParams({ response_type: "code", client_id, redirect_uri: OOB });
  const page = await t.request(`/oauth/authorize?${q}`);
  const html = await page.text();
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    hidden[m[1]] = m[2].replace(/&amp;/g, "&");
  }
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0];
  /** Posts the form as a browser at `ip` would. */
  return (ip: string, username: string, password: string) =>
    t.request("/oauth/authorize", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie,
        origin: "https://tern.test",
        "x-forwarded-for": ip,
      },
      body: new URLSearchParams({ ...hidden, username, password }).toString(),
    });
}

describe("login throttling", () => {
  let t: TestTern;
  let login: Awaited<ReturnType<typeof loginForm>>;
  beforeAll(async () => {
    t = await startTestTern({
      RATE_LIMITS: "true",
      RATE_LIMIT_LOGIN_ACCOUNT: "5/15m",
      RATE_LIMIT_LOGIN_IP: "12/5m",
    });
    for (const name of ["alice", "bob", "carol", "dave"]) await t.user(name);
    login = await loginForm(t);
  });
  afterAll(() => t.close());

  it("locks an account after 5 failures, for the right password and every address too", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await login("198.51.100.1", "alice", `guess ${i}`);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain("Wrong username or password");
    }
    for (const ip of ["198.51.100.1", "198.51.100.2"]) {
      const res = await login(ip, "alice", PASSWORD);
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      const html = await res.text();
      expect(html).toContain("locked");
      expect(html).toContain("15 minutes");
      expect(html).not.toContain("Authorization code");
    }
    // Other accounts log in as before, from both addresses; the lock does not depend on case.
    expect((await login("198.51.100.1", "bob", PASSWORD)).status).toBe(200);
    expect((await login("198.51.100.2", "ALICE", PASSWORD)).status).toBe(429);
  });

  it("locks an unknown name the same way, so a lock does not tell that an account exists", async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await login("198.51.100.3", "nobody", "guess"));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429]);
    const text = (await answers[5].text()).replaceAll("nobody", "NAME");
    const known = (await (await login("198.51.100.3", "alice", "x")).text()).replaceAll(
      "alice",
      "NAME",
    );
    expect(text.replace(/csrf_token" value="[^"]*"/, "")).toBe(
      known.replace(/csrf_token" value="[^"]*"/, ""),
    );
  });

  it("forgets an account's failures once the right password came", async () => {
    for (let i = 0; i < 4; i++) await login("198.51.100.4", "carol", "nope");
    expect((await login("198.51.100.4", "carol", PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      expect((await login("198.51.100.4", "carol", "nope again")).status).toBe(401);
    }
    expect((await login("198.51.100.5", "carol", PASSWORD)).status).toBe(200);
  });

  it("caps attempts from one address across accounts, without blocking other addresses", async () => {
    const statuses = [];
    for (let i = 0; i < 13; i++) {
      statuses.push((await login("203.0.113.7", `visitor${i}`, "guess")).status);
    }
    expect(statuses.slice(0, 12).every((s) => s === 401)).toBe(true);
    expect(statuses[12]).toBe(429);
    const blocked = await login("203.0.113.7", "dave", PASSWORD);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain("from your network");
    expect((await login("203.0.113.8", "dave", PASSWORD)).status).toBe(200);
  });
});

describe("login timing", () => {
  let t: TestTern;
  let login: Awaited<ReturnType<typeof loginForm>>;
  beforeAll(async () => {
    t = await startTestTern();
    await t.user("erin");
    login = await loginForm(t);
  });
  afterAll(() => t.close());

  const timed = async (username: string) => {
    const started = performance.now();
    const res = await login("192.0.2.1", username, "wrong password");
    expect(res.status).toBe(401);
    return performance.now() - started;
  };
  it("answers a wrong password as slowly for an unknown name as for a known one", async () => {
    await timed("ghost"); // the stand-in hash is made on the first unknown name
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 9; i++) {
      known.push(await timed("erin"));
      unknown.push(await timed(`ghost${i}`));
    }
    // The fastest of several tries: other load on the machine only ever adds time. Without the
    // stand-in hash an unknown name answers ~4x faster (no Argon2 at all).
    const fastest = { known: Math.min(...known), unknown: Math.min(...unknown) };
    const ratio = fastest.known / fastest.unknown;
    expect(ratio, JSON.stringify(fastest)).toBeLessThan(2.5);
    expect(ratio, JSON.stringify(fastest)).toBeGreaterThan(1 / 3);
  });
});
