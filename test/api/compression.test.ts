import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseEncoding } from "../../src/api/compression.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * Answers are compressed for clients that accept it (gzip, Brotli): the API, ActivityPub
 * documents and web pages; small ones and clients that ask for nothing get them as they are.
 */
const HOME = "/api/v1/timelines/home?limit=40";
let t: TestTern;
let alice: Awaited<ReturnType<TestTern["user"]>>;

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  for (let i = 0; i < 40; i++) {
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      json: { status: `Post number ${i} about #compression, with a link https://example.com/${i}` },
    });
    expect(res.status).toBe(200);
  }
  // The home feed is filled by the worker's fan-out.
  await eventually(async () => {
    const res = await t.request(HOME, { token: alice.token });
    return ((await res.json()) as unknown[]).length === 40;
  });
}, 120_000);
afterAll(() => t?.close());

const raw = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe("compressed answers", () => {
  it("a 40-status home page comes gzipped or in Brotli and decodes to the same JSON", async () => {
    const plain = await t.request(HOME, { token: alice.token });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.headers.get("vary")).toMatch(/accept-encoding/i);
    const identity = await raw(plain);
    const page = JSON.parse(identity.toString("utf8"));
    expect(page).toHaveLength(40);

    const gz = await t.request(HOME, {
      token: alice.token,
      headers: { "accept-encoding": "gzip, deflate" },
    });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    const gzBody = await raw(gz);
    expect(JSON.parse(gunzipSync(gzBody).toString("utf8"))).toEqual(page);
    expect(Number(gz.headers.get("content-length"))).toBe(gzBody.length);

    const br = await t.request(HOME, {
      token: alice.token,
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    expect(br.headers.get("content-encoding")).toBe("br");
    const brBody = await raw(br);
    expect(JSON.parse(brotliDecompressSync(brBody).toString("utf8"))).toEqual(page);
    console.log(
      `home page of 40: ${identity.length} bytes, gzip ${gzBody.length}, br ${brBody.length}`,
    );
    expect(gzBody.length).toBeLessThan(identity.length / 3);
  });

  it("an actor document for a federating server comes gzipped", async () => {
    const res = await t.request("/users/alice", {
      headers: { accept: "application/activity+json", "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const actor = JSON.parse(gunzipSync(await raw(res)).toString("utf8"));
    expect(actor.id).toBe("https://tern.test/users/alice");
  });

  it("a profile page comes gzipped", async () => {
    const res = await t.request("/users/alice", {
      headers: { accept: "text/html", "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(await raw(res)).toString("utf8")).toContain("alice");
  });

  it("small answers go out as they are", async () => {
    const res = await t.request("/api/v1/statuses/0", {
      token: alice.token,
      headers: { "accept-encoding": "gzip, br" },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it("follows the client's preferences", () => {
    expect(chooseEncoding(undefined)).toBeUndefined();
    expect(chooseEncoding("identity")).toBeUndefined();
    expect(chooseEncoding("gzip;q=0, deflate")).toBeUndefined();
    expect(chooseEncoding("br;q=0, gzip")).toBe("gzip");
    expect(chooseEncoding("gzip, br;q=0.5")).toBe("gzip");
    expect(chooseEncoding("*")).toBe("br");
  });
});
