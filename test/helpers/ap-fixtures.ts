/**
 * Fake remote peers built from the real ActivityPub traffic captured from GoToSocial 0.19.2,
 * Hollo 0.6.18 and snac 2.75 (see the fixtures' README.md).
 *
 * The captured inbox POSTs cannot be replayed verbatim: they were signed for `https://app.test`
 * around 2026-11-22 12:00 UTC with keys we do not hold, and their senders (gts.test, hollo.test,
 * snac.test) do not exist. So each peer here:
 *
 * - listens on http://127.0.0.1:<port> (a real HTTP server: the test Tern runs with
 *   ALLOW_PRIVATE_ADDRESSES=true, so Fedify fetches from and delivers to loopback over http);
 * - rewrites every fixture text it uses, byte for byte: `http://gts.test` becomes its own origin,
 *   any other `gts.test` its host:port, and `app.test` (the capturing receiver) becomes `tern.test`.
 *   Ids, actors and objects keep the same origin relations as in the capture;
 * - has its own RSA key pair, swapped into the captured actor (and, for GoToSocial, the separate
 *   key document) in place of the sender's key; Hollo's `assertionMethod` Multikeys are dropped.
 *   Hollo bodies keep their FEP-8b32 `proof` and LD `signature`: made with keys we do not have over
 *   the bytes before rewriting, they no longer verify, and Fedify falls back to the HTTP signature
 *   (as it must for any stale proof);
 * - serves every captured `fetched/*` document (actor, key document, notes, collections, ...) at
 *   its rewritten URL, with the captured status and Content-Type;
 * - signs each POST afresh with Fedify's `signRequest` (draft-cavage, with a Digest header, as all
 *   three servers did), keeping the captured Content-Type and User-Agent, and hands it to the test
 *   server's `app.fetch` at the inbox the capture was delivered to (shared or personal);
 * - records every POST Tern delivers to it (Accept, Follow, ...), so tests check what a peer sees.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCryptoKeyPair, signRequest, verifyRequest } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import { sql } from "drizzle-orm";
import { queryRows } from "../../src/db/client.ts";
import type { TestTern } from "./tern.ts";

export const TERN = "https://tern.test";

/** The captures, copied into test/fixtures from the shared fixture folder (see its README). */
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures");

interface PeerSpec {
  dir: string;
  host: string;
  /** The sender's actor path and keyId (fixture URLs, before rewriting). */
  actor: string;
  keyId: string;
  /** fetched/ documents that carry the sender's public key. */
  keyDocs: string[];
}

export const SOFTWARE = {
  gotosocial: {
    dir: "gotosocial-0.19.2",
    host: "gts.test",
    actor: "http://gts.test/users/bob",
    // GoToSocial's keyId is a separate URL that dereferences to a stub Person.
    keyId: "http://gts.test/users/bob/main-key",
    keyDocs: ["actor.json", "actor-public-key.json"],
  },
  hollo: {
    dir: "hollo-0.6.18",
    host: "hollo.test",
    actor: "http://hollo.test/@alice",
    keyId: "http://hollo.test/@alice#main-key",
    keyDocs: ["actor.json"],
  },
  snac: {
    dir: "snac-2.75",
    host: "snac.test",
    actor: "http://snac.test/dave",
    keyId: "http://snac.test/dave#main-key",
    keyDocs: ["actor.json"],
  },
} satisfies Record<string, PeerSpec>;
export type Software = keyof typeof SOFTWARE;

type Json = Record<string, unknown>;
export interface Signer {
  keyId: URL;
  privateKey: CryptoKey;
}
export interface Received {
  path: string;
  headers: Headers;
  body: string;
  json: Json;
}
export interface SendOptions {
  /** Inbox path on Tern; default: where the capture was delivered (or the shared inbox). */
  inbox?: string;
  signer?: Signer;
  unsigned?: boolean;
  /** The signing time (Date header); default now. */
  time?: Date;
  /** Replaces the body after signing (the Digest no longer matches). */
  tamper?: (body: string) => string;
  /** deliver() only: changes the rewritten capture before it is signed. */
  edit?: (body: string) => string;
}

interface Doc {
  status: number;
  contentType: string;
  body: string | Uint8Array;
}

const readText = (...parts: string[]) => readFileSync(join(FIXTURES, ...parts), "utf8");

async function rsaKeyPair(): Promise<{ keys: CryptoKeyPair; pem: string }> {
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", keys.publicKey)).toString(
    "base64",
  );
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
  return { keys, pem };
}

function withKey(docText: string, pem: string, keyId?: string): string {
  const doc = JSON.parse(docText) as Json;
  const key = doc.publicKey as Json | undefined;
  if (key) {
    key.publicKeyPem = pem;
    if (keyId) key.id = keyId;
  }
  delete doc.assertionMethod;
  return JSON.stringify(doc);
}

export class FakePeer {
  readonly software: Software;
  readonly origin: string;
  /** The rewritten sender actor id and keyId. */
  readonly actorId: string;
  readonly signer: Signer;
  readonly received: Received[] = [];
  /** Every request Tern made to this peer (GETs too), in order, with its headers. */
  readonly requests: { method: string; path: string; headers: Headers }[] = [];
  readonly #spec: PeerSpec;
  readonly #server: Server;
  readonly #docs = new Map<string, Doc>();

