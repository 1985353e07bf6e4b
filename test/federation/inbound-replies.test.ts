/**
 * Replies from GoToSocial, Hollo and snac as they really arrive (captured `create-note-reply`,
 * re-signed by a fake peer, see test/helpers/ap-fixtures.ts), adapted so that they answer one of
 * probe's posts here and mention nobody we know: the sender is followed by nobody, and the reply
 * is still kept, shown in the thread and counted once (Hollo delivers it twice). Then replies to
 * posts we do not have: the worker fetches the parent from the peer (and its parents, at most
 * PARENT_FETCH_DEPTH of them), keeps only what passes the origin rules, and the thread shows it.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statuses } from "../../src/db/schema/index.ts";
import { PARENT_FETCH_DEPTH } from "../../src/services/statuses/remote.ts";
import { apiGet, FakePeer, idOf, type Software, settle, TERN } from "../helpers/ap-fixtures.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

interface ApiStatus {
  id: string;
  uri: string;
  replies_count: number;
  in_reply_to_id: string | null;
}
interface ApiContext {
  ancestors: ApiStatus[];
  descendants: ApiStatus[];
}

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
const peers = {} as Record<Software, FakePeer>;

beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  for (const sw of ["gotosocial", "hollo", "snac"] as const) peers[sw] = await FakePeer.start(sw);
});
afterAll(async () => {
  await Promise.all(Object.values(peers).map((p) => p.close()));
  await tern?.close();
});

async function post(text: string): Promise<ApiStatus> {
  const res = await tern.request("/api/v1/statuses", {
    method: "POST",
    token: probe.token,
    json: { status: text },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ApiStatus;
}
const status = (id: string) => apiGet<ApiStatus>(tern, `/api/v1/statuses/${id}`, probe.token);
const context = (id: string) =>
  apiGet<ApiContext>(tern, `/api/v1/statuses/${id}/context`, probe.token);
const stored = async (uri: string) =>
  (await tern.database.db.select().from(statuses).where(eq(statuses.uri, uri)))[0];

/** The capture, answering `parentUri` and addressed to a local name that does not exist. */
const aimedAt = (parentUri: string) => (body: string) =>
  body
    .replaceAll(`${TERN}/users/probe`, `${TERN}/users/nobody`)
    .replace(/https:\/\/tern\.test\/users\/nobody\/posts\/[0-9a-f-]+/g, parentUri);

describe.each([
  ["gotosocial", ["create-note-reply"]],
  ["hollo", ["create-note-reply.personal-inbox", "create-note-reply.shared-inbox"]],
  ["snac", ["create-note-reply"]],
] as const)("a reply from %s to a local post, sender followed by nobody", (sw, captures) => {
  it("is stored, shown in the post's context and counted once", async () => {
    const peer = peers[sw];
    const parent = await post(`a post ${sw} answers`);
    const replyUri = idOf(JSON.parse(peer.capture(captures[0])).object)!;
    for (const capture of captures) {
      const res = await peer.deliver(tern, capture, {
        edit: aimedAt(`${TERN}${new URL(parent.uri).pathname}`),
      });
      expect(res.status).toBe(202);
    }
    const descendants = await eventually(async () => {
      const { descendants } = await context(parent.id);
      return descendants.length > 0 && descendants;
    });
    await settle(tern);
    expect(descendants.map((s) => s.uri)).toEqual([replyUri]);
    expect(descendants[0].in_reply_to_id).toBe(parent.id);
    expect((await status(parent.id)).replies_count).toBe(1);
    // A re-delivery of the same Create neither stores nor counts it again.
    await peer.deliver(tern, captures[0], { edit: aimedAt(parent.uri) });
    await settle(tern);
    expect((await status(parent.id)).replies_count).toBe(1);
  });
});

const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

