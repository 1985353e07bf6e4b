import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError } from "./entity-shape.ts";

interface User {
  account: { id: string };
  token: string;
}

let t: TestTern;
let alice: User;
let bob: User;
let readOnly: User;
let writeOnly: User;
let statusId: string;

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob", { locked: true });
  readOnly = await t.user("reader", { scopes: "read" });
  writeOnly = await t.user("writer", { scopes: "write" });
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token: alice.token,
    json: { status: "hi" },
  });
  statusId = ((await res.json()) as { id: string }).id;
  // bob has a request from alice to answer.
  await t.request(`/api/v1/accounts/${bob.account.id}/follow`, {
    method: "POST",
    token: alice.token,
  });
});
afterAll(() => t.close());

type Route = [method: string, path: () => string, scope: "read" | "write"];
/** Every route that needs a token, with the kind of scope it needs. */
const authed: Route[] = [
  ["POST", () => "/api/v1/statuses", "write"],
  ["PUT", () => `/api/v1/statuses/${statusId}`, "write"],
  ["DELETE", () => `/api/v1/statuses/${statusId}`, "write"],
  ["GET", () => `/api/v1/statuses/${statusId}/source`, "read"],
  ["GET", () => "/api/v1/timelines/home", "read"],
  ["GET", () => "/api/v1/accounts/verify_credentials", "read"],
  ["GET", () => `/api/v1/accounts/relationships?id[]=${bob.account.id}`, "read"],
  ["POST", () => `/api/v1/accounts/${bob.account.id}/follow`, "write"],
  ["POST", () => `/api/v1/accounts/${bob.account.id}/unfollow`, "write"],
  ["GET", () => "/api/v1/follow_requests", "read"],
  ["POST", () => `/api/v1/follow_requests/${alice.account.id}/authorize`, "write"],
  ["POST", () => `/api/v1/follow_requests/${alice.account.id}/reject`, "write"],
];
const open: string[] = [
  "/api/v1/instance",
  "/api/v2/instance",
  "/api/v1/timelines/public",
  `/api/v1/statuses/{status}`,
  "/api/v1/accounts/{alice}",
  "/api/v1/accounts/{alice}/statuses",
  "/api/v1/accounts/{alice}/followers",
  "/api/v1/accounts/{alice}/following",
  "/api/v1/accounts/lookup?acct=alice",
];
const fill = (p: string) => p.replace("{status}", statusId).replace("{alice}", alice.account.id);

describe("tokens and scopes", () => {
  it("answers 401 without a token, on every route that needs one", async () => {
    for (const [method, path] of authed) {
      const res = await t.request(path(), { method });
      await expectError(res, 401);
      expect(res.headers.get("www-authenticate") ?? "", `${method} ${path()}`).toMatch(/^Bearer/);
    }
  });

  it("answers 403 for a token without the needed scope", async () => {
    for (const [method, path, scope] of authed) {
      const wrong = scope === "write" ? readOnly : writeOnly;
      const json = method === "GET" ? undefined : { status: "x" };
      const res = await t.request(path(), { method, token: wrong.token, json });
      await expectError(res, 403);
    }
    // Nothing was written by the refused requests.
    expect((await t.request(`/api/v1/statuses/${statusId}`)).status).toBe(200);
  });

  it("serves public routes without a token, and refuses a bad token even there", async () => {
    for (const path of open) {
      expect((await t.request(fill(path))).status, path).toBe(200);
      await expectError(await t.request(fill(path), { token: "not-a-real-token" }), 401);
    }
  });
});

