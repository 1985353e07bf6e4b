import { AsyncLocalStorage } from "node:async_hooks";
import { configure, getConfig, type LogRecord, reset } from "@logtape/logtape";
import { Hono } from "hono";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { requestLog } from "../../src/api/request-log.ts";
import { logger } from "../../src/lib/logger.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/** One log line per request, and X-Request-Id in and out, whatever answers the request. */
let t: TestTern;
let records: LogRecord[] = [];
/** The logging the test Tern set up, put back afterwards for the files this worker runs next. */
let before: ReturnType<typeof getConfig>;

beforeAll(async () => {
  t = await startTestTern();
  before = getConfig();
  // Replaces the console logging the test Tern set up with a sink this file can read.
  await configure({
    reset: true,
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { memory: (r) => records.push(r) },
    loggers: [
      { category: ["tern"], lowestLevel: "info", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
    ],
  });
});
afterAll(async () => {
  if (before) await configure({ ...before, reset: true });
  else await reset();
  await t.close();
});
beforeEach(() => {
  records = [];
});

const requestLines = () =>
  records.filter((r) => r.category.join(".") === "tern.http.request").map((r) => r.properties);

describe("request log", () => {
  it("logs method, path, status, duration, address and id of each request", async () => {
    const { token } = await t.user("alice");
    const res = await t.request("/api/v1/accounts/verify_credentials", {
      token,
      headers: { "x-forwarded-for": "198.51.100.77" },
    });
    expect(res.status).toBe(200);
    const [line] = requestLines();
    expect(line).toMatchObject({
      method: "GET",
      path: "/api/v1/accounts/verify_credentials",
      status: 200,
      ip: "198.51.100.77",
      requestId: res.headers.get("x-request-id"),
    });
    expect(typeof line.durationMs).toBe("number");
  });

  it("never logs tokens, codes or query strings", async () => {
    const { token } = await t.user("bob");
    await t.request("/oauth/authorize?client_id=secret-client&code=secret-code", { token });
    await t.request("/api/v1/timelines/home?access_token=secret-token", { token });
    const lines = requestLines();
    expect(lines.map((l) => [l.path, l.status])).toEqual([
      ["/oauth/authorize", 400],
      ["/api/v1/timelines/home", 200],
    ]);
    const everything = JSON.stringify(records.map((r) => [r.message, r.properties]));
    for (const secret of [token, "secret-client", "secret-code", "secret-token"]) {
      expect(everything).not.toContain(secret);
    }
  });

  it("shortens very long paths", async () => {
    await t.request(`/api/v1/statuses/${"9".repeat(5000)}`);
    const [line] = requestLines();
    expect(String(line.path).length).toBeLessThanOrEqual(301);
    expect(line.status).toBe(404);
  });

  it("logs the errors and the pages Fedify and the web routes answer too", async () => {
    await t.request("/api/v1/statuses/not-an-id");
    await t.request("/users/nobody", { headers: { accept: "application/activity+json" } });
    await t.request("/health");
    expect(requestLines().map((l) => [l.path, l.status])).toEqual([
      ["/api/v1/statuses/not-an-id", 404],
      ["/users/nobody", 404],
      ["/health", 200],
    ]);
  });
});

describe("X-Request-Id", () => {
  it("keeps a sane incoming id and answers with it", async () => {
    const res = await t.request("/api/v1/instance", { headers: { "x-request-id": "req-42.a_b" } });
    expect(res.headers.get("x-request-id")).toBe("req-42.a_b");
    expect(requestLines()[0].requestId).toBe("req-42.a_b");
  });

  it("replaces an unusable incoming id with a fresh one", async () => {
    for (const bad of ["a".repeat(65), "two words", "<script>", "id\u00e9"]) {
      const res = await t.request("/api/v1/instance", { headers: { "x-request-id": bad } });
      const id = res.headers.get("x-request-id") ?? "";
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("is on every answer, and different for each request", async () => {
    const ids = new Set<string | null>();
    for (const path of ["/health", "/api/v1/instance", "/.well-known/nodeinfo", "/nowhere"]) {
      const res = await t.request(path);
      expect(res.headers.get("x-request-id"), path).toBeTruthy();
      ids.add(res.headers.get("x-request-id"));
    }
    expect(ids.size).toBe(4);
  });

  it("is attached to the other lines logged while the request runs", async () => {
    const app = new Hono();
    app.use("*", requestLog({ trustedProxies: [] }));
    app.get("/work", (c) => {
      logger("test").info("working");
      return c.text("done");
    });
    await app.request("/work", { headers: { "x-request-id": "ctx-check" } });
    const inside = records.find((r) => r.message.join("") === "working");
    expect(inside?.properties.requestId).toBe("ctx-check");
  });
});
