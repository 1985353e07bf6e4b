/**
 * Boosts from GoToSocial, Hollo and snac, driven by their captured `announce` and
 * `undo-announce` activities (re-signed by a fake peer, see test/helpers/ap-fixtures.ts), pointed
 * at one of our statuses: the boost is counted, listed in reblogged_by and notified to the
 * author; the Undo (or a Delete of the Announce) takes it back. A boost by a followed account of
 * a post on a third server is fetched from that server and reaches the follower's home. What a
 * hostile or confused peer might send (someone else's Undo, an Announce id on another origin, a
 * boost of a followers-only post, an embedded forged post, an object that cannot be fetched)
 * stores nothing. Mastodon's documentation has no Announce example; the three captures stand in.
 * Last, the other way: probe's own boost as its follower and the boosted author receive it.
 */
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statuses } from "../../src/db/schema/index.ts";
import {
  aimAt,
  apiGet,
  FakePeer,
  postAs,
  type Software,
  settle,
  TERN,
} from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
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
  content: string;
  reblogs_count: number;
  account: { uri: string };
  reblog: ApiStatus | null;
}
interface ApiNotification {
  type: string;
  account: { uri: string };
  status?: { id: string };
}

const post = (visibility = "public") =>
  postAs<ApiStatus>(tern, probe.token, `boosted ${visibility}`, visibility);
const count = async (id: string) =>
  (await apiGet<ApiStatus>(tern, `/api/v1/statuses/${id}`, probe.token)).reblogs_count;
const boosters = async (id: string) =>
  (await apiGet<{ uri: string }[]>(tern, `/api/v1/statuses/${id}/reblogged_by`, probe.token)).map(
    (a) => a.uri,
  );
const reblogNotifications = async (statusId: string) =>
  (await apiGet<ApiNotification[]>(tern, "/api/v1/notifications?types[]=reblog", probe.token))
    .filter((n) => n.status?.id === statusId)
    .map((n) => n.account.uri);
const home = () => apiGet<ApiStatus[]>(tern, "/api/v1/timelines/home?limit=40", probe.token);
const stored = (uri: string) =>
  tern.database.db.select().from(statuses).where(eq(statuses.uri, uri));

describe.each(SOFTWARE)("%s", (sw) => {
  it("Announce of our post counts and notifies; Undo(Announce) takes both back", async () => {
    const peer = peers[sw];
    const status = await post();
    expect((await peer.deliver(tern, "announce", { edit: aimAt(status.uri) })).status).toBe(202);
    await eventually(async () => (await count(status.id)) === 1);
    expect(await boosters(status.id)).toEqual([peer.actorId]);
    expect(await reblogNotifications(status.id)).toEqual([peer.actorId]);
    // Redelivered (same id): still one boost.
    await peer.deliver(tern, "announce", { edit: aimAt(status.uri) });
    await settle(tern);
    expect(await count(status.id)).toBe(1);

    expect((await peer.deliver(tern, "undo-announce", { edit: aimAt(status.uri) })).status).toBe(
      202,
    );
    await eventually(async () => (await count(status.id)) === 0);
    expect(await boosters(status.id)).toEqual([]);
    expect(await reblogNotifications(status.id)).toEqual([]);
  });

  it("an Undo(Announce) or Delete by another actor of the same server removes nothing", async () => {
    const peer = peers[sw];
    const status = await post();
    const announce = JSON.parse(aimAt(status.uri)(peer.capture("announce")));
    announce.id = `${announce.id}-again`;
    delete announce.proof;
    delete announce.signature;
    expect((await peer.send(tern, announce)).status).toBe(202);
    await eventually(async () => (await count(status.id)) === 1);
    const mallory = await peer.addActor("/users/mallory");
    const forgeries = [
      { type: "Undo", id: `${mallory.id}#undo/1`, actor: mallory.id, object: announce.id },
      {
        type: "Undo",
        id: `${mallory.id}#undo/2`,
        actor: mallory.id,
        object: { ...announce, actor: mallory.id },
      },
      { type: "Delete", id: `${mallory.id}#delete/1`, actor: mallory.id, object: announce.id },
    ];
    for (const forged of forgeries) {
      const body = { "@context": "https://www.w3.org/ns/activitystreams", ...forged };
      expect((await peer.send(tern, body, { signer: mallory.signer })).status).toBe(202);
    }
    await settle(tern);
    expect(await count(status.id)).toBe(1);
    expect(await boosters(status.id)).toEqual([peer.actorId]);
    // The booster's own Delete of the Announce (as Mastodon deletes boosts) does remove it.
    const del = {
      "@context": "https://www.w3.org/ns/activitystreams",
      type: "Delete",
      id: `${announce.id}#delete`,
      actor: peer.actorId,
      object: announce.id,
    };
    expect((await peer.send(tern, del)).status).toBe(202);
    await eventually(async () => (await count(status.id)) === 0);
  });
});

