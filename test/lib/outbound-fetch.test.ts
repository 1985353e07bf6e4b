import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendOverHttp } from "../../src/lib/http-send.ts";
import { createOutboundFetch, type OutboundOptions } from "../../src/lib/outbound-fetch.ts";

/**
 * A loopback server that misbehaves the ways a hostile peer can: never answers, answers headers
 * and then stalls the body, or redirects somewhere it should not.
 */
let server: Server;
let port = 0;
const hanging: ServerResponse[] = [];
const hits: string[] = [];
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/hang") return void hanging.push(res);
    if (req.url === "/inbox" || req.url === "/big") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        if (req.url === "/big") return void res.writeHead(200).end("x".repeat(3 << 20));
        res.writeHead(202, { "content-type": "text/plain", "x-peer": "yes" }).end("accepted");
      });
      return;
    }
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

describe("deliveries (POSTs of a Request, sent with Node's HTTP client)", () => {
  const delivery = (path: string, host = "127.0.0.1") =>
    new Request(`http://${host}:${port}${path}`, {
      method: "POST",
      headers: { "content-type": "application/activity+json", signature: "keyId=..." },
      body: JSON.stringify({ type: "Create" }),
    });
  const withAgent = (timeoutMs: number) =>
    createOutboundFetch(fetch, () => ({
      timeoutMs,
      allowPrivateAddresses: true,
      userAgent: "Tern/test",
    }));

  it("sends the body and headers (with our User-Agent) and answers with the peer's response", async () => {
    const res = await withAgent(5_000)(delivery("/inbox"), { redirect: "manual" });
    expect(res.status).toBe(202);
    expect(res.headers.get("x-peer")).toBe("yes");
    expect(await res.text()).toBe("accepted");
    const got = received.at(-1)!;
    expect(got.body).toBe('{"type":"Create"}');
    expect(got.headers).toMatchObject({
      "content-type": "application/activity+json",
      "content-length": "17",
      signature: "keyId=...",
      "user-agent": "Tern/test",
      host: `127.0.0.1:${port}`,
    });
  });

  it("sends other requests with a body whole: a DELETE's arrives with its length (masto sends those)", async () => {
    const body = JSON.stringify({ account_ids: ["1"] });
    for (const send of [
      () =>
        withAgent(5_000)(new Request(`http://127.0.0.1:${port}/inbox`, { method: "DELETE", body })),
      () =>
        sendOverHttp(
          new Request(`http://127.0.0.1:${port}/inbox`, { method: "DELETE", body }),
          new Headers(),
          AbortSignal.timeout(5_000),
        ),
    ]) {
      expect((await send()).status).toBe(202);
      expect(received.at(-1)).toMatchObject({ body, headers: { "content-length": "21" } });
    }
  });

  it("gives up on a peer that never answers, at the deadline, as fetch does", async () => {
    const started = Date.now();
    await expect(withAgent(300)(delivery("/hang"))).rejects.toMatchObject({
      name: "TimeoutError",
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("does not follow a redirect with the body, and keeps only the first MiB of an answer", async () => {
    const to = encodeURIComponent(`http://127.0.0.1:${port}/inbox`);
    const count = received.length;
    const moved = await withAgent(5_000)(delivery(`/redirect?to=${to}`));
    expect(moved.status).toBe(302);
    expect(received.length).toBe(count);
    const big = await withAgent(5_000)(delivery("/big"));
    expect((await big.text()).length).toBeLessThanOrEqual(1 << 20);
  });

  it("refuses a private address before connecting, and a refused connection is a fetch failure", async () => {
    const count = received.length;
    await expect(
      guarded(async () => ["127.0.0.1"])(delivery("/inbox", "localhost")),
    ).rejects.toThrow(/not a public address/);
    expect(received.length).toBe(count);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = new Request(`http://127.0.0.1:${closedPort}/inbox`, {
      method: "POST",
      body: "{}",
    });
    await expect(withAgent(5_000)(refused)).rejects.toMatchObject({
      name: "TypeError",
      cause: { code: "ECONNREFUSED" },
    });
  });
});
