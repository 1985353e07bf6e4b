import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutboundFetch, type OutboundOptions } from "../../src/lib/outbound-fetch.ts";

/**
 * A loopback server that misbehaves the ways a hostile peer can: never answers, answers headers
 * and then stalls the body, or redirects somewhere it should not.
 */
let server: Server;
let port = 0;
const hanging: ServerResponse[] = [];
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/hang") return void hanging.push(res);
    if (req.url === "/slow-body") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a little, ");
      return void hanging.push(res);
    }
    if (req.url?.startsWith("/redirect?to=")) {
      res.writeHead(302, { location: decodeURIComponent(req.url.slice("/redirect?to=".length)) });
      return void res.end();
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  });
  // Both stacks: "localhost" may resolve to ::1 first.
  await new Promise<void>((resolve) => server.listen(0, resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const open = (timeoutMs: number) =>
  createOutboundFetch(fetch, () => ({ timeoutMs, allowPrivateAddresses: true }));

/** The guard on, with DNS that claims "localhost" is a public address (so we can connect). */
const guarded = (lookup: OutboundOptions["lookupAll"] = async () => ["93.184.215.14"]) =>
  createOutboundFetch(fetch, () => ({
    timeoutMs: 5_000,
    allowPrivateAddresses: false,
    lookupAll: lookup,
  }));

describe("the outbound time-out", () => {
  it("gives up on a peer that accepts the connection and never answers", async () => {
    const started = Date.now();
    await expect(open(300)(`http://127.0.0.1:${port}/hang`)).rejects.toMatchObject({
      name: "TimeoutError",
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("also bounds reading a body that stalls after the headers", async () => {
    const res = await open(300)(`http://127.0.0.1:${port}/slow-body`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it("keeps the caller's own signal working, and leaves prompt answers alone", async () => {
    const controller = new AbortController();
    const pending = open(60_000)(new Request(`http://127.0.0.1:${port}/hang`), {
      signal: controller.signal,
    });
    controller.abort(new Error("caller gave up"));
    await expect(pending).rejects.toThrow("caller gave up");
    expect(await (await open(1_000)(`http://127.0.0.1:${port}/`)).text()).toBe("ok");
  });
});

describe("the outbound address guard", () => {
  it("refuses loopback, the IPv6 documentation range and mapped addresses before connecting", async () => {
    const before = hits.length;
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://2130706433:${port}/`,
      `http://[2001:db8::1]:${port}/`,
    ]) {
      await expect(guarded()(url)).rejects.toMatchObject({ status: 403 });
    }
    await expect(guarded(async () => ["::1"])(`http://localhost:${port}/`)).rejects.toThrow(
      /not a public address/,
    );
    expect(hits.length).toBe(before);
  });

  it("checks every redirect hop: a public name that redirects to loopback is refused", async () => {
    const to = encodeURIComponent(`http://127.0.0.1:${port}/`);
    await expect(guarded()(`http://localhost:${port}/redirect?to=${to}`)).rejects.toThrow(
      /127\.0\.0\.1 is not a public address/,
    );
    const fine = encodeURIComponent(`http://localhost:${port}/`);
    const res = await guarded()(`http://localhost:${port}/redirect?to=${fine}`);
    expect(await res.text()).toBe("ok");
  });
});