describe("bodies", () => {
  const bodyRoutes: [string, () => string][] = [
    ["POST", () => "/api/v1/statuses"],
    ["PUT", () => `/api/v1/statuses/${statusId}`],
    ["POST", () => `/api/v1/accounts/${bob.account.id}/follow`],
  ];

  it("malformed JSON is a 400", async () => {
    for (const [method, path] of bodyRoutes) {
      for (const body of ['{"status": "x"', "{status: 'x'}", "\u0000"]) {
        const res = await t.request(path(), {
          method,
          token: alice.token,
          headers: { "content-type": "application/json" },
          body,
        });
        await expectError(res, 400);
      }
    }
  });

  it("a malformed form is a 400 and an unknown content type a 415", async () => {
    const broken = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "multipart/form-data; boundary=nope" },
      body: "--other\r\ncontent-disposition: form-data; name=status\r\n\r\nx\r\n",
    });
    await expectError(broken, 400);
    const noBoundary = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "multipart/form-data" },
      body: "status=x",
    });
    await expectError(noBoundary, 400);
    const text = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "text/plain" },
      body: "status=x",
    });
    await expectError(text, 415);
  });

  it("wrong types are a 422 with a reason, never a 500", async () => {
    const bad: unknown[] = [
      { status: 123 },
      { status: null },
      { status: ["a"] },
      { status: { text: "a" } },
      {},
      { status: "x", visibility: "bogus" },
      { status: "x", visibility: 1 },
      { status: "x", sensitive: "maybe" },
      { status: "x", spoiler_text: 5 },
      { status: "x", in_reply_to_id: "abc" },
      { status: "x", in_reply_to_id: 5 },
      { status: "x", language: "not a language" },
      { status: "x".repeat(20_000) },
      [],
      "status",
      null,
    ];
    for (const json of bad) {
      const res = await t.request("/api/v1/statuses", { method: "POST", token: alice.token, json });
      const error = await expectError(res, 422);
      expect(error.length, JSON.stringify(json)).toBeGreaterThan(0);
      // An edit cannot change visibility or the parent, so Mastodon ignores those keys there.
      const editable = !(
        json &&
        typeof json === "object" &&
        ("visibility" in json || "in_reply_to_id" in json)
      );
      const put = await t.request(`/api/v1/statuses/${statusId}`, {
        method: "PUT",
        token: alice.token,
        json,
      });
      if (editable) await expectError(put, 422);
      else expect(put.status).toBe(200);
    }
    for (const json of [{ reblogs: "maybe" }, { languages: "en" }, [1]]) {
      const res = await t.request(`/api/v1/accounts/${bob.account.id}/follow`, {
        method: "POST",
        token: alice.token,
        json,
      });
      await expectError(res, 422);
    }
  });

  it("refuses options that would change the post and that Tern does not have yet", async () => {
    const refused: [Record<string, unknown>, string][] = [
      // A poll key Tern does not know would be dropped otherwise.
      [
        { status: "vote", poll: { options: ["yes", "no"], expires_in: 3600, ranked: true } },
        "poll",
      ],
      // A time that is not one would otherwise post now.
      [{ status: "later", scheduled_at: "whenever" }, "scheduled_at"],
      [{ status: "alt", media_attributes: [{ id: "1", description: "x" }] }, "media_attributes"],
    ];
    for (const [json, name] of refused) {
      const res = await t.request("/api/v1/statuses", { method: "POST", token: alice.token, json });
      const body = await expectError(res, 422);
      expect(JSON.stringify(body)).toContain(name);
    }
    const mine = await t.request(`/api/v1/accounts/${alice.account.id}/statuses`, {
      token: alice.token,
    });
    const texts = ((await mine.json()) as { content: string }[]).map((s) => s.content);
    expect(texts.some((c) => /vote|later|alt/.test(c))).toBe(false);
  });

  it("tolerates what real clients send: nulls, empty language, extra keys, form booleans", async () => {
    const ok = [
      {
        status: "a",
        spoiler_text: null,
        in_reply_to_id: null,
        visibility: null,
        sensitive: null,
        language: null,
      },
      { status: "b", language: "" },
      { status: "c", media_ids: [], poll: null, scheduled_at: null, some_future_option: true },
    ];
    for (const json of ok) {
      const res = await t.request("/api/v1/statuses", { method: "POST", token: alice.token, json });
      expect(res.status, `${JSON.stringify(json)}: ${await res.text()}`).toBe(200);
    }
    const form = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "status=d&sensitive=1&media_ids[]=&language=",
    });
    expect(form.status, await form.text()).toBe(200);
    // Follow options and an empty body.
    const f1 = await t.request(`/api/v1/accounts/${bob.account.id}/follow`, {
      method: "POST",
      token: alice.token,
      json: { reblogs: true, notify: false, languages: ["en"] },
    });
    expect(f1.status).toBe(200);
    const f2 = await t.request(`/api/v1/accounts/${bob.account.id}/follow`, {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "application/json" },
    });
    expect(f2.status).toBe(200);
  });

  it("bodies over 1 MiB are a 413, with or without Content-Length", async () => {
    const big = "x".repeat(1024 * 1024 + 10);
    const bodies: [string, () => BodyInit][] = [
      ["application/json", () => JSON.stringify({ status: "hi", junk: big })],
      ["application/x-www-form-urlencoded", () => `status=hi&junk=${big}`],
      [
        "",
        () => {
          const f = new FormData();
          f.set("status", "hi");
          f.set("junk", big);
          return f;
        },
      ],
    ];
    for (const [method, path] of bodyRoutes) {
      for (const [type, body] of bodies) {
        const headers: Record<string, string> = type ? { "content-type": type } : {};
        const res = await t.request(path(), { method, token: alice.token, headers, body: body() });
        await expectError(res, 413);
      }
      // A client that announces the size is refused before sending it.
      const announced = await t.request(path(), {
        method,
        token: alice.token,
        headers: { "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
        body: "{}",
      });
      await expectError(announced, 413);
    }
    // A body just under the cap is read (and then judged on its content).
    const near = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      json: { status: "near the cap", junk: "x".repeat(1000 * 1000) },
    });
    expect(near.status).toBe(200);
  });

  it("garbage bodies on routes that take none are never a 500", async () => {
    const routes = [
      `/api/v1/accounts/${bob.account.id}/unfollow`,
      `/api/v1/follow_requests/${alice.account.id}/reject`,
    ];
    for (const path of routes) {
      const res = await t.request(path, {
        method: "POST",
        token: path.includes("follow_requests") ? bob.token : alice.token,
        headers: { "content-type": "application/json" },
        body: "{oops",
      });
      expect(res.status, path).toBeLessThan(500);
    }
  });
});

