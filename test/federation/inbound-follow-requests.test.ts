/**
 * A locked local account (`probe`) receiving the captured Follows of GoToSocial, Hollo and snac
 * (re-signed by a fake peer, see test/helpers/ap-fixtures.ts): each becomes a pending request in
 * GET /api/v1/follow_requests, nothing is sent back until probe decides, then authorizing sends
 * the peer an Accept of its Follow and rejecting sends a Reject.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiGet,
  FakePeer,
  idOf,
  relationship,
  type Software,
  settle,
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
  probe = await tern.user("probe", { locked: true });
  for (const sw of SOFTWARE) peers[sw] = await FakePeer.start(sw);
});
afterAll(async () => {
  await Promise.all(Object.values(peers).map((p) => p.close()));
  await tern?.close();
});

interface ApiAccount {
  id: string;
  uri: string;
}
const requests = () => apiGet<ApiAccount[]>(tern, "/api/v1/follow_requests", probe.token);
const followers = () =>
  apiGet<ApiAccount[]>(tern, `/api/v1/accounts/${probe.account.id}/followers`, probe.token);

async function pendingRequestFrom(
  peer: FakePeer,
  edit?: (body: string) => string,
): Promise<ApiAccount> {
  const res = await peer.deliver(tern, "follow", { edit });
  expect(res.status).toBe(202);
  const requester = await eventually(async () =>
    (await requests()).find((a) => a.uri === peer.actorId),
  );
  expect(await relationship(tern, probe.token, requester.id)).toMatchObject({
    followed_by: false,
    requested_by: true,
  });
  expect((await followers()).map((a) => a.uri)).not.toContain(peer.actorId);
  return requester;
}

describe.each(SOFTWARE)("%s follows a locked account", (sw) => {
  it("waits in follow_requests; authorizing sends the peer an Accept of its Follow", async () => {
    const peer = peers[sw];
    const followId = idOf(peer.captureJson("follow").id)!;
    const requester = await pendingRequestFrom(peer);

    // Nothing answers the peer while the request is pending.
    await settle(tern);
    expect(
      peer.received.filter((r) => r.json.type === "Accept" || r.json.type === "Reject"),
    ).toEqual([]);

    const res = await tern.request(`/api/v1/follow_requests/${requester.id}/authorize`, {
      method: "POST",
      token: probe.token,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ followed_by: true, requested_by: false });
    expect((await requests()).map((a) => a.uri)).not.toContain(peer.actorId);
    expect((await followers()).map((a) => a.uri)).toContain(peer.actorId);

    const accept = await peer.receivedActivity(
      (a) => a.type === "Accept" && idOf(a.object) === followId,
    );
    expect(accept.json.actor).toBe(`${TERN}/users/probe`);
    expect(await verifyTernSignature(tern, peer, accept)).toBe(`${TERN}/users/probe`);
  });
});

describe("rejecting a request", () => {
  it("sends the peer a Reject of its Follow and keeps it out of the followers", async () => {
    const peer = peers.gotosocial;
    // Unfollow first (GoToSocial's captured Undo), then follow again: a new Follow, a new id
    // (the same id again would be a duplicate delivery).
    expect((await peer.deliver(tern, "undo-follow")).status).toBe(202);
    await eventually(async () => !(await followers()).some((a) => a.uri === peer.actorId));
    const firstId = idOf(peer.captureJson("follow").id)!;
    const followId = firstId.replace(/\/follow\/\w+$/, "/follow/01N9V2A7QX1M7B0G5V6C9W3E4R");
    const requester = await pendingRequestFrom(peer, (t) => t.replaceAll(firstId, followId));

    const res = await tern.request(`/api/v1/follow_requests/${requester.id}/reject`, {
      method: "POST",
      token: probe.token,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ followed_by: false, requested_by: false });
    const reject = await peer.receivedActivity(
      (a) => a.type === "Reject" && idOf(a.object) === followId,
    );
    expect(await verifyTernSignature(tern, peer, reject)).toBe(`${TERN}/users/probe`);
    expect((await requests()).map((a) => a.uri)).not.toContain(peer.actorId);
    expect((await followers()).map((a) => a.uri)).not.toContain(peer.actorId);
  });
});
