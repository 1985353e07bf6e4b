/**
 * Quotes and interaction requests from other servers, as signed deliveries from a fake peer (the
 * captured GoToSocial actor, re-keyed; see test/helpers/ap-fixtures.ts): Mastodon 4.5's
 * QuoteRequest (answered by our policy, with a QuoteAuthorization we serve), a Misskey-style
 * `_misskey_quote` (shown as a pending quote, not embedded), GoToSocial's LikeRequest (payload
 * written from GoToSocial's interaction-controls documentation), and a remote post's
 * `interactionPolicy` honoured when we reply. Forged variants store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiGet, FakePeer, idOf, settle, TERN } from "../helpers/ap-fixtures.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

type Json = Record<string, unknown>;
let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
let peer: FakePeer;

beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  peer = await FakePeer.start("gotosocial");
});
afterAll(async () => {
  await peer?.close();
  await tern?.close();
});

interface ApiStatus {
  id: string;
  uri: string;
  quotes_count: number;
  favourites_count: number;
  quote: { state: string; quoted_status: { id: string } | null } | null;
}

async function post(json: Json): Promise<ApiStatus> {
  const res = await tern.request("/api/v1/statuses", { method: "POST", token: probe.token, json });
  expect(res.status).toBe(200);
  return (await res.json()) as ApiStatus;
}
const statusOf = (id: string) => apiGet<ApiStatus>(tern, `/api/v1/statuses/${id}`, probe.token);
const quoteNotes = async () =>
  apiGet<{ status: { uri: string } }[]>(tern, "/api/v1/notifications?types[]=quote", probe.token);
let seq = 0;
const quotingNote = (quoted: string, extra: Json = {}): Json => ({
  id: `${peer.actorId}/statuses/q${++seq}`,
  type: "Note",
  attributedTo: peer.actorId,
  to: ["https://www.w3.org/ns/activitystreams#Public"],
  content: "<p>quoting</p>",
  quote: quoted,
  ...extra,
});
/** Mastodon 4.5's QuoteRequest, the quoting post embedded as `instrument`. */
const quoteRequest = (quoted: string, note: Json, extra: Json = {}): Json => ({
  "@context": [
    "https://www.w3.org/ns/activitystreams",
    { QuoteRequest: "https://w3id.org/fep/044f#QuoteRequest" },
    { quote: { "@id": "https://w3id.org/fep/044f#quote", "@type": "@id" } },
  ],
  id: `${peer.actorId}#quote_requests/${++seq}`,
  type: "QuoteRequest",
  actor: peer.actorId,
  object: quoted,
  instrument: note,
  ...extra,
});
/** A Create of the peer's own public Note `id`, with `extra` fields and `context` terms. */
const createOf = (id: string, extra: Json, context: unknown[]): Json => ({
  "@context": context,
  id: `${id}/activity`,
  type: "Create",
  actor: peer.actorId,
  to: ["https://www.w3.org/ns/activitystreams#Public"],
  object: {
    id,
    type: "Note",
    attributedTo: peer.actorId,
    to: ["https://www.w3.org/ns/activitystreams#Public"],
    ...extra,
  },
});
const answers = (requestId: string) =>
  peer.received.filter((r) => idOf(r.json.object) === requestId).map((r) => r.json);

