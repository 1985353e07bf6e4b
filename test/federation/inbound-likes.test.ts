/**
 * Likes from GoToSocial, Hollo and snac, driven by their captured `like` and `undo-like`
 * activities (re-signed by a fake peer, see test/helpers/ap-fixtures.ts), pointed at one of our
 * statuses instead of the capturing server's: the favourite is counted on the status, listed in
 * favourited_by, and notified to its author; the Undo takes it back. What a hostile or confused
 * peer might send (someone else's Undo, a Like of a post it may not see, of a post that is not
 * ours) changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  aimAt,
  apiGet,
  FakePeer,
  postAs,
  type Software,
  settle,
  TERN,
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

interface ApiStatus {
  id: string;
  uri: string;
  favourites_count: number;
}
interface ApiNotification {
  type: string;
  account: { uri: string };
  status?: { id: string };
}

const post = (visibility = "public") =>
  postAs<ApiStatus>(tern, probe.token, `liked ${visibility}`, visibility);
const count = async (id: string) =>
  (await apiGet<ApiStatus>(tern, `/api/v1/statuses/${id}`, probe.token)).favourites_count;
const likers = async (id: string) =>
  (await apiGet<{ uri: string }[]>(tern, `/api/v1/statuses/${id}/favourited_by`, probe.token)).map(
    (a) => a.uri,
  );
const favNotifications = async (statusId: string) =>
  (
    await apiGet<ApiNotification[]>(tern, "/api/v1/notifications?types[]=favourite", probe.token)
  ).filter((n) => n.status?.id === statusId);

describe.each(SOFTWARE)("%s", (sw) => {
  it("Like is a favourite with a notification; Undo(Like) takes it back", async () => {
    const peer = peers[sw];
    const status = await post();
    expect((await peer.deliver(tern, "like", { edit: aimAt(status.uri) })).status).toBe(202);
    await eventually(async () => (await count(status.id)) === 1);
    expect(await likers(status.id)).toEqual([peer.actorId]);
    const notes = await favNotifications(status.id);
    expect(notes.map((n) => n.account.uri)).toEqual([peer.actorId]);

    expect((await peer.deliver(tern, "undo-like", { edit: aimAt(status.uri) })).status).toBe(202);
    await eventually(async () => (await count(status.id)) === 0);
    expect(await likers(status.id)).toEqual([]);
  });

  it("an Undo(Like) by another actor of the same server removes nothing", async () => {
    const peer = peers[sw];
    const status = await post();
    // A Like id of its own: the inbox drops an activity id it processed before.
    const like = JSON.parse(aimAt(status.uri)(peer.capture("like")));
    like.id = `${like.id}-again`;
    expect((await peer.send(tern, like)).status).toBe(202);
    await eventually(async () => (await count(status.id)) === 1);
    const mallory = await peer.addActor("/users/mallory");
    const undo = peer.captureJson("undo-like");
    const forged = {
      "@context": "https://www.w3.org/ns/activitystreams",
      type: "Undo",
      id: `${mallory.id}#undo/1`,
      actor: mallory.id,
      object: like.id,
    };
    await peer.send(tern, forged, { signer: mallory.signer });
    // Also the full embedded form, with the Like's actor set to mallory (his "own" Like).
    const embedded = JSON.parse(aimAt(status.uri)(JSON.stringify(undo)));
    embedded.id = `${mallory.id}#undo/2`;
    embedded.actor = mallory.id;
    if (typeof embedded.object === "object") embedded.object.actor = mallory.id;
    await peer.send(tern, embedded, { signer: mallory.signer });
    await settle(tern);
    expect(await count(status.id)).toBe(1);
    expect(await likers(status.id)).toEqual([peer.actorId]);
    // The liker's own Undo of that Like still works (the forgeries were processed, not lost).
    // (Hollo's proof and LD signature were made over other bytes: dropped, as they would not verify.)
    const { proof: _p, signature: _s, ...rest } = undo;
    const own = { ...rest, id: `${String(undo.id)}-again`, object: like };
    await peer.send(tern, own);
    await eventually(async () => (await count(status.id)) === 0);
  });
});

describe("Likes that are not counted", () => {
  it("a Like of a followers-only post by a non-follower, or of a post not ours", async () => {
    const peer = peers.gotosocial;
    const hidden = await post("private");
    await peer.deliver(tern, "like", {
      edit: (b) => aimAt(hidden.uri)(b).replace("/liked/", "/liked/hidden-"),
    });
    await peer.deliver(tern, "like", {
      edit: (b) => aimAt(`${TERN}/users/probe/statuses/123`)(b).replace("/liked/", "/liked/nope-"),
    });
    await peer.deliver(tern, "like", {
      edit: (b) => aimAt(`${peer.origin}/users/bob/statuses/1`)(b).replace("/liked/", "/liked/x-"),
    });
    await settle(tern);
    expect(await count(hidden.id)).toBe(0);
    expect(await favNotifications(hidden.id)).toEqual([]);
  });

  it("a Misskey reaction (Like with _misskey_reaction) is kept as a favourite", async () => {
    const peer = peers.snac;
    const status = await post();
    const like = JSON.parse(aimAt(status.uri)(peer.capture("like")));
    like.id = `${like.id}-misskey`;
    like._misskey_reaction = "👍";
    like.content = "👍";
    expect((await peer.send(tern, like)).status).toBe(202);
    await eventually(async () => (await count(status.id)) === 1);
  });
});
