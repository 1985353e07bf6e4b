/**
 * Pins across servers, with Hollo's captured `add-featured` / `remove-featured` activities and
 * featured collection (re-signed by a fake peer, see test/helpers/ap-fixtures.ts):
 * - a remote account's featured collection is read when the account is first stored, and its
 *   posts (fetched when unknown) are its pins on Tern;
 * - `Add` / `Remove` to the sender's own featured collection pin and unpin, fetching an unknown post;
 * - forged variants (someone else's collection, someone else's post, a post on another origin,
 *   another collection) store nothing;
 * - a local pin sends `Add` (object: the Note id, target: the featured collection) to followers,
 *   an unpin `Remove`, both signed.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, statuses } from "../../src/db/schema/index.ts";
import {
  apiGet,
  FakePeer,
  idOf,
  settle,
  TERN,
  verifyTernSignature,
} from "../helpers/ap-fixtures.ts";
import { statusAction } from "../helpers/api-client.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
let hollo: FakePeer;
let gts: FakePeer;

beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  hollo = await FakePeer.start("hollo");
  gts = await FakePeer.start("gotosocial");
});
afterAll(async () => {
  await hollo?.close();
  await gts?.close();
  await tern?.close();
});

interface ApiStatus {
  id: string;
  uri: string;
}
const noteId = (peer: FakePeer, name: string) =>
  peer.rewrite(
    {
      public: "http://hollo.test/@alice/01a2031f-e57a-7ba9-a166-be7dcfd0f395",
      unlisted: "http://hollo.test/@alice/01a2031f-f7b1-7a17-b2a6-f2b377dc3ac4",
      followers: "http://hollo.test/@alice/01a20320-0a10-7ad8-88df-f3e9241765b7",
      warning: "http://hollo.test/@alice/01a20320-2e2b-7cb2-b335-e4a71eb84710",
    }[name]!,
  );

async function accountIdOf(uri: string): Promise<string | undefined> {
  const [row] = await tern.database.db.select().from(accounts).where(eq(accounts.uri, uri));
  return row?.id;
}
/** The pins of a remote account as a Mastodon client on Tern sees them. */
async function pinsOf(uri: string): Promise<string[]> {
  const id = await accountIdOf(uri);
  if (!id) return [];
  const path = `/api/v1/accounts/${id}/statuses?pinned=true`;
  return (await apiGet<ApiStatus[]>(tern, path, probe.token)).map((s) => s.uri);
}
const stored = async (uri: string) =>
  (await tern.database.db.select().from(statuses).where(eq(statuses.uri, uri))).length > 0;

/** Hollo's featured collection, as it would serve it with these posts pinned. */
function serveFeatured(peer: FakePeer, items: string[]) {
  const id = peer.rewrite("http://hollo.test/@alice/pinned");
  peer.serve(new URL(id).pathname, {
    "@context": "https://www.w3.org/ns/activitystreams",
    id,
    type: "OrderedCollection",
    totalItems: items.length,
    orderedItems: items,
  });
}

