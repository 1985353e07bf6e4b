/**
 * Blocks over ActivityPub with a signed fake peer (GoToSocial's captured actor and Follow):
 * - probe blocks the peer's account: the peer gets `Block` (and a Reject of its follow), then
 *   `Undo(Block)` on unblock;
 * - the peer blocks probe: stored (`blocked_by`), its follow gone, a new Follow from it Rejected;
 *   its `Undo(Block)` takes the block back; a Block forged for another origin changes nothing;
 * - the server suspends the peer's domain: its inbox POSTs are refused before the signature is
 *   checked, nothing more is delivered to it, nothing fetched from it, and its accounts go.
 */
import { createHash } from "node:crypto";
import { signRequest } from "@fedify/fedify";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDomainCommand, runDomainCommand } from "../../src/cli/domain.ts";
import { accounts, domainBlocks, mentions } from "../../src/db/schema/index.ts";
import { resolveRemoteAccount } from "../../src/federation/resolve.ts";
import { newId } from "../../src/lib/ids.ts";
import {
  allowDomain,
  blockDomain,
  FederationPolicy,
  federationPolicy,
  purgeDomain,
} from "../../src/services/safety/server-domains.ts";
import { FakePeer, idOf, postAs, relationship, settle, TERN } from "../helpers/ap-fixtures.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
let peer: FakePeer;
let peerId: string;
const PROBE = `${TERN}/users/probe`;

beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  peer = await FakePeer.start("gotosocial");
});
afterAll(async () => {
  await peer?.close();
  await tern?.close();
});

interface Rel {
  followed_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
}
const rel = async () =>
  (await relationship(tern, probe.token, peerId)) as unknown as Rel & { following: boolean };
const follow = async () => {
  expect((await peer.deliver(tern, "follow")).status).toBe(202);
};
/** A GET of one of Tern's objects signed by the peer's actor. */
async function signedGet(uri: string): Promise<Response> {
  const request = new Request(uri, { headers: { accept: "application/activity+json" } });
  return tern.app.fetch(
    await signRequest(request, peer.signer.privateKey, peer.signer.keyId, {
      spec: "draft-cavage-http-signatures-12",
    }),
  );
}
const blockJson = (id: string, actor = peer.actorId) => ({
  "@context": "https://www.w3.org/ns/activitystreams",
  id,
  type: "Block",
  actor,
  object: PROBE,
});

