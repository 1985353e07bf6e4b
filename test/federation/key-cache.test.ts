/**
 * Public keys are kept in memory (kv-cache.ts, parsed-keys.ts): a warm key must never make a
 * signature count that the peer's current key would refuse. A key rotated with an Update of the
 * actor stops verifying; a key rotated without one is picked up at the first signature it makes;
 * a forged signature under a cached keyId is refused; and a key changed by another process
 * sharing the database is not answered from this process's memory.
 */
import { generateCryptoKeyPair } from "@fedify/fedify";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { statuses } from "../../src/db/schema/index.ts";
import { CachedKvStore } from "../../src/federation/kv-cache.ts";
import { type FakePeer, type Signer, settle } from "../helpers/ap-fixtures.ts";
import { type Hostile, startHostile } from "../helpers/hostile.ts";
import { eventually } from "../helpers/tern.ts";

type Json = Record<string, unknown>;
let h: Hostile;
let alice: FakePeer;
beforeAll(async () => {
  h = await startHostile();
  alice = h.hollo;
});
afterAll(async () => h?.close());

const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
let n = 0;

/** A public post by alice (followed by the probe, so an accepted one is stored). */
function post(): { activity: Json; uri: string } {
  const uri = `${alice.actorId}/key-cache/${Date.now()}-${n++}`;
  const activity = {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${uri}#create`,
    type: "Create",
    actor: alice.actorId,
    to: [PUBLIC],
    object: {
      id: uri,
      type: "Note",
      attributedTo: alice.actorId,
      content: `<p>post ${n}</p>`,
      to: [PUBLIC],
      published: new Date().toISOString(),
    },
  };
  return { activity, uri };
}

const stored = async (uri: string) =>
  (await h.tern.database.db.select().from(statuses).where(eq(statuses.uri, uri))).length === 1;

/** Sends a post signed by `signer`; answers the status and whether the post was stored. */
async function sendPost(signer: Signer): Promise<{ status: number; stored: boolean }> {
  const { activity, uri } = post();
  const res = await alice.send(h.tern, activity, { signer });
  await settle(h.tern);
  return { status: res.status, stored: await stored(uri) };
}

/** alice's actor document as her server now serves it. */
async function actorDocument(): Promise<Json> {
  const res = await fetch(alice.actorId, { headers: { accept: "application/activity+json" } });
  return (await res.json()) as Json;
}

/** Gives alice a new key pair, served in her actor document from now on. */
async function rotate(): Promise<{ signer: Signer; document: Json }> {
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const spki = Buffer.from(await crypto.subtle.exportKey("spki", keys.publicKey)).toString(
    "base64",
  );
  const document = await actorDocument();
  (document.publicKey as Json).publicKeyPem =
    `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
  alice.serve(new URL(alice.actorId).pathname, document);
  return { signer: { keyId: alice.signer.keyId, privateKey: keys.privateKey }, document };
}

it("stops accepting a rotated-away key once the actor's Update arrives, and accepts the new one", async () => {
  const old = alice.signer;
  expect(await sendPost(old)).toEqual({ status: 202, stored: true }); // the key is now cached
  const { signer, document } = await rotate();
  // The Update still carries the old key's signature (it is what the cache holds).
  const update = {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    id: `${alice.actorId}#updates/${Date.now()}`,
    type: "Update",
    actor: alice.actorId,
    to: [PUBLIC],
    object: document,
  };
  expect((await alice.send(h.tern, update, { signer: old })).status).toBe(202);
  await settle(h.tern);
  const refused = await sendPost(old);
  expect(refused.stored).toBe(false);
  expect(refused.status).toBe(401);
  expect(await sendPost(signer)).toEqual({ status: 202, stored: true });
  expect(await sendPost(signer)).toEqual({ status: 202, stored: true });
  alice.signer.privateKey = signer.privateKey;
});

it("accepts a key rotated without an Update at its first signature, and then refuses the old one", async () => {
  const old = alice.signer;
  expect(await sendPost(old)).toEqual({ status: 202, stored: true });
  const { signer } = await rotate();
  expect(await sendPost(signer)).toEqual({ status: 202, stored: true });
  const refused = await sendPost(old);
  expect(refused).toEqual({ status: 401, stored: false });
  alice.signer.privateKey = signer.privateKey;
});

it("refuses a forged signature under a warm keyId, however often it is tried", async () => {
  expect(await sendPost(alice.signer)).toEqual({ status: 202, stored: true });
  const forger = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  for (let i = 0; i < 3; i++) {
    const forged = await sendPost({ keyId: alice.signer.keyId, privateKey: forger.privateKey });
    expect(forged).toEqual({ status: 401, stored: false });
  }
  // The real key still works (the forgeries did not replace or drop it for good).
  expect(await sendPost(alice.signer)).toEqual({ status: 202, stored: true });
});

it("does not answer from memory a key another process changed or deleted", async () => {
  const { database } = h.tern;
  const here = new CachedKvStore(database.db);
  const there = new CachedKvStore(database.db);
  await here.listen(database.listen);
  await there.listen(database.listen);
  const key = ["_fedify", "publicKey", `${alice.origin}/other#main-key`] as const;
  await there.set(key, { id: "first" });
  expect(await here.get(key)).toEqual({ id: "first" }); // cached here now
  await there.set(key, { id: "second" });
  await eventually(async () => ((await here.get<Json>(key))?.id === "second" ? true : null));
  await there.delete(key);
  await eventually(async () => ((await here.get(key)) === undefined ? true : null));
  // Inbox de-duplication is never cached: the other process's record is seen at once.
  const seen = ["_fedify", "activityIdempotence", alice.origin, "x"] as const;
  expect(await here.get(seen)).toBeUndefined();
  await there.set(seen, true);
  expect(await here.get(seen)).toBe(true);
});

it("keeps a host's circuit in memory but never loses a change made elsewhere", async () => {
  const { database } = h.tern;
  const here = new CachedKvStore(database.db);
  const there = new CachedKvStore(database.db);
  const key = ["_fedify", "circuit", "down.example"] as const;
  expect(await here.get(key)).toBeUndefined(); // "no circuit", cached
  expect(await there.cas(key, undefined, { state: "open" })).toBe(true);
  // Stale here: a swap from what this process believes fails, and the next read is fresh.
  expect(await here.cas(key, undefined, { state: "closed" })).toBe(false);
  expect(await here.get(key)).toEqual({ state: "open" });
});
