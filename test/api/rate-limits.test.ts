import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokens, oauthApps, rateLimits } from "../../src/db/schema/index.ts";
import { sweepClientApi } from "../../src/services/client-api-sweep.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * Mastodon's API limits, made small to stay fast. `app.request()` has no socket: it counts as
 * loopback, a trusted proxy, so `X-Forwarded-For` plays the client's address.
 */
let t: TestTern;
beforeAll(async () => {
  t = await startTestTern({
    RATE_LIMITS: "true",
    RATE_LIMIT_API: "5/5m",
    RATE_LIMIT_APPS: "3/30m",
  });
});
afterAll(() => t.close());

const from = (ip: string) => ({ headers: { "x-forwarded-for": ip } });
const remaining = (res: Response) => res.headers.get("x-ratelimit-remaining");

describe("API rate limits", () => {
  it("count down per token in X-RateLimit-* and refuse the request past the limit with 429", async () => {
    const { token } = await t.user("alice");
    const answers: Response[] = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await t.request("/api/v1/accounts/verify_credentials", { token }));
    }
    expect(answers.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map(remaining)).toEqual(["4", "3", "2", "1", "0", "0"]);
    for (const res of answers) expect(res.headers.get("x-ratelimit-limit")).toBe("5");
    // ISO 8601 like Mastodon's, about five minutes ahead, the same for the whole window.
    const reset = answers[0].headers.get("x-ratelimit-reset") ?? "";
    expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(reset) - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(Date.parse(reset) - Date.now()).toBeLessThanOrEqual(5 * 60_000 + 1000);
    expect(new Set(answers.map((r) => r.headers.get("x-ratelimit-reset"))).size).toBe(1);

    const refused = answers[5];
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: "Too many requests" });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(240);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // Another token of the same user from the same address is not refused.
    const other = await t.user("alice2");
    expect((await t.request("/api/v1/timelines/home", { token: other.token })).status).toBe(200);
  });

  it("count anonymous requests per client address", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await t.request("/api/v1/instance", from("198.51.100.1"))).status).toBe(200);
    }
    expect((await t.request("/api/v1/instance", from("198.51.100.1"))).status).toBe(429);
    const other = await t.request("/api/v1/instance", from("198.51.100.2"));
    expect(other.status).toBe(200);
    expect(remaining(other)).toBe("4");
    // One IPv6 client usually holds a whole /64: it is one address for the limits.
    for (let i = 1; i <= 5; i++) await t.request("/api/v1/instance", from(`2001:db8:1:2::${i}`));
    expect((await t.request("/api/v1/instance", from("2001:db8:1:2:ff::1"))).status).toBe(429);
    expect((await t.request("/api/v1/instance", from("2001:db8:1:3::1"))).status).toBe(200);
  });

  it("are shown on error answers too, and CORS lets browser clients read them", async () => {
    const res = await t.request("/api/v1/statuses/123", {
      headers: { "x-forwarded-for": "198.51.100.3", origin: "https://elk.example" },
    });
    expect(res.status).toBe(404);
    expect(remaining(res)).toBe("4");
    const exposed = res.headers.get("access-control-expose-headers") ?? "";
    for (const h of ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]) {
      expect(exposed).toContain(h);
    }
  });
});

describe("anonymous app registration", () => {
  const register = (ip: string) =>
    t.request("/api/v1/apps", {
      method: "POST",
      json: { client_name: "Bot", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" },
      ...from(ip),
    });

  it("is refused past its own, tighter limit, and nothing more is stored", async () => {
    const before = await t.database.db.$count(oauthApps);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await register("203.0.113.9")).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(await t.database.db.$count(oauthApps)).toBe(before + 3);
    // The tightest limit is the one the headers describe.
    const next = await register("203.0.113.10");
    expect(next.headers.get("x-ratelimit-limit")).toBe("3");
    expect(remaining(next)).toBe("2");
  });

  it("counts token requests per address, so an app cannot mint fresh per-token limits", async () => {
    const app = (await (await register("203.0.113.30")).json()) as Record<string, string>;
    const mint = () =>
      t.request("/oauth/token", {
        method: "POST",
        json: {
          grant_type: "client_credentials",
          client_id: app.client_id,
          client_secret: app.client_secret,
        },
        ...from("203.0.113.30"),
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await mint()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it("leaves apps that were never used to the worker's sweep, after a day", async () => {
    const unused = (await (await register("203.0.113.20")).json()) as { id: string };
    const used = (await (await register("203.0.113.21")).json()) as { id: string };
    const { token } = await t.user("carol");
    // carol's token came from the used app; both apps are two days old.
    await t.database.db
      .update(accessTokens)
      .set({ appId: used.id })
      .where(eq(accessTokens.tokenHash, createHash("sha256").update(token).digest("hex")));
    await t.database.db.execute(
      sql`update oauth_apps set created_at = now() - interval '2 days' where id in (${unused.id}, ${used.id})`,
    );
    const recent = (await (await register("203.0.113.22")).json()) as { id: string };
    await t.database.db.execute(
      sql`update rate_limits set reset_at = now() - interval '1 second' where key like 'apps:%'`,
    );
    await sweepClientApi(t.database.db);
    const ids = (await t.database.db.select({ id: oauthApps.id }).from(oauthApps)).map((r) => r.id);
    expect(ids).not.toContain(unused.id);
    expect(ids).toContain(used.id);
    expect(ids).toContain(recent.id);
    const keys = (await t.database.db.select().from(rateLimits)).map((r) => r.key);
    expect(keys.some((k) => k.startsWith("apps:"))).toBe(false);
    expect(keys.some((k) => k.startsWith("api:"))).toBe(true);
  });
});