describe("Mastodon 4.5 QuoteRequest", () => {
  it("is accepted by a public policy: Accept with a QuoteAuthorization we serve", async () => {
    const original = await post({ status: "quote me, Mastodon" });
    const note = quotingNote(original.uri);
    const request = quoteRequest(original.uri, note);
    expect((await peer.send(tern, request)).status).toBe(202);
    const accept = (await peer.receivedActivity((a) => idOf(a.object) === request.id)).json;
    expect(accept.type).toBe("Accept");
    expect(accept.actor).toBe(probe.account.uri);
    const authorization = accept.result as string;
    expect(new URL(authorization).origin).toBe(TERN);
    const res = await tern.request(new URL(authorization).pathname, {
      headers: { accept: "application/activity+json" },
    });
    expect(res.status).toBe(200);
    const served = (await res.json()) as Json;
    expect(served).toMatchObject({
      id: authorization,
      type: "QuoteAuthorization",
      attributedTo: probe.account.uri,
      interactingObject: note.id,
      interactionTarget: original.uri,
    });
    // The quoting post is kept, accepted, counted; probe hears of it.
    await eventually(async () => (await statusOf(original.id)).quotes_count === 1);
    expect((await quoteNotes()).map((n) => n.status.uri)).toContain(note.id);
    const quotes = await apiGet<ApiStatus[]>(
      tern,
      `/api/v1/statuses/${original.id}/quotes`,
      probe.token,
    );
    expect(quotes.map((s) => s.uri)).toEqual([note.id]);
    expect(quotes[0].quote?.quoted_status?.id).toBe(original.id);

    // Revoked: the authorization is no longer served, and its Delete goes to the quoter.
    const revoke = await tern.request(
      `/api/v1/statuses/${original.id}/quotes/${quotes[0].id}/revoke`,
      { method: "POST", token: probe.token },
    );
    expect(revoke.status).toBe(200);
    const del = await peer.receivedActivity(
      (a) => a.type === "Delete" && a.object === authorization,
    );
    expect(del.json.actor).toBe(probe.account.uri);
    const gone = await tern.request(new URL(authorization).pathname, {
      headers: { accept: "application/activity+json" },
    });
    expect(gone.status).toBe(404);
  });

  it("a `nobody` post: Reject, and the quoting post is not stored", async () => {
    const original = await post({ status: "do not quote", quote_approval_policy: "nobody" });
    const note = quotingNote(original.uri);
    const request = quoteRequest(original.uri, note);
    await peer.send(tern, request);
    const reject = (await peer.receivedActivity((a) => idOf(a.object) === request.id)).json;
    expect(reject.type).toBe("Reject");
    expect(reject.result).toBeUndefined();
    await settle(tern);
    expect((await statusOf(original.id)).quotes_count).toBe(0);
    expect((await quoteNotes()).map((n) => n.status.uri)).not.toContain(note.id);
  });

  it("forged requests store nothing and are not answered", async () => {
    const original = await post({ status: "forgery target" });
    const mallory = await peer.addActor("/users/mallory");
    const forged = [
      // The quoting post is someone else's (attributed to mallory, sent by eve's key).
      quoteRequest(original.uri, quotingNote(original.uri, { attributedTo: mallory.id })),
      // It is on another origin than the requester.
      quoteRequest(
        original.uri,
        quotingNote(original.uri, { id: "https://elsewhere.example/statuses/1" }),
      ),
      // It does not quote the post the request names.
      quoteRequest(original.uri, quotingNote("https://elsewhere.example/statuses/2")),
      // The request's id is on another origin than its actor.
      quoteRequest(original.uri, quotingNote(original.uri), {
        id: "https://elsewhere.example/requests/1",
      }),
    ];
    for (const request of forged) expect((await peer.send(tern, request)).status).toBeLessThan(500);
    await settle(tern);
    for (const request of forged) expect(answers(request.id as string)).toEqual([]);
    expect((await statusOf(original.id)).quotes_count).toBe(0);
    const quotes = await apiGet<ApiStatus[]>(
      tern,
      `/api/v1/statuses/${original.id}/quotes`,
      probe.token,
    );
    expect(quotes).toEqual([]);
  });
});

describe("Misskey-style quotes", () => {
  it("`_misskey_quote` is shown as a quote, pending: no authorization, not embedded", async () => {
    const original = await post({ status: "misskey will quote this" });
    const noteId = `${peer.actorId}/notes/mk${++seq}`;
    const create = createOf(
      noteId,
      {
        content: `<p>RE: ${original.uri}</p>`,
        _misskey_quote: original.uri,
        quoteUrl: original.uri,
      },
      [
        "https://www.w3.org/ns/activitystreams",
        {
          misskey: "https://misskey-hub.net/ns#",
          _misskey_quote: "misskey:_misskey_quote",
          quoteUrl: "as:quoteUrl",
        },
      ],
    );
    expect((await peer.send(tern, create)).status).toBe(202);
    await settle(tern);
    // Stored because it quotes our post; shown with the quote pending and nothing embedded.
    const stored = await eventually(async () => {
      const res = await tern.request(
        `/api/v1/accounts/lookup?acct=bob@${new URL(peer.origin).host}`,
        {
          token: probe.token,
        },
      );
      if (res.status !== 200) return undefined;
      const account = (await res.json()) as { id: string };
      const list = await apiGet<ApiStatus[]>(
        tern,
        `/api/v1/accounts/${account.id}/statuses`,
        probe.token,
      );
      return list.find((s) => s.uri === noteId);
    });
    expect(stored.quote).toEqual({ state: "pending", quoted_status: null });
    expect((await statusOf(original.id)).quotes_count).toBe(0);
  });
});