describe("a reply to a post we do not have", () => {
  const gts = () => peers.gotosocial;
  /** A Note on the GoToSocial peer, by its sender, answering `parent` (if any). */
  const note = (id: string, parent: string | null, extra: Record<string, unknown> = {}) => ({
    "@context": "https://www.w3.org/ns/activitystreams",
    id,
    type: "Note",
    attributedTo: gts().actorId,
    to: [PUBLIC],
    content: `<p>${id}</p>`,
    published: "2026-11-22T11:00:00Z",
    inReplyTo: parent,
    ...extra,
  });
  /** The captured reply, under a new id, answering `parentUri` (it still mentions probe). */
  const replyTo = async (tag: string, parentUri: string) => {
    const edit = (body: string) =>
      body
        .replaceAll("01M81HXXVG1KHTQE4D4B72Y2JJ", tag)
        .replace(/https:\/\/tern\.test\/users\/probe\/posts\/[0-9a-f-]+/g, parentUri);
    const uri = idOf(JSON.parse(edit(gts().capture("create-note-reply"))).object)!;
    expect((await gts().deliver(tern, "create-note-reply", { edit })).status).toBe(202);
    return eventually(() => stored(uri));
  };

  it(`fetches the parent and its own, ${PARENT_FETCH_DEPTH} at most, and the thread shows them`, async () => {
    const chain = Array.from(
      { length: 8 },
      (_, i) => `${gts().origin}/users/bob/statuses/CHAIN${i}`,
    );
    for (let i = 1; i < chain.length; i++)
      gts().serve(chain[i], note(chain[i], chain[i + 1] ?? null));
    const reply = await replyTo("CHAIN0", chain[1]);
    await eventually(() => stored(chain[PARENT_FETCH_DEPTH]), 15_000);
    await settle(tern);
    // The sixth one up is past the limit: not fetched, and the thread stops below it.
    expect(await stored(chain[PARENT_FETCH_DEPTH + 1])).toBeUndefined();
    const { ancestors } = await context(reply.id);
    expect(ancestors.map((s) => s.uri)).toEqual(chain.slice(1, PARENT_FETCH_DEPTH + 1).reverse());
    // The reply arrived first; its parent, stored later, adopted and counted it.
    const parent = (await stored(chain[1]))!;
    expect((await stored(reply.uri))?.inReplyToId).toBe(parent.id);
    expect((await status(parent.id)).replies_count).toBe(1);
  });

  it("keeps no parent that breaks the origin rules or is not addressed to us", async () => {
    const base = `${gts().origin}/users/bob/statuses`;
    const cases = {
      // Served here, claiming to be another server's post.
      foreignId: note("http://elsewhere.test/notes/1", null),
      // A post on this peer attributed to someone on another server.
      foreignAuthor: note(`${base}/FOREIGNAUTHOR`, null, {
        attributedTo: "http://elsewhere.test/users/mallory",
      }),
      // Followers-only, addressed to nobody here.
      private: note(`${base}/PRIVATE`, null, { to: [`${gts().actorId}/followers`] }),
      // Not a post at all.
      actor: {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${base}/ACTOR`,
        type: "Person",
        inbox: `${base}/inbox`,
      },
    };
    const replies = [];
    for (const [name, doc] of Object.entries(cases)) {
      const url = `${base}/${name.toUpperCase()}`;
      gts().serve(url, { ...doc, id: name === "foreignId" ? doc.id : url });
      replies.push(await replyTo(`BAD${name.toUpperCase()}`, url));
    }
    // A control in the same batch: a good parent is fetched, so the refusals above are the rules'.
    const good = `${base}/GOOD`;
    gts().serve(good, note(good, null));
    await replyTo("GOODPARENT", good);
    await eventually(() => stored(good));
    await settle(tern);
    for (const [name] of Object.entries(cases)) {
      expect(await stored(`${base}/${name.toUpperCase()}`)).toBeUndefined();
    }
    expect(await stored("http://elsewhere.test/notes/1")).toBeUndefined();
    for (const r of replies) expect((await context(r.id)).ancestors).toEqual([]);
  });
});
