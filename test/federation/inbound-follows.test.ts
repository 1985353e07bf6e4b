/**
 * Follows between an unlocked local account and GoToSocial, Hollo and snac, driven by their real
 * captured activities (re-signed by a fake peer, see test/helpers/ap-fixtures.ts):
 * - the peer follows `probe`: the follow is stored (probe's followers, `followed_by`) and Tern
 *   delivers a draft-cavage-signed Accept naming the Follow back to the peer;
 * - the peer unfollows (Undo(Follow); snac's odd shape names the followed actor, not the Follow,
 *   and mints its id under our URL space);
 * - `probe` follows the peer through the API: the peer receives our Follow, answers with its
 *   captured Accept (whose embedded Follow id is rewritten to the one Tern generated), and the
 *   relationship turns from requested to following; Hollo's Reject then removes it.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, follows } from "../../src/db/schema/index.ts";
import { resolveRemoteAccount } from "../../src/federation/resolve.ts";
import {
  apiGet,
  FakePeer,
  idOf,
  relationship,
  type Software,
  TERN,
  verifyTernSignature,
} from "../helpers/ap-fixtures.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
const peers = {} as Record<Software, FakePeer>;
const SOFTWARE: Software[] = ["gotosocial", "hollo", "snac"];

beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  for (const sw of SOFTWARE) peers[sw] = await FakePeer.start(sw);
});
afterAll(async () => {
  await Promise.all(Object.values(peers).map((p) => p.close()));
  await tern?.close();
});

interface ApiAccount {
  id: string;
  uri: string;
  acct: string;
}
const followersOfProbe = () =>
  apiGet<ApiAccount[]>(tern, `/api/v1/accounts/${probe.account.id}/followers`, probe.token);

async function remoteAccountId(peer: FakePeer): Promise<string> {
  const [row] = await tern.database.db
    .select()
    .from(accounts)
    .where(eq(accounts.uri, peer.actorId));
  return row.id;
}

describe.each(SOFTWARE)("%s", (sw) => {
  it("follows probe: the follow is stored and an Accept goes back to the follower", async () => {
    const peer = peers[sw];
    const followId = idOf(peer.captureJson("follow").id)!;
    const res = await peer.deliver(tern, "follow");
    expect(res.status).toBe(202);

    const followers = await eventually(async () => {
      const list = await followersOfProbe();
      return list.some((a) => a.uri === peer.actorId) && list;
    });
    const follower = followers.find((a) => a.uri === peer.actorId)!;
    expect(follower.acct).toBe(
      `${sw === "gotosocial" ? "bob" : sw === "hollo" ? "alice" : "dave"}@${new URL(peer.origin).host}`,
    );
    expect(await relationship(tern, probe.token, follower.id)).toMatchObject({
      followed_by: true,
      requested_by: false,
    });

    // What the follower's server sees: an Accept of exactly its Follow, signed by probe.
    const accept = await peer.receivedActivity(
      (a) => a.type === "Accept" && idOf(a.object) === followId,
    );
    expect(accept.json.actor).toBe(`${TERN}/users/probe`);
    expect(accept.headers.get("digest")).toMatch(/^SHA-256=/);
    expect(await verifyTernSignature(tern, peer, accept)).toBe(`${TERN}/users/probe`);
  });

  it("a Follow sent again under the same id (our Accept was lost) is accepted again", async () => {
    const peer = peers[sw];
    const followId = idOf(peer.captureJson("follow").id)!;
    const accepts = () =>
      peer.received.filter((r) => r.json.type === "Accept" && idOf(r.json.object) === followId)
        .length;
    const before = accepts();
    expect((await peer.deliver(tern, "follow")).status).toBe(202);
    await eventually(async () => accepts() === before + 1);
    expect((await followersOfProbe()).filter((a) => a.uri === peer.actorId)).toHaveLength(1);
  });

  it("unfollows probe with Undo(Follow): the follow is gone", async () => {
    const peer = peers[sw];
    const res = await peer.deliver(tern, "undo-follow");
    expect(res.status).toBe(202);
    await eventually(async () => !(await followersOfProbe()).some((a) => a.uri === peer.actorId));
    const id = await remoteAccountId(peer);
    expect(await relationship(tern, probe.token, id)).toMatchObject({ followed_by: false });
  });

  it("accepts probe's Follow: the relationship turns from requested to following", async () => {
    const peer = peers[sw];
    const remote = await resolveRemoteAccount(
      tern.federation,
      { db: tern.database.db, config: tern.config },
      peer.actorId,
    );
    expect(remote?.uri).toBe(peer.actorId);
    const res = await tern.request(`/api/v1/accounts/${remote!.id}/follow`, {
      method: "POST",
      token: probe.token,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ following: false, requested: true });

    // The peer receives our Follow; its id is the one Tern stored.
    const follow = await peer.receivedActivity(
      (a) => a.type === "Follow" && a.object === peer.actorId,
    );
    expect(follow.json.actor).toBe(`${TERN}/users/probe`);
    expect(await verifyTernSignature(tern, peer, follow)).toBe(`${TERN}/users/probe`);
    const [row] = await tern.database.db
      .select()
      .from(follows)
      .where(and(eq(follows.followerId, probe.account.id), eq(follows.followingId, remote!.id)));
    expect(row).toMatchObject({ uri: follow.json.id, state: "pending" });

    // The captured Accept embeds the receiver's Follow (three shapes); point it at ours.
    const captured = idOf(peer.captureJson("accept-follow").object)!;
    const accepted = await peer.deliver(tern, "accept-follow", {
      edit: (t) => t.replaceAll(captured, row.uri),
    });
    expect(accepted.status).toBe(202);
    await eventually(async () => (await relationship(tern, probe.token, remote!.id)).following);
    expect(await relationship(tern, probe.token, remote!.id)).toMatchObject({
      following: true,
      requested: false,
    });
    const following = await apiGet<ApiAccount[]>(
      tern,
      `/api/v1/accounts/${probe.account.id}/following`,
      probe.token,
    );
    expect(following.map((a) => a.uri)).toContain(peer.actorId);
  });
});

describe("hollo Reject", () => {
  it("revokes probe's accepted follow (sent before Hollo's Block)", async () => {
    const peer = peers.hollo;
    const id = await remoteAccountId(peer);
    expect((await relationship(tern, probe.token, id)).following).toBe(true);
    const [row] = await tern.database.db
      .select()
      .from(follows)
      .where(and(eq(follows.followerId, probe.account.id), eq(follows.followingId, id)));
    const captured = idOf(peer.captureJson("reject-follow-on-block").object)!;
    const res = await peer.deliver(tern, "reject-follow-on-block", {
      edit: (t) => t.replaceAll(captured, row.uri),
    });
    expect(res.status).toBe(202);
    await eventually(async () => !(await relationship(tern, probe.token, id)).following);
    expect(await relationship(tern, probe.token, id)).toMatchObject({
      following: false,
      requested: false,
    });
  });
});