describe("GoToSocial interaction requests", () => {
  /** A LikeRequest as GoToSocial's interaction-controls documentation shows it. */
  const likeRequest = (target: string, likeExtra: Json = {}): Json => {
    const likeId = `${peer.actorId}/liked/${++seq}`;
    return {
      "@context": ["https://gotosocial.org/ns", "https://www.w3.org/ns/activitystreams"],
      type: "LikeRequest",
      id: `${peer.actorId}/like_requests/${seq}`,
      actor: peer.actorId,
      to: probe.account.uri,
      object: target,
      instrument: {
        type: "Like",
        id: likeId,
        actor: peer.actorId,
        object: target,
        to: probe.account.uri,
        ...likeExtra,
      },
    };
  };

  it("LikeRequest: approved with a LikeAuthorization we serve; the like counts", async () => {
    const original = await post({ status: "like me politely" });
    const request = likeRequest(original.uri);
    expect((await peer.send(tern, request)).status).toBe(202);
    const accept = (await peer.receivedActivity((a) => idOf(a.object) === request.id)).json;
    expect(accept.type).toBe("Accept");
    const res = await tern.request(new URL(accept.result as string).pathname, {
      headers: { accept: "application/activity+json" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      type: "LikeAuthorization",
      attributedTo: probe.account.uri,
      interactingObject: (request.instrument as Json).id,
      interactionTarget: original.uri,
    });
    await eventually(async () => (await statusOf(original.id)).favourites_count === 1);
  });

  it("ReplyRequest: approved with a ReplyAuthorization; the reply is kept and counted", async () => {
    const original = await post({ status: "reply to me politely" });
    const replyId = `${peer.actorId}/statuses/reply${++seq}`;
    const request = {
      "@context": ["https://gotosocial.org/ns", "https://www.w3.org/ns/activitystreams"],
      type: "ReplyRequest",
      id: `${peer.actorId}/reply_requests/${seq}`,
      actor: peer.actorId,
      to: probe.account.uri,
      object: original.uri,
      instrument: {
        type: "Note",
        id: replyId,
        attributedTo: peer.actorId,
        inReplyTo: original.uri,
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        cc: [probe.account.uri],
        content: "<p>hey what's up</p>",
      },
    };
    expect((await peer.send(tern, request)).status).toBe(202);
    const accept = (await peer.receivedActivity((a) => idOf(a.object) === request.id)).json;
    expect(accept.type).toBe("Accept");
    const res = await tern.request(new URL(accept.result as string).pathname, {
      headers: { accept: "application/activity+json" },
    });
    expect(await res.json()).toMatchObject({
      type: "ReplyAuthorization",
      interactingObject: replyId,
      interactionTarget: original.uri,
    });
    const context = await apiGet<{ descendants: { uri: string }[] }>(
      tern,
      `/api/v1/statuses/${original.id}/context`,
      probe.token,
    );
    expect(context.descendants.map((d) => d.uri)).toEqual([replyId]);
  });

  it("a LikeRequest whose Like is someone else's, or of another post, stores nothing", async () => {
    const original = await post({ status: "no forged likes" });
    const other = await post({ status: "another post" });
    const forged = [
      likeRequest(original.uri, { actor: `${peer.origin}/users/mallory` }),
      likeRequest(original.uri, { object: other.uri }),
      likeRequest(original.uri, { id: "https://elsewhere.example/liked/1" }),
    ];
    for (const request of forged) await peer.send(tern, request);
    await settle(tern);
    for (const request of forged) expect(answers(request.id as string)).toEqual([]);
    expect((await statusOf(original.id)).favourites_count).toBe(0);
    expect((await statusOf(other.id)).favourites_count).toBe(0);
  });
});

describe("our Notes publish an interactionPolicy; remote ones are honoured", () => {
  it("a Note carries canQuote by its policy, and quote fields once it quotes", async () => {
    const original = await post({ status: "policy", quote_approval_policy: "followers" });
    const res = await tern.request(new URL(original.uri).pathname, {
      headers: { accept: "application/activity+json" },
    });
    const note = (await res.json()) as Json;
    const policy = note.interactionPolicy as Record<string, { automaticApproval: unknown }>;
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
    expect(list(policy.canLike.automaticApproval)).toEqual(["as:Public"]);
    expect(list(policy.canQuote.automaticApproval)).toContain(`${probe.account.uri}/followers`);
    const quoting = await post({ status: "self quote", quoted_status_id: original.id });
    const fetched = (await (
      await tern.request(new URL(quoting.uri).pathname, {
        headers: { accept: "application/activity+json" },
      })
    ).json()) as Json;
    expect(fetched.quote).toBe(original.uri);
    expect(fetched._misskey_quote).toBe(original.uri);
    expect(fetched.quoteUri).toBe(original.uri);
    expect(typeof fetched.quoteAuthorization).toBe("string");
  });

  it("replying to a GoToSocial post whose canReply is its author only is a 422", async () => {
    const noteId = `${peer.actorId}/statuses/closed${++seq}`;
    const create = createOf(
      noteId,
      {
        content: "<p>no replies please @probe</p>",
        tag: [{ type: "Mention", href: probe.account.uri, name: "@probe@tern.test" }],
        interactionPolicy: {
          canLike: { automaticApproval: ["https://www.w3.org/ns/activitystreams#Public"] },
          canReply: { automaticApproval: [peer.actorId] },
          canAnnounce: { automaticApproval: [peer.actorId] },
        },
      },
      ["https://gotosocial.org/ns", "https://www.w3.org/ns/activitystreams"],
    );
    expect((await peer.send(tern, create)).status).toBe(202);
    const mention = await eventually(async () => {
      const notes = await apiGet<{ status?: { id: string; uri: string } }[]>(
        tern,
        "/api/v1/notifications?types[]=mention",
        probe.token,
      );
      return notes.find((n) => n.status?.uri === noteId)?.status;
    });
    // probe is mentioned: GoToSocial lets the mentioned reply. Another local account may not.
    const reply = await tern.request("/api/v1/statuses", {
      method: "POST",
      token: probe.token,
      json: { status: "I may", in_reply_to_id: mention.id },
    });
    expect(reply.status).toBe(200);
    const other = await tern.user("other");
    const refused = await tern.request("/api/v1/statuses", {
      method: "POST",
      token: other.token,
      json: { status: "I may not", in_reply_to_id: mention.id },
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: string }).error).toMatch(/does not allow/);
    const liked = await tern.request(`/api/v1/statuses/${mention.id}/favourite`, {
      method: "POST",
      token: other.token,
    });
    expect(liked.status).toBe(200);
  });
});