describe("a remote account's pins", () => {
  it("are read from its featured collection when the account is first stored", async () => {
    serveFeatured(hollo, [noteId(hollo, "public")]);
    // Hollo's alice follows probe: Tern stores her, and a job reads her featured collection.
    expect((await hollo.deliver(tern, "follow")).status).toBe(202);
    await eventually(async () => (await pinsOf(hollo.actorId)).length === 1);
    expect(await pinsOf(hollo.actorId)).toEqual([noteId(hollo, "public")]);
  });

  it("Remove and Add to her own featured collection unpin and pin (an unknown post is fetched)", async () => {
    expect((await hollo.deliver(tern, "remove-featured")).status).toBe(202);
    await eventually(async () => (await pinsOf(hollo.actorId)).length === 0);
    expect((await hollo.deliver(tern, "add-featured")).status).toBe(202);
    await eventually(async () => (await pinsOf(hollo.actorId)).length === 1);

    // The captured Add, aimed at a post Tern has not seen: fetched, stored, pinned.
    expect(await stored(noteId(hollo, "unlisted"))).toBe(false);
    const add = hollo.captureJson("add-featured");
    const { proof: _p, signature: _s, ...plain } = add;
    await hollo.send(tern, {
      ...plain,
      id: `${add.id}-unlisted`,
      object: noteId(hollo, "unlisted"),
    });
    await eventually(async () => (await pinsOf(hollo.actorId)).length === 2);
    expect((await pinsOf(hollo.actorId)).sort()).toEqual(
      [noteId(hollo, "public"), noteId(hollo, "unlisted")].sort(),
    );
  });

  it("forged Adds and Removes store nothing", async () => {
    const before = (await pinsOf(hollo.actorId)).sort();
    const mallory = await hollo.addActor("/users/mallory");
    const add = hollo.captureJson("add-featured");
    const { proof: _p, signature: _s, ...plain } = add;
    const target = String(add.target);
    const forged = (n: number, fields: Record<string, unknown>) => ({
      ...plain,
      id: `${mallory.id}#forged/${n}`,
      actor: mallory.id,
      ...fields,
    });
    // mallory adds to alice's collection, and removes from it.
    await hollo.send(tern, forged(1, { object: noteId(hollo, "followers") }), {
      signer: mallory.signer,
    });
    const remove = hollo.captureJson("remove-featured");
    const { proof: _rp, signature: _rs, ...plainRemove } = remove;
    await hollo.send(
      tern,
      { ...plainRemove, id: `${mallory.id}#forged/2`, actor: mallory.id },
      { signer: mallory.signer },
    );
    // mallory adds alice's post to his own collection.
    await hollo.send(
      tern,
      forged(3, { object: noteId(hollo, "public"), target: `${mallory.id}/pinned` }),
      { signer: mallory.signer },
    );
    // alice adds a post of another server, of ours, or to another collection of hers.
    const elsewhere = gts.rewrite("http://gts.test/users/bob/statuses/01JDXDQKPZ5MYFNM8JN4B5FB3X");
    const own = { ...plain, actor: hollo.actorId };
    await hollo.send(tern, { ...own, id: `${add.id}-elsewhere`, object: elsewhere });
    await hollo.send(tern, {
      ...own,
      id: `${add.id}-ours`,
      object: `${TERN}/users/probe/statuses/1`,
    });
    await hollo.send(tern, {
      ...own,
      id: `${add.id}-followers`,
      object: noteId(hollo, "warning"),
      target: `${hollo.actorId}/followers`,
    });
    await hollo.send(tern, {
      ...own,
      id: `${add.id}-no-target`,
      object: noteId(hollo, "warning"),
      target: undefined,
    });
    // mallory adds a public post of alice's to alice's collection.
    await hollo.send(tern, forged(4, { object: noteId(hollo, "warning") }), {
      signer: mallory.signer,
    });
    await settle(tern);
    expect((await pinsOf(hollo.actorId)).sort()).toEqual(before);
    expect(await pinsOf(mallory.id)).toEqual([]);
    expect(await stored(elsewhere)).toBe(false);
    expect(await stored(noteId(hollo, "followers"))).toBe(false);
    expect(await stored(noteId(hollo, "warning"))).toBe(false);
    expect(target).toBe(`${hollo.actorId}/pinned`);
  });
});

describe("a local pin", () => {
  it("sends a signed Add to followers, and its unpin a Remove", async () => {
    expect((await gts.deliver(tern, "follow")).status).toBe(202);
    await eventually(async () => {
      const path = `/api/v1/accounts/${probe.account.id}/followers`;
      return (await apiGet<{ uri: string }[]>(tern, path, probe.token)).some(
        (a) => a.uri === gts.actorId,
      );
    });
    const res = await tern.request("/api/v1/statuses", {
      method: "POST",
      token: probe.token,
      json: { status: "pinned for the fediverse" },
    });
    const post = (await res.json()) as ApiStatus;
    await statusAction(tern, probe, post.id, "pin");
    const featured = `${TERN}/users/probe/featured`;
    const add = await gts.receivedActivity((a) => a.type === "Add");
    expect(add.json).toMatchObject({ actor: `${TERN}/users/probe`, target: featured });
    expect(idOf(add.json.object)).toBe(post.uri);
    expect(await verifyTernSignature(tern, gts, add)).toBe(`${TERN}/users/probe`);

    await statusAction(tern, probe, post.id, "unpin");
    const remove = await gts.receivedActivity((a) => a.type === "Remove");
    expect(remove.json).toMatchObject({ actor: `${TERN}/users/probe`, target: featured });
    expect(idOf(remove.json.object)).toBe(post.uri);
  });
});
