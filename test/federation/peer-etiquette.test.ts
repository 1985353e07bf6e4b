/**
 * What real peers (snac2 on loopback, see test/e2e/snac.test.ts) found Tern doing wrong, shown
 * here against a fake snac (its captured actor has no shared inbox):
 * - a follower who is also mentioned got the same Create twice (one delivery per inbox now);
 * - the instance actor advertised an outbox that answered 404, and had no followers, following
 *   or featured collection, so Fedify warned three times on every fetch of it (all served now,
 *   empty);
 * - requests said `User-Agent: node` (now `Tern/<version> (+PUBLIC_URL)`, deliveries included).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { instanceSigningKey } from "../../src/federation/dispatchers/actors.ts";
import { TERN_VERSION } from "../../src/federation/dispatchers/nodeinfo.ts";
import { resolveRemoteAccount } from "../../src/federation/resolve.ts";
import { apiGet, FakePeer, idOf, settle, TERN } from "../helpers/ap-fixtures.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
let peer: FakePeer;
const AP = { accept: "application/activity+json" };

beforeAll(async () => {
  tern = await startTestTern();
  // snac's captured Follow is addressed to `probe`.
  probe = await tern.user("probe");
  peer = await FakePeer.start("snac");
  expect((await peer.deliver(tern, "follow")).status).toBe(202);
  await eventually(async () => {
    const followers = await apiGet<{ uri: string }[]>(
      tern,
      `/api/v1/accounts/${probe.account.id}/followers`,
      probe.token,
    );
    return followers.some((a) => a.uri === peer.actorId);
  });
});
afterAll(async () => {
  await peer?.close();
  await tern?.close();
});

const creates = (noteUri: string) =>
  peer.received.filter((r) => r.json.type === "Create" && idOf(r.json.object) === noteUri);

describe("deliveries to a peer without a shared inbox", () => {
  const handle = () => `dave@${new URL(peer.origin).host}`;
  const post = async (status: string, visibility = "public") => {
    const res = await tern.request("/api/v1/statuses", {
      method: "POST",
      token: probe.token,
      json: { status, visibility },
    });
    return (await res.json()) as { uri: string; mentions: { acct: string }[] };
  };

  it("sends a post that mentions a follower to their inbox once", async () => {
    const status = await post(`Hello @${handle()}`);
    expect(status.mentions.map((m) => m.acct)).toEqual([handle()]);
    await peer.receivedActivity((a) => a.type === "Create");
    await settle(tern);
    expect(creates(status.uri).map((r) => r.path)).toEqual([
      new URL(`${peer.actorId}/inbox`).pathname,
    ]);
  });

  it("sends a followers-only post that mentions a follower once too", async () => {
    const status = await post(`For my followers and @${handle()}`, "private");
    await peer.receivedActivity((a) => a.type === "Create" && idOf(a.object) === status.uri);
    await settle(tern);
    expect(creates(status.uri)).toHaveLength(1);
  });
});

describe("the instance actor", () => {
  it("serves, empty, every collection it names, and Fedify has nothing to warn about", async () => {
    const warnings = vi.spyOn(console, "warn");
    try {
      const actor = await (await tern.request("/users/tern.instance", { headers: AP })).json();
      for (const name of ["outbox", "followers", "following", "featured", "featuredTags"]) {
        expect(actor[name], name).toMatch(/^https:\/\/tern\.test\/users\/tern\.instance\//);
        const res = await tern.request(new URL(actor[name]).pathname, { headers: AP });
        expect(res.status, name).toBe(200);
        const collection = await res.json();
        expect(collection.totalItems ?? 0, name).toBe(0);
        if (!collection.first) continue;
        const first = new URL(collection.first);
        const page = await tern.request(first.pathname + first.search, { headers: AP });
        expect(page.status, `${name} page`).toBe(200);
        expect((await page.json()).orderedItems ?? [], name).toEqual([]);
      }
      // Fedify warned three times on each fetch of an actor without its collections.
      const fedify = warnings.mock.calls.filter((c) => c.join(" ").includes("fedify"));
      expect(fedify).toEqual([]);
    } finally {
      warnings.mockRestore();
    }
  });
});

describe("the key shared-inbox work signs with", () => {
  it("is the instance actor's published key, under the id it is published with", async () => {
    const ctx = tern.federation.createContext(new URL(TERN), {
      db: tern.database.db,
      config: tern.config,
    });
    const { keyId, privateKey } = await instanceSigningKey(ctx);
    const actor = await (await tern.request("/users/tern.instance", { headers: AP })).json();
    expect(keyId.href).toBe(actor.publicKey.id);
    const der = Buffer.from(
      actor.publicKey.publicKeyPem.replace(/-----[^-]+-----|\s/g, ""),
      "base64",
    );
    const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const publicKey = await crypto.subtle.importKey("spki", der, algorithm, false, ["verify"]);
    const data = new TextEncoder().encode("(request-target): get /users/someone");
    const signature = await crypto.subtle.sign(algorithm, privateKey, data);
    expect(await crypto.subtle.verify(algorithm, publicKey, signature, data)).toBe(true);
  });
});

describe("the User-Agent of outbound requests", () => {
  it("names Tern, its version and PUBLIC_URL on fetches and deliveries alike", async () => {
    const expected = `Tern/${TERN_VERSION} (+https://tern.test)`;
    // A fetch (the actor, signed by the instance actor) and deliveries (the tests above).
    await resolveRemoteAccount(
      tern.federation,
      { db: tern.database.db, config: tern.config },
      peer.actorId,
    );
    const gets = peer.requests.filter((r) => r.method === "GET");
    const posts = peer.requests.filter((r) => r.method === "POST");
    expect(gets.length).toBeGreaterThan(0);
    expect(posts.length).toBeGreaterThan(0);
    expect(new Set(peer.requests.map((r) => r.headers.get("user-agent")))).toEqual(
      new Set([expected]),
    );
  });
});
