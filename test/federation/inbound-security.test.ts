/**
 * Hostile and broken deliveries, built from the real GoToSocial and Hollo captures (re-signed by a
 * fake peer, see test/helpers/ap-fixtures.ts): bad or missing signatures, stale dates, a key that
 * is not the actor's, ids on foreign origins, posts claimed for someone else, oversized and
 * malformed bodies. Each must be refused (or, once queued, ignored) and leave the database as it
 * was; none may cause a 500. A correctly signed copy of the same capture is stored, so every
 * refusal is about the flaw under test.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { statuses } from "../../src/db/schema/index.ts";
import { MAX_ACTIVITY_BYTES } from "../../src/federation/inbox-guard.ts";
import {
  FakePeer,
  idOf,
  type SendOptions,
  type Signer,
  settle,
  TERN,
} from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let gts: FakePeer; // bob
let hollo: FakePeer; // alice
let carol: { id: string; signer: Signer }; // a second actor on bob's server, with her own key

type Json = Record<string, unknown>;

beforeAll(async () => {
  tern = await startTestTern();
  const probe = await tern.user("probe");
  gts = await FakePeer.start("gotosocial");
  hollo = await FakePeer.start("hollo");
  carol = await gts.addActor("/users/carol");
  // probe follows bob and alice: any of their posts that gets through would be stored.
  for (const peer of [gts, hollo]) await followAccepted(tern, probe.account, peer.actorId);
});
afterAll(async () => {
  await Promise.all([gts?.close(), hollo?.close()]);
  await tern?.close();
});

async function snapshot() {
  const [row] = await queryRows<{
    statuses: number;
    follows: number;
    feed: number;
    digest: string;
  }>(
    tern.database.db,
    sql`select (select count(*)::int from statuses) as statuses,
               (select count(*)::int from follows) as follows,
               (select count(*)::int from home_feed) as feed,
               (select coalesce(md5(string_agg(uri || content || coalesce(edited_at::text, ''), ',' order by uri)), '')
                  from statuses) as digest`,
  );
  return row;
}

/** Sends `body`, expects `status` (a refusal, or 202 for what the listener must ignore), and
 * checks that nothing changed once the queue is idle. */
async function changesNothing(
  peer: FakePeer,
  body: string | Json,
  status: number | "4xx",
  opts: SendOptions = {},
) {
  const before = await snapshot();
  const res = await peer.send(tern, body, opts);
  if (status === "4xx") {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  } else {
    expect(res.status, await res.clone().text()).toBe(status);
  }
  await settle(tern);
  expect(await snapshot()).toEqual(before);
  return res;
}

/** The public GoToSocial Create, with a fresh status id so each test has its own post. */
function gtsCreate(edit: (a: Json, o: Json) => void = () => {}): Json {
  const fresh = `01M81HWNZ7P8FAK9EAC${Math.random().toString(36).slice(2, 9).toUpperCase()}`;
  const activity = JSON.parse(
    gts.capture("create-note-public").replaceAll("01M81HWNZ7P8FAK9EACJG1M2XN", fresh),
  );
  edit(activity, activity.object);
  return activity;
}

describe("signatures", () => {
  it("stores a correctly signed Create (the control for every refusal below)", async () => {
    const create = gtsCreate();
    expect((await gts.send(tern, create)).status).toBe(202);
    await eventually(
      async () =>
        (
          await tern.database.db
            .select()
            .from(statuses)
            .where(eq(statuses.uri, idOf(create.object)!))
        )[0],
    );
    await settle(tern); // its fan-out too, before the next test takes its snapshot
  });

  it("refuses an unsigned Create and an unsigned Follow with 401", async () => {
    await changesNothing(gts, gtsCreate(), 401, { unsigned: true });
    await changesNothing(gts, gts.capture("follow"), 401, { unsigned: true });
  });

  it("refuses a signature made with a key other than the actor's", async () => {
    const { privateKey } = await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    );
    await changesNothing(gts, gtsCreate(), 401, {
      signer: { keyId: gts.signer.keyId, privateKey },
    });
  });

  it("refuses a body changed after signing (Digest mismatch)", async () => {
    await changesNothing(gts, gtsCreate(), "4xx", {
      tamper: (t) => t.replace("Hello fediverse!", "Send me your password"),
    });
    await changesNothing(hollo, hollo.capture("follow"), "4xx", {
      tamper: (t) => t.replace("@alice#follows", "@alice#follow5"),
    });
  });

  it("refuses a Date two hours old, or two hours ahead", async () => {
    await changesNothing(gts, gtsCreate(), 401, { time: new Date(Date.now() - 2 * 3600_000) });
    await changesNothing(gts, gts.capture("follow"), 401, {
      time: new Date(Date.now() + 2 * 3600_000),
    });
  });

  it("refuses an actor signing for another actor of the same server", async () => {
    // carol's key, bob's name on it: Fedify sees the key owner is not the actor.
    await changesNothing(gts, gtsCreate(), 401, { signer: carol.signer });
  });

  it("refuses an actor of one server signing for an actor of another", async () => {
    // alice (Hollo) sends a Create in bob's name, signed with her own key.
    await changesNothing(hollo, gtsCreate(), 401);
    await changesNothing(hollo, gts.capture("follow"), 401);
  });
});

