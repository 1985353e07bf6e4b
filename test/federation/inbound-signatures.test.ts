/**
 * HTTP signatures that verify but do not bind what matters: RFC 9421 signatures that leave out
 * the body's digest (or everything), draft-cavage signatures without host or digest, and
 * signatures made for another server, replayed here. Fedify 2.3.6 alone verifies the weak ones
 * (each test shows it with Fedify's verifyRequest); Tern must refuse them, with nothing stored,
 * while the same peer's correctly covered signatures (the controls) are accepted. Also: a key
 * that cannot be used is answered 401, and its negative cache entry spares the next fetch.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateCryptoKeyPair, signRequest, verifyRequest } from "@fedify/fedify";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, statuses } from "../../src/db/schema/index.ts";
import { idOf, type Signer, settle, TERN } from "../helpers/ap-fixtures.ts";
import { changesNothing, freshCreate, type Hostile, startHostile } from "../helpers/hostile.ts";
import { eventually } from "../helpers/tern.ts";

let h: Hostile;
beforeAll(async () => {
  h = await startHostile();
});
afterAll(async () => h?.close());

const b64 = (bytes: ArrayBuffer) => Buffer.from(bytes).toString("base64");
const component = (value: string) => ({ value, params: {} });

/** A POST of a fresh bob Create to `url` (Tern's shared inbox unless told otherwise). */
function createRequest(url = `${TERN}/inbox`): { request: Request; uri: string; body: string } {
  const create = freshCreate(h.gts);
  const body = JSON.stringify(create);
  const request = new Request(url, {
    method: "POST",
    headers: { "content-type": "application/activity+json" },
    body,
  });
  return { request, uri: idOf(create.object)!, body };
}

/** RFC 9421 over exactly `components` (no content-digest unless listed), body attached after. */
async function signRfc9421(request: Request, body: string, components: string[]) {
  const signed = await signRequest(request, h.gts.signer.privateKey, h.gts.signer.keyId, {
    spec: "rfc9421",
    body: null, // Fedify adds content-digest whenever it sees a body
    rfc9421: { components: components.map(component) },
  });
  return new Request(signed.url, { method: "POST", headers: signed.headers, body });
}

/** draft-cavage over exactly `names`, with valid Host, Date and Digest headers. */
async function signCavage(request: Request, names: string[], signer: Signer = h.gts.signer) {
  const url = new URL(request.url);
  const body = await request.clone().arrayBuffer();
  const headers = new Headers(request.headers);
  headers.set("host", url.host);
  headers.set("date", new Date().toUTCString());
  headers.set("digest", `SHA-256=${b64(await crypto.subtle.digest("SHA-256", body))}`);
  const message = names
    .map((n) => `${n}: ${n === "(request-target)" ? `post ${url.pathname}` : headers.get(n)}`)
    .join("\n");
  const sig = await crypto.subtle.sign(
    "RSASSA-PKCS1-v1_5",
    signer.privateKey,
    new TextEncoder().encode(message),
  );
  headers.set(
    "signature",
    `keyId="${signer.keyId.href}",algorithm="rsa-sha256",headers="${names.join(" ")}",signature="${b64(sig)}"`,
  );
  return new Request(request.url, { method: "POST", headers, body });
}

/** Whether Fedify's own verifier, with no policy of ours, accepts the request's signature. */
async function fedifyAccepts(request: Request): Promise<boolean> {
  const { contextLoader } = h.tern.federation.createContext(new URL(TERN), {
    db: h.tern.database.db,
    config: h.tern.config,
  });
  const key = await verifyRequest(request.clone(), {
    contextLoader,
    documentLoader: async (url) => ({
      contextUrl: null,
      documentUrl: url,
      document: await (await fetch(url)).json(),
    }),
  });
  return key !== null;
}

const stored = async (uri: string) =>
  (await h.tern.database.db.select().from(statuses).where(eq(statuses.uri, uri)))[0];

async function refused(request: Request, error: RegExp) {
  expect(await fedifyAccepts(request), "Fedify alone accepts it").toBe(true);
  const res = await changesNothing(h.tern, async () => h.tern.app.fetch(request), 401);
  expect(((await res.json()) as { error: string }).error).toMatch(error);
}