describe("blocks between probe and a remote account", () => {
  it("probe blocks the follower: Block and a Reject of its Follow go to it; unblock sends Undo", async () => {
    await follow();
    await eventually(async () => {
      const [row] = await tern.database.db
        .select()
        .from(accounts)
        .where(eq(accounts.uri, peer.actorId));
      peerId = row?.id;
      return row && (await rel()).followed_by;
    });
    const followId = idOf(peer.captureJson("follow").id);
    const res = await tern.request(`/api/v1/accounts/${peerId}/block`, {
      method: "POST",
      token: probe.token,
    });
    expect(await res.json()).toMatchObject({ blocking: true, followed_by: false });
    const block = await peer.receivedActivity((a) => a.type === "Block");
    expect(block.json).toMatchObject({ actor: PROBE, object: peer.actorId });
    await peer.receivedActivity((a) => a.type === "Reject" && idOf(a.object) === followId);
    // A Follow from the blocked account is answered with a Reject and not stored.
    const rejects = () => peer.received.filter((r) => r.json.type === "Reject").length;
    await follow();
    await eventually(async () => rejects() === 2);
    await settle(tern);
    expect(await rel()).toMatchObject({ followed_by: false });

    // A followers-only post that mentions it: not served to it over ActivityPub, even signed.
    const secret = await postAs(tern, probe.token, "for followers", "private");
    await tern.database.db.insert(mentions).values({ statusId: secret.id, accountId: peerId });
    expect((await signedGet(secret.uri)).status).toBe(404);

    await tern.request(`/api/v1/accounts/${peerId}/unblock`, {
      method: "POST",
      token: probe.token,
    });
    const undo = await peer.receivedActivity((a) => a.type === "Undo");
    expect(idOf(undo.json.object)).toBe(block.json.id);
    expect((await signedGet(secret.uri)).status).toBe(200);
  });

  it("the remote account blocks probe: stored, the follow gone both ways; Undo takes it back", async () => {
    await follow();
    await eventually(async () => (await rel()).followed_by);
    const blockId = `${peer.origin}/blocks/${newId()}`;
    expect((await peer.send(tern, blockJson(blockId))).status).toBe(202);
    await eventually(async () => (await rel()).blocked_by);
    expect(await rel()).toMatchObject({ followed_by: false, blocking: false });
    // probe cannot follow it now (Mastodon: 403).
    const res = await tern.request(`/api/v1/accounts/${peerId}/follow`, {
      method: "POST",
      token: probe.token,
    });
    expect(res.status).toBe(403);
    const undo = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${blockId}/undo`,
      type: "Undo",
      actor: peer.actorId,
      object: blockJson(blockId),
    };
    expect((await peer.send(tern, undo)).status).toBe(202);
    await eventually(async () => !(await rel()).blocked_by);
  });

  it("a Block claiming another server's actor is refused", async () => {
    const forged = blockJson(`${peer.origin}/blocks/forged`, "https://elsewhere.example/users/x");
    const res = await peer.send(tern, forged);
    expect(res.status).toBeGreaterThanOrEqual(400);
    await settle(tern);
    expect(await rel()).toMatchObject({ blocked_by: false });
  });
});

describe("the server suspends the peer's domain", () => {
  const host = () => new URL(peer.origin).host;

  it("delivers nothing more to it once suspended (a post before did arrive)", async () => {
    await follow();
    await eventually(async () => (await rel()).followed_by);
    const before = await postAs(tern, probe.token, "before the suspension");
    await peer.receivedActivity((a) => a.type === "Create" && idOf(a.object) === before.uri);
    // Suspended without the purge yet, so probe still has the follower to deliver to.
    await tern.database.db
      .insert(domainBlocks)
      .values({ id: newId(), domain: host(), severity: "suspend" });
    federationPolicy(tern.database.db, tern.config).invalidate();
    const after = await postAs(tern, probe.token, "after the suspension");
    await settle(tern);
    expect(peer.received.some((r) => idOf(r.json.object) === after.uri)).toBe(false);
  });

  it("refuses its inbox POSTs before the signature is checked", async () => {
    // A broken digest would be a 401 from verification; the domain is refused first.
    const res = await peer.deliver(tern, "follow", { tamper: (b) => `${b} ` });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "Domain is blocked" });
  });

  it("fetches nothing from it", async () => {
    const requests = peer.requests.length;
    const found = await resolveRemoteAccount(
      tern.federation,
      { db: tern.database.db, config: tern.config },
      `${peer.origin}/users/someone-new`,
    ).catch(() => null);
    expect(found ?? null).toBeNull();
    expect(peer.requests.length).toBe(requests);
  });

  it("purges its accounts (with their follows and counters) by a job", async () => {
    // Through the CLI's code: blocking again as suspend queues the purge.
    const command = parseDomainCommand(["domain", "block", host(), "--severity", "suspend"]);
    expect(await runDomainCommand(tern.database.db, command)).toContain("(suspend)");
    await eventually(async () => {
      const left = await tern.database.db
        .select()
        .from(accounts)
        .where(eq(accounts.uri, peer.actorId));
      return left.length === 0;
    });
    const me = await (await tern.request(`/api/v1/accounts/${probe.account.id}`)).json();
    expect(me).toMatchObject({ followers_count: 0 });
    expect(await purgeDomain(tern.database.db, host())).toBe(0);
  });

  it("lists its blocks publicly, obfuscated where asked, with SHA-256 digests", async () => {
    await runDomainCommand(
      tern.database.db,
      parseDomainCommand([
        "domain",
        "block",
        "secret.example",
        "--obfuscate",
        "--public-comment",
        "spam",
      ]),
    );
    const list = (await (await tern.request("/api/v1/instance/domain_blocks")).json()) as {
      domain: string;
      digest: string;
      severity: string;
      comment: string | null;
    }[];
    expect(list).toContainEqual({
      domain: "s****t.example",
      digest: createHash("sha256").update("secret.example").digest("hex"),
      severity: "silence",
      comment: "spam",
    });
    expect(list.find((d) => d.domain === host())).toMatchObject({ severity: "suspend" });
    expect(() =>
      parseDomainCommand(["domain", "block", "x.example", "--severity", "hard"]),
    ).toThrow(/--severity/);
    expect(
      await runDomainCommand(tern.database.db, parseDomainCommand(["domain", "unblock", host()])),
    ).toContain("Unblocked");
  });
});

describe("the federation policy", () => {
  it("covers subdomains, and in allowlist mode refuses all but the allowed", async () => {
    const { db } = tern.database;
    const open = new FederationPolicy(db, "blocklist", "tern.test");
    const closed = new FederationPolicy(db, "allowlist", "tern.test");
    await blockDomain(db, { domain: "bad.example", severity: "suspend" }, null);
    expect(await open.refuses("bad.example")).toBe(true);
    expect(await open.refuses("eu.bad.example:8443")).toBe(true);
    expect(await open.refuses("notbad.example")).toBe(false);
    expect(await closed.refuses("friends.example")).toBe(true);
    await allowDomain(db, "friends.example", null);
    expect(await closed.refuses("social.friends.example")).toBe(false);
    expect(await closed.refuses("tern.test")).toBe(false);
  });
});