  private constructor(software: Software, server: Server, privateKey: CryptoKey) {
    this.software = software;
    this.#spec = SOFTWARE[software];
    this.#server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.actorId = this.rewrite(this.#spec.actor);
    this.signer = { keyId: new URL(this.rewrite(this.#spec.keyId)), privateKey };
  }

  /** Starts a peer for `software` on a free loopback port, serving its captured documents. */
  static async start(software: Software): Promise<FakePeer> {
    const { keys, pem } = await rsaKeyPair();
    let peer: FakePeer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const url = new URL(req.url ?? "/", peer!.origin);
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === "string") headers.set(k, v);
        peer!.requests.push({ method: req.method ?? "", path: url.pathname, headers });
        if (req.method === "POST") {
          let json: Json = {};
          try {
            json = JSON.parse(body);
          } catch {}
          peer!.received.push({ path: url.pathname, headers, body, json });
          res.writeHead(202).end();
          return;
        }
        const doc = peer!.#docs.get(url.pathname + url.search) ?? peer!.#docs.get(url.pathname);
        if (!doc)
          res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
        else res.writeHead(doc.status, { "content-type": doc.contentType }).end(doc.body);
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    peer = new FakePeer(software, server, keys.privateKey);
    peer.#loadFetched(pem);
    return peer;
  }

  /** The fixture text as this peer and Tern see it (hosts rewritten, see the file comment). */
  rewrite(text: string): string {
    const host = this.origin.slice("http://".length);
    return text
      .replaceAll(`http://${this.#spec.host}`, this.origin)
      .replaceAll(this.#spec.host, host)
      .replaceAll("app.test", "tern.test");
  }

  #loadFetched(pem: string) {
    const dir = join(this.#spec.dir, "fetched");
    for (const file of readdirSync(join(FIXTURES, dir)).filter((f) =>
      f.endsWith(".headers.json"),
    )) {
      const base = file.slice(0, -".headers.json".length);
      // One document per URL: the signed activity+json fetch stands for the others.
      if (base.includes(".unsigned") || base.includes(".ld-json-accept")) continue;
      const meta = JSON.parse(readText(dir, file)) as {
        request: { url: string };
        status: number;
        contentType: string;
      };
      const bodyFile = [".json", ".xml", ".txt"]
        .map((e) => base + e)
        .find((f) => existsSync(join(FIXTURES, dir, f)));
      if (!bodyFile || meta.request.url.includes("#")) continue;
      let body = this.rewrite(readText(dir, bodyFile));
      if (this.#spec.keyDocs.includes(bodyFile)) body = withKey(body, pem);
      const url = new URL(this.rewrite(meta.request.url));
      this.#docs.set(url.pathname + url.search, {
        status: meta.status,
        contentType: meta.contentType,
        body,
      });
    }
  }

  /** Serves `doc` at `url` (a path or an absolute URL on this peer). */
  serve(url: string, doc: Json | string, status = 200) {
    const u = new URL(url, this.origin);
    const body = typeof doc === "string" ? doc : JSON.stringify(doc);
    this.#docs.set(u.pathname + u.search, {
      status,
      contentType: "application/activity+json",
      body,
    });
  }

  /** Serves a file (a picture the peer's posts attach) at `url`. */
  serveFile(url: string, bytes: Uint8Array, contentType: string) {
    const u = new URL(url, this.origin);
    this.#docs.set(u.pathname + u.search, { status: 200, contentType, body: bytes });
  }