describe("ids and query parameters", () => {
  it("ids that are not numbers are a 404 in paths", async () => {
    const paths: [string, string, User][] = [
      ["GET", "/api/v1/statuses/abc", alice],
      ["GET", "/api/v1/statuses/-1/source", alice],
      ["PUT", "/api/v1/statuses/1e5", alice],
      ["DELETE", "/api/v1/statuses/12345678901234567890123", alice],
      ["GET", "/api/v1/accounts/abc", alice],
      ["GET", "/api/v1/accounts/abc/statuses", alice],
      ["GET", "/api/v1/accounts/abc/followers", alice],
      ["GET", "/api/v1/accounts/abc/following", alice],
      ["POST", "/api/v1/accounts/abc/follow", alice],
      ["POST", "/api/v1/accounts/abc/unfollow", alice],
      ["POST", "/api/v1/follow_requests/abc/authorize", bob],
      ["POST", "/api/v1/follow_requests/%00/reject", bob],
    ];
    for (const [method, path, who] of paths) {
      const json = method === "GET" ? undefined : { status: "x" };
      await expectError(await t.request(path, { method, token: who.token, json }), 404);
    }
  });

  it("malformed query parameters are a 400 (limit is clamped instead)", async () => {
    const bad = [
      "/api/v1/timelines/public?local=maybe",
      "/api/v1/timelines/public?max_id=abc",
      "/api/v1/timelines/public?since_id[]=1",
      `/api/v1/accounts/${alice.account.id}/statuses?min_id=x`,
      `/api/v1/accounts/${alice.account.id}/followers?max_id=1.5`,
      "/api/v1/accounts/lookup",
      "/api/v1/accounts/lookup?acct=",
      "/api/v1/accounts/lookup?acct[]=alice",
    ];
    for (const path of bad) await expectError(await t.request(path), 400);
    for (const path of ["/api/v1/follow_requests?max_id=z", "/api/v1/timelines/home?min_id=z"]) {
      await expectError(await t.request(path, { token: bob.token }), 400);
    }
    const limit = await t.request("/api/v1/timelines/public?limit=abc");
    expect(limit.status).toBe(200);
  });

  it("cannot pollute the server's objects through query or form keys", async () => {
    const res = await t.request(
      "/api/v1/timelines/public?__proto__[polluted]=yes&constructor[prototype][p2]=yes",
    );
    expect(res.status).toBeLessThan(500);
    const form = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "status=hello&__proto__[polluted]=yes",
    });
    expect(form.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).p2).toBeUndefined();
  });

  it("unknown API routes are a JSON 404", async () => {
    await expectError(await t.request("/api/v1/nonexistent"), 404);
    await expectError(await t.request("/api/v1/statuses", { method: "PATCH" }), [404, 405]);
  });
});

describe("CORS", () => {
  it("lets a browser client on another origin post with a bearer token", async () => {
    const preflight = await t.request("/api/v1/statuses", {
      method: "OPTIONS",
      headers: {
        origin: "https://elk.zone",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    const allowed = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const h of ["authorization", "content-type", "idempotency-key"])
      expect(allowed).toContain(h);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");

    const actual = await t.request("/api/v1/timelines/public?limit=1", {
      headers: { origin: "https://elk.zone" },
    });
    expect(actual.headers.get("access-control-allow-origin")).toBe("*");
    expect((actual.headers.get("access-control-expose-headers") ?? "").toLowerCase()).toContain(
      "link",
    );
    // Errors carry the CORS headers too, or the browser hides them from the client.
    const denied = await t.request("/api/v1/timelines/home", {
      headers: { origin: "https://elk.zone" },
    });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("*");
  });
});