describe("Announces that store nothing", () => {
  it("of a followers-only post of ours, an id on another origin, a post not ours", async () => {
    const peer = peers.gotosocial;
    const hidden = await post("private");
    const base = () => JSON.parse(peer.capture("announce")) as Record<string, unknown>;
    const privateOne = { ...base(), id: `${base().id}-private`, object: hidden.uri };
    expect((await peer.send(tern, privateOne)).status).toBe(202);
    const elsewhere = await post();
    const otherOrigin = {
      ...base(),
      id: "https://elsewhere.test/announce/1",
      object: elsewhere.uri,
    };
    expect((await peer.send(tern, otherOrigin)).status).toBe(400);
    const missing = {
      ...base(),
      id: `${base().id}-missing`,
      object: `${TERN}/users/probe/statuses/1`,
    };
    expect((await peer.send(tern, missing)).status).toBe(202);
    await settle(tern);
    expect(await count(hidden.id)).toBe(0);
    expect(await count(elsewhere.id)).toBe(0);
    expect(await reblogNotifications(hidden.id)).toEqual([]);
    for (const a of [privateOne, otherOrigin, missing])
      expect(await stored(a.id as string)).toEqual([]);
  });

  it("of another server's post by an account nobody here follows: not even fetched", async () => {
    const peer = peers.snac;
    const note = JSON.parse(peers.hollo.rewrite(readHolloNote())) as { id: string };
    const announce = {
      ...peer.captureJson("announce"),
      id: `${peer.actorId}/a/unfollowed`,
      object: note.id,
    };
    expect((await peer.send(tern, announce)).status).toBe(202);
    await settle(tern);
    expect(await stored(announce.id)).toEqual([]);
    expect(await stored(note.id)).toEqual([]);
  });
});