describe("origins and authorship", () => {
  it("refuses (400) an activity whose id is on another origin than its actor", async () => {
    const res = await changesNothing(
      gts,
      gtsCreate((a) => {
        a.id = `${hollo.origin}/@alice/forged#create`;
      }),
      400,
    );
    expect(await res.json()).toEqual({ error: "Activity id and actor have different origins" });
  });

  it("refuses (400) a Create whose object id is on another origin", async () => {
    await changesNothing(
      gts,
      gtsCreate((_a, o) => {
        o.id = `${hollo.origin}/@alice/01a2031f-0000-7000-8000-000000000000`;
      }),
      400,
    );
    // …also when the object is only named by its IRI.
    await changesNothing(
      gts,
      gtsCreate((a) => (a.object = `${hollo.origin}/@alice/01a2031f-e57a-7ba9-a166-be7dcfd0f395`)),
      400,
    );
  });

  it("ignores a Create whose object is attributed to another actor of the same server", async () => {
    await changesNothing(
      gts,
      gtsCreate((_a, o) => (o.attributedTo = carol.id)),
      202,
    );
  });

  it("ignores a Create whose object is attributed to an actor of another server", async () => {
    await changesNothing(
      gts,
      gtsCreate((_a, o) => (o.attributedTo = hollo.actorId)),
      202,
    );
  });

  it("ignores an Update of bob's post by carol, and a Delete of alice's post by bob", async () => {
    // Two real posts to attack: alice's (Hollo) and bob's (GoToSocial).
    const alicePost = idOf(hollo.captureJson("create-note-public").object)!;
    expect((await hollo.deliver(tern, "create-note-public")).status).toBe(202);
    const bobCreate = gtsCreate();
    expect((await gts.send(tern, bobCreate)).status).toBe(202);
    await eventually(async () => (await snapshot()).statuses >= 3);
    await settle(tern);

    const update = JSON.parse(gts.capture("update-note")) as Json;
    const object = update.object as Json;
    Object.assign(update, { actor: carol.id, id: `${carol.id}#updates/1` });
    Object.assign(object, {
      id: idOf(bobCreate.object),
      attributedTo: carol.id,
      content: "<p>carol was here</p>",
    });
    delete object.contentMap;
    await changesNothing(gts, update, 202, { signer: carol.signer });

    const del = gts.captureJson("delete-note");
    del.object = alicePost;
    // Refused before Fedify now: a Delete may only name the actor's own origin.
    await changesNothing(gts, del, 400);
    expect(
      await tern.database.db.select().from(statuses).where(eq(statuses.uri, alicePost)),
    ).toHaveLength(1);
  });
});

describe("bodies", () => {
  it("refuses a body over 512 KiB with 413", async () => {
    const padding = "x".repeat(MAX_ACTIVITY_BYTES);
    await changesNothing(
      gts,
      gtsCreate((_a, o) => (o.content = `<p>${padding}</p>`)),
      413,
    );
    // A declared Content-Length over the cap is refused before the body is read.
    const before = await snapshot();
    const res = await tern.app.fetch(
      new Request(`${TERN}/inbox`, {
        method: "POST",
        headers: {
          "content-type": "application/activity+json",
          "content-length": String(MAX_ACTIVITY_BYTES + 1),
        },
        body: "{}",
      }),
    );
    expect(res.status).toBe(413);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses malformed JSON and non-object JSON with 400, on both inboxes", async () => {
    const truncated = gts.capture("follow").slice(0, -10);
    await changesNothing(gts, truncated, 400);
    await changesNothing(gts, truncated, 400, { inbox: "/users/probe/inbox" });
    await changesNothing(gts, "[]", 400);
    await changesNothing(gts, "null", 400);
    await changesNothing(gts, '"Follow"', 400);
  });

  it("answers an activity without an actor with 400", async () => {
    const follow = gts.captureJson("follow");
    delete follow.actor;
    await changesNothing(gts, follow, 400);
  });

  it("answers 404 for the inbox of an account that does not exist", async () => {
    const res = await gts.send(tern, gts.capture("follow"), { inbox: "/users/nobody/inbox" });
    expect(res.status).toBe(404);
  });
});
