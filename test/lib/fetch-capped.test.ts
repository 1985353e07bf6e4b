import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it, onTestFinished } from "vitest";
import { fetchCapped } from "../../src/lib/fetch-capped.ts";
import { installOutboundFetch } from "../../src/lib/outbound-fetch.ts";

/**
 * How remote media, avatars and rel="me" pages are fetched: through the process's outbound
 * fetch (guard and deadline), never more than the cap read, never a throw.
 */
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/big") {
      // No Content-Length: the cap must be counted while reading.
      res.writeHead(200, { "content-type": "image/png" });
      res.write(Buffer.alloc(600));
      res.end(Buffer.alloc(600));
    } else if (req.url === "/slow") {
      res.writeHead(200);
      res.write("x");
    } else res.writeHead(req.url === "/ok" ? 200 : 404).end("hello");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

it("reads within the cap, gives up over it, on errors and on the deadline", async () => {
  const release = installOutboundFetch({ timeoutMs: 500, allowPrivateAddresses: true });
  onTestFinished(release);
  expect(await fetchCapped(`${origin}/ok`, 100)).toEqual({
    bytes: new TextEncoder().encode("hello"),
  });
  expect(await fetchCapped(`${origin}/big`, 1000)).toEqual({ error: "larger than 1000 bytes" });
  expect(await fetchCapped(`${origin}/gone`, 1000)).toEqual({ error: "HTTP 404" });
  expect(await fetchCapped(`${origin}/slow`, 1000)).toMatchObject({ error: expect.any(String) });
});

it("refuses private addresses unless they are allowed", async () => {
  const release = installOutboundFetch({ timeoutMs: 500, allowPrivateAddresses: false });
  onTestFinished(release);
  const refused = await fetchCapped(`${origin}/ok`, 100);
  expect(refused).toMatchObject({ error: expect.stringMatching(/not a public address/) });
  expect(await fetchCapped("http://169.254.169.254/latest/meta-data", 100)).toMatchObject({
    error: expect.stringMatching(/not a public address/),
  });
});

it("applies the newest installer's options and restores the original fetch after the last", async () => {
  const original = globalThis.fetch;
  const first = installOutboundFetch({ timeoutMs: 500, allowPrivateAddresses: true });
  const second = installOutboundFetch({ timeoutMs: 500, allowPrivateAddresses: false });
  expect(await fetchCapped(`${origin}/ok`, 100)).toMatchObject({ error: /not a public address/ });
  second();
  expect(await fetchCapped(`${origin}/ok`, 100)).toMatchObject({ bytes: expect.anything() });
  expect(globalThis.fetch).not.toBe(original);
  first();
  // A closed Tern leaves nothing behind: the next file in the same worker gets plain fetch.
  expect(globalThis.fetch).toBe(original);
});