  /** Another actor on this peer (same origin) with its own key: `path` like `/users/carol`. */
  async addActor(path: string): Promise<{ id: string; signer: Signer }> {
    const { keys, pem } = await rsaKeyPair();
    const id = this.origin + path;
    const keyId = `${id}#main-key`;
    const actorPath = new URL(this.actorId).pathname;
    const text = String(this.#docs.get(actorPath)!.body).replaceAll(this.actorId, id);
    const doc = JSON.parse(withKey(text, pem, keyId)) as Json;
    (doc.publicKey as Json).owner = id;
    doc.preferredUsername = path.split("/").pop();
    doc.url = id;
    this.serve(path, doc);
    return { id, signer: { keyId: new URL(keyId), privateKey: keys.privateKey } };
  }

  /** The rewritten body of inbox/<name>.json. */
  capture(name: string): string {
    return this.rewrite(readText(this.#spec.dir, "inbox", `${name}.json`));
  }

  captureJson(name: string): Json {
    return JSON.parse(this.capture(name));
  }

  #captureMeta(name: string): { url: string; headers: Record<string, string> } | undefined {
    const file = join(this.#spec.dir, "inbox", `${name}.headers.json`);
    return existsSync(join(FIXTURES, file)) ? JSON.parse(readText(file)) : undefined;
  }

  /** Delivers inbox/<name> (rewritten, re-signed) to the inbox it was captured at. */
  deliver(tern: TestTern, name: string, opts: SendOptions = {}): Promise<Response> {
    const meta = this.#captureMeta(name);
    const body = opts.edit ? opts.edit(this.capture(name)) : this.capture(name);
    return this.send(tern, body, { inbox: meta ? new URL(meta.url).pathname : undefined, ...opts });
  }

  /** POSTs `body` to a Tern inbox the way this peer's software does, signed unless told not to. */
  async send(tern: TestTern, body: string | Json, opts: SendOptions = {}): Promise<Response> {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const sample = this.#captureMeta("follow")?.headers ?? {};
    const headers = new Headers({
      "content-type": sample["content-type"] ?? "application/activity+json",
      "user-agent": this.rewrite(sample["user-agent"] ?? "peer"),
      accept: "*/*",
    });
    let request = new Request(`${TERN}${opts.inbox ?? "/inbox"}`, {
      method: "POST",
      headers,
      body: text,
    });
    if (!opts.unsigned) {
      const signer = opts.signer ?? this.signer;
      const currentTime = Temporal.Instant.fromEpochMilliseconds(
        (opts.time ?? new Date()).getTime(),
      );
      request = await signRequest(request, signer.privateKey, signer.keyId, {
        spec: "draft-cavage-http-signatures-12",
        currentTime,
      });
    }
    if (opts.tamper) {
      request = new Request(request.url, {
        method: "POST",
        headers: request.headers,
        body: opts.tamper(text),
      });
    }
    return tern.app.fetch(request);
  }

  /** Waits until Tern has delivered an activity matching `match` to this peer. */
  async receivedActivity(match: (a: Json) => boolean, timeoutMs = 10_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((r) => match(r.json));
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(
          `no matching activity; received: ${this.received.map((r) => r.body).join("\n")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): Promise<void> {
    return new Promise((ok) => this.#server.close(() => ok()));
  }
}

/** The id of an embedded object or a bare IRI. */
export const idOf = (v: unknown): string | undefined =>
  typeof v === "string"
    ? v
    : v && typeof v === "object"
      ? ((v as Json).id as string | undefined)
      : undefined;

/**
 * Checks a POST Tern made the way the receiving server would: draft-cavage (snac drops RFC 9421
 * deliveries), Digest present, and the signature verifying against Tern's own actor document.
 */
export async function verifyTernSignature(
  tern: TestTern,
  peer: FakePeer,
  received: Received,
): Promise<string | null> {
  if (!received.headers.get("signature") || received.headers.has("signature-input")) return null;
  const request = new Request(peer.origin + received.path, {
    method: "POST",
    headers: received.headers,
    body: received.body,
  });
  // Tern's own context loader: the preloaded JSON-LD contexts, no network.
  const contexts = tern.federation.createContext(new URL(TERN), {
    db: tern.database.db,
    config: tern.config,
  }).contextLoader;
  const key = await verifyRequest(request, {
    contextLoader: contexts,
    documentLoader: async (url) => {
      if (!url.startsWith(TERN)) return contexts(url);
      const res = await tern.request(new URL(url).pathname, {
        headers: { accept: "application/activity+json" },
      });
      return { contextUrl: null, documentUrl: url, document: await res.json() };
    },
  });
  return key?.ownerId?.href ?? null;
}

/** Waits until no job is due or running: what has been delivered so far is processed. */
export async function settle(tern: TestTern): Promise<void> {
  let quiet = 0;
  const deadline = Date.now() + 15_000;
  while (quiet < 3) {
    if (Date.now() > deadline) throw new Error("jobs did not settle");
    const [row] = await queryRows<{ n: number }>(
      tern.database.db,
      sql`select count(*)::int as n from jobs where run_at <= now()`,
    );
    quiet = row.n === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** GET a Mastodon API path as `token`'s user; fails the test on a non-2xx answer. */
export async function apiGet<T = Json>(tern: TestTern, path: string, token: string): Promise<T> {
  const res = await tern.request(path, { token });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface ApiRelationship {
  id: string;
  following: boolean;
  followed_by: boolean;
  requested: boolean;
  requested_by: boolean;
}

export async function relationship(
  tern: TestTern,
  token: string,
  accountId: string,
): Promise<ApiRelationship> {
  const [rel] = await apiGet<ApiRelationship[]>(
    tern,
    `/api/v1/accounts/relationships?id[]=${accountId}`,
    token,
  );
  return rel;
}

/** A post by `token`'s user through the API (the status a peer's capture is then aimed at). */
export async function postAs<T = { id: string; uri: string }>(
  tern: TestTern,
  token: string,
  status: string,
  visibility = "public",
): Promise<T> {
  const res = await tern.request("/api/v1/statuses", {
    method: "POST",
    token,
    json: { status, visibility },
  });
  if (res.status !== 200) throw new Error(`POST /api/v1/statuses: ${res.status}`);
  return (await res.json()) as T;
}

/** Rewrites a capture's object (a post on the capturing server, probe's) to `uri`. */
export const aimAt = (uri: string) => (body: string) =>
  body.replaceAll(/https:\/\/tern\.test\/users\/probe\/posts\/[0-9a-f-]+/g, uri);