describe("RFC 9421", () => {
  it("accepts Fedify's own RFC 9421 signature (the control)", async () => {
    const { request, uri } = createRequest();
    const signed = await signRequest(request, h.gts.signer.privateKey, h.gts.signer.keyId, {
      spec: "rfc9421",
    });
    expect((await h.tern.app.fetch(signed)).status).toBe(202);
    await eventually(() => stored(uri));
    await settle(h.tern);
  });

  it("accepts it when a TLS proxy hands the request on as http://", async () => {
    const { request, uri, body } = createRequest();
    const signed = await signRequest(request, h.gts.signer.privateKey, h.gts.signer.keyId, {
      spec: "rfc9421",
    });
    const proxied = new Request(signed.url.replace(/^https:/, "http:"), {
      method: "POST",
      headers: signed.headers,
      body,
    });
    expect((await h.tern.app.fetch(proxied)).status).toBe(202);
    await eventually(() => stored(uri));
    await settle(h.tern);
  });

  it("refuses a signature over @method @target-uri @authority without content-digest", async () => {
    const { request, body } = createRequest();
    const weak = await signRfc9421(request, body, ["@method", "@target-uri", "@authority"]);
    await refused(weak, /must cover @method, @target-uri and content-digest/);
    // A Content-Digest header that the signature does not cover changes nothing.
    const withHeader = new Request(weak, { headers: new Headers(weak.headers), body });
    const digest = b64(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
    withHeader.headers.set("content-digest", `sha-256=:${digest}:`);
    await refused(withHeader, /content-digest/);
  });

  it("refuses a signature over an empty component list", async () => {
    const { request, body } = createRequest();
    await refused(await signRfc9421(request, body, []), /must cover/);
  });

  it("refuses a signature made for another server, replayed here", async () => {
    const { request } = createRequest("https://other.example/inbox");
    const signed = await signRequest(request, h.gts.signer.privateKey, h.gts.signer.keyId, {
      spec: "rfc9421",
    });
    await refused(signed, /signed for other\.example, not for this server/);
  });
});

describe("draft-cavage", () => {
  it("accepts (request-target) host date digest (the control)", async () => {
    const { request, uri } = createRequest();
    const signed = await signCavage(request, ["(request-target)", "host", "date", "digest"]);
    expect((await h.tern.app.fetch(signed)).status).toBe(202);
    await eventually(() => stored(uri));
    await settle(h.tern);
  });

  it("refuses a signature without host, and one without digest", async () => {
    const noHost = await signCavage(createRequest().request, [
      "(request-target)",
      "date",
      "digest",
    ]);
    await refused(noHost, /must cover host/);
    // Fedify refuses this one itself; Tern says why.
    const noDigest = await signCavage(createRequest().request, [
      "(request-target)",
      "host",
      "date",
    ]);
    const res = await changesNothing(h.tern, async () => h.tern.app.fetch(noDigest), 401);
    expect(await res.json()).toEqual({ error: "Signature must cover digest" });
  });

  it("refuses a signature made for another server, replayed here", async () => {
    const { request } = createRequest("https://other.example/users/probe/inbox");
    const signed = await signRequest(request, h.gts.signer.privateKey, h.gts.signer.keyId);
    await refused(signed, /signed for other\.example/);
  });
});

describe("keys and actor documents that cannot be used or stored", () => {
  let server: Server;
  let origin = "";
  const fetched: string[] = [];
  let privateKey: CryptoKey;
  const follow = (actor: string, n: number) =>
    new Request(`${TERN}/users/probe/inbox`, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body: JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${actor}#follows/${n}`,
        type: "Follow",
        actor,
        object: `${TERN}/users/probe`,
      }),
    });

  beforeAll(async () => {
    const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const spki = b64(await crypto.subtle.exportKey("spki", keys.publicKey));
    const realPem = `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----\n`;
    // mallory's key is not a key; trudy's document has no key under the keyId she signs with;
    // victor's key is good, but his name has a NUL (Fedify caches the document in jsonb).
    server = createServer((req, res) => {
      fetched.push(req.url ?? "");
      const id = origin + (req.url ?? "");
      const pem = { "/users/mallory": "not a key", "/users/victor": realPem }[req.url ?? ""] ?? "";
      res.writeHead(200, { "content-type": "application/activity+json" }).end(
        JSON.stringify({
          "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
          id,
          type: "Person",
          preferredUsername: req.url?.split("/").pop(),
          name: "vic\u0000tor",
          inbox: `${id}/inbox`,
          publicKey: { id: `${id}#${pem ? "main" : "other"}-key`, owner: id, publicKeyPem: pem },
        }),
      );
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    privateKey = keys.privateKey;
  });
  afterAll(() => new Promise<void>((ok) => server?.close(() => ok())));

  it.each(["mallory", "trudy"])(
    "answers %s 401 twice and fetches the key once (the negative cache is stored)",
    async (name) => {
      const actor = `${origin}/users/${name}`;
      const keyId = new URL(`${actor}#main-key`);
      fetched.length = 0;
      for (const n of [1, 2]) {
        const signed = await signRequest(follow(actor, n), privateKey, keyId);
        await changesNothing(h.tern, async () => h.tern.app.fetch(signed), 401);
      }
      expect(fetched).toEqual([`/users/${name}`]);
    },
  );

  it("accepts a Follow from an actor whose document has a NUL, and answers it", async () => {
    const actor = `${origin}/users/victor`;
    const signed = await signRequest(follow(actor, 1), privateKey, new URL(`${actor}#main-key`));
    expect((await h.tern.app.fetch(signed)).status).toBe(202);
    const follower = await eventually(
      async () =>
        (await h.tern.database.db.select().from(accounts).where(eq(accounts.uri, actor)))[0],
    );
    expect(follower.displayName).toBe("victor");
    // The Accept is queued and delivered too (it echoes the Follow, not victor's document).
    await eventually(async () => fetched.includes("/users/victor/inbox"));
    await settle(h.tern);
  });
});