describe("a remote post quoting another remote post", () => {
  const context = [
    "https://www.w3.org/ns/activitystreams",
    {
      QuoteAuthorization: "https://w3id.org/fep/044f#QuoteAuthorization",
      quote: { "@id": "https://w3id.org/fep/044f#quote", "@type": "@id" },
      quoteAuthorization: { "@id": "https://w3id.org/fep/044f#quoteAuthorization", "@type": "@id" },
      gts: "https://gotosocial.org/ns#",
      interactingObject: { "@id": "gts:interactingObject", "@type": "@id" },
      interactionTarget: { "@id": "gts:interactionTarget", "@type": "@id" },
    },
  ];

  /** carol's post on the peer, quoted by eve (the peer's actor) with an authorization by carol. */
  async function quoteOfCarol(authorizes: (quotingId: string) => string) {
    const carol = await peer.addActor(`/users/carol${++seq}`);
    const quotedId = `${carol.id}/statuses/${seq}`;
    peer.serve(quotedId, {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: quotedId,
      type: "Note",
      attributedTo: carol.id,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      content: "<p>carol's words</p>",
    });
    const quotingId = `${peer.actorId}/statuses/quoting${seq}`;
    const authorization = `${carol.id}/authorizations/${seq}`;
    peer.serve(authorization, {
      "@context": context,
      id: authorization,
      type: "QuoteAuthorization",
      attributedTo: carol.id,
      interactingObject: authorizes(quotingId),
      interactionTarget: quotedId,
    });
    const create = createOf(
      quotingId,
      {
        content: "<p>@probe look what carol said</p>",
        tag: [{ type: "Mention", href: probe.account.uri, name: "@probe@tern.test" }],
        quote: quotedId,
        quoteAuthorization: authorization,
      },
      context,
    );
    expect((await peer.send(tern, create)).status).toBe(202);
    const status = await eventually(async () => {
      const notes = await apiGet<{ status?: { id: string; uri: string } }[]>(
        tern,
        "/api/v1/notifications?types[]=mention",
        probe.token,
      );
      return notes.find((n) => n.status?.uri === quotingId)?.status;
    });
    return { status, quotedId };
  }

  it("is accepted once the authorization fetched from the quoted origin checks out", async () => {
    const { status, quotedId } = await quoteOfCarol((quotingId) => quotingId);
    const accepted = await eventually(async () => {
      const s = (await statusOf(status.id)) as ApiStatus & {
        quote: { quoted_status: { uri: string } | null };
      };
      return s.quote?.state === "accepted" ? s : undefined;
    });
    expect(accepted.quote?.quoted_status?.uri).toBe(quotedId);
  });

  it("an authorization for another post leaves the quote pending, not embedded", async () => {
    const { status } = await quoteOfCarol(() => `${peer.actorId}/statuses/something-else`);
    await settle(tern);
    expect((await statusOf(status.id)).quote).toEqual({ state: "pending", quoted_status: null });
  });
});