describe("a boost by a followed account of a post on a third server", () => {
  it("is fetched from that post's own origin and shows in home; a fetch failure stores nothing", async () => {
    const gts = peers.gotosocial;
    await followAccepted(tern, probe.account, gts.actorId);
    const note = JSON.parse(peers.hollo.rewrite(readHolloNote())) as {
      id: string;
      content: string;
    };
    // The Announce embeds a forged copy: only the id counts, the post is fetched from Hollo.
    const announce = {
      ...gts.captureJson("announce"),
      id: `${gts.actorId}/statuses/boost-of-hollo`,
      object: { type: "Note", id: note.id, attributedTo: gts.actorId, content: "<p>forged</p>" },
    };
    expect((await gts.send(tern, announce)).status).toBe(202);
    const boost = await eventually(async () => (await home()).find((s) => s.uri === announce.id));
    expect(boost.account.uri).toBe(gts.actorId);
    expect(boost.reblog?.uri).toBe(note.id);
    expect(boost.reblog?.account.uri).toBe(peers.hollo.actorId);
    expect(boost.reblog?.content).not.toContain("forged");
    expect(boost.reblog?.content).toContain(stripTags(note.content).slice(0, 10));
    // Inbox work fetches signed by the instance actor, as authorized-fetch servers require.
    const fetched = peers.hollo.requests.filter(
      (r) => r.method === "GET" && note.id.endsWith(r.path),
    );
    expect(fetched.length).toBeGreaterThan(0);
    for (const r of fetched)
      expect(r.headers.get("signature")).toContain(`keyId="${TERN}/users/tern.instance#main-key"`);

    // The same post boosted again (by snac's dave, also followed): still shown once.
    await followAccepted(tern, probe.account, peers.snac.actorId);
    const again = {
      ...peers.snac.captureJson("announce"),
      id: `${peers.snac.actorId}/a/second-boost`,
      object: note.id,
    };
    expect((await peers.snac.send(tern, again)).status).toBe(202);
    await eventually(async () => (await stored(again.id)).length === 1);
    const shown = (await home()).filter((s) => s.uri === note.id || s.reblog?.uri === note.id);
    expect(shown.map((s) => s.uri)).toEqual([announce.id]);
    expect(await count(boost.reblog!.id)).toBe(2);

    // An object that answers 404: no boost, no post, no error.
    const gone = {
      ...gts.captureJson("announce"),
      id: `${gts.actorId}/statuses/boost-of-nothing`,
      object: `${peers.hollo.origin}/@alice/does-not-exist`,
    };
    expect((await gts.send(tern, gone)).status).toBe(202);
    await settle(tern);
    expect(await stored(gone.id)).toEqual([]);
    expect(await stored(gone.object)).toEqual([]);
  });
});

/** The captured Note Hollo served, which its fake peer serves again at the rewritten URL. */
function readHolloNote(): string {
  return readFileSync(
    new URL("../fixtures/hollo-0.6.18/fetched/note-public.json", import.meta.url),
    "utf8",
  );
}
const stripTags = (html: string) => html.replace(/<[^>]*>/g, "");

describe("what Tern sends when probe boosts", () => {
  it("an Announce addressed as Mastodon's to followers and the author, served at its id; then its Undo", async () => {
    const { gotosocial: follower, hollo: author } = peers;
    // GoToSocial's bob follows probe; probe follows Hollo's alice and has her post.
    expect((await follower.deliver(tern, "follow")).status).toBe(202);
    await follower.receivedActivity((a) => a.type === "Accept");
    await followAccepted(tern, probe.account, author.actorId);
    const noteUri = JSON.parse(author.capture("create-note-public")).object.id as string;
    await author.deliver(tern, "create-note-public");
    const [note] = await eventually(async () => {
      const rows = await stored(noteUri);
      return rows.length > 0 && rows;
    });

    const res = await tern.request(`/api/v1/statuses/${note.id}/reblog`, {
      method: "POST",
      token: probe.token,
    });
    expect(res.status).toBe(200);
    const boost = (await res.json()) as ApiStatus;
    const isAnnounce = (a: Record<string, unknown>) => a.type === "Announce" && a.id === boost.uri;
    const got = await follower.receivedActivity(isAnnounce);
    expect(got.json).toMatchObject({
      actor: `${TERN}/users/probe`,
      object: noteUri,
      to: "https://www.w3.org/ns/activitystreams#Public",
      cc: [`${TERN}/users/probe/followers`, author.actorId],
    });
    await author.receivedActivity(isAnnounce);
    const served = await tern.request(new URL(boost.uri).pathname, {
      headers: { accept: "application/activity+json" },
    });
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ type: "Announce", id: boost.uri, object: noteUri });

    await tern.request(`/api/v1/statuses/${note.id}/unreblog`, {
      method: "POST",
      token: probe.token,
    });
    for (const peer of [follower, author]) {
      const undo = await peer.receivedActivity((a) => a.type === "Undo");
      expect(undo.json).toMatchObject({
        actor: `${TERN}/users/probe`,
        object: { type: "Announce", id: boost.uri, object: noteUri },
      });
    }
    const after = await tern.request(new URL(boost.uri).pathname, {
      headers: { accept: "application/activity+json" },
    });
    expect(after.status).toBe(404);
  });
});
