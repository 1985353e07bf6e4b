/**
 * The inbox parses each activity once (parsed-activities.ts) and jsonld keeps Fedify's bundled
 * contexts processed (static-contexts.ts). Neither may change what is accepted: a parse answered
 * from memory is only ever the same JSON object parsed with the same document loader, and every
 * forged copy of an activity the inbox has just parsed and accepted (or refused) is still refused.
 */
import { generateCryptoKeyPair } from "@fedify/fedify";
import { Activity, Create } from "@fedify/vocab";
import { getDocumentLoader, preloadedContexts } from "@fedify/vocab-runtime";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statuses } from "../../src/db/schema/index.ts";
import { rememberParsedActivities } from "../../src/federation/parsed-activities.ts";
import { withStaticContexts } from "../../src/federation/static-contexts.ts";
import { type FakePeer, settle } from "../helpers/ap-fixtures.ts";
import { type Hostile, startHostile } from "../helpers/hostile.ts";

type Json = Record<string, unknown>;
const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
const AS = "https://www.w3.org/ns/activitystreams";
let n = 0;

function create(actor: string): { activity: Json; uri: string } {
  const uri = `${actor}/inbox-parsing/${Date.now()}-${n++}`;
  const activity = {
    "@context": AS,
    id: `${uri}#create`,
    type: "Create",
    actor,
    to: [PUBLIC],
    object: { id: uri, type: "Note", attributedTo: actor, content: `<p>${n}</p>`, to: [PUBLIC] },
  };
  return { activity, uri };
}

describe("one parse per activity", () => {
  const loader = getDocumentLoader();
  const other = getDocumentLoader();
  beforeAll(() => rememberParsedActivities());

  it("answers a second parse of the same object and document loader from the first", async () => {
    const { activity } = create("https://peer.example/users/a");
    const first = await Activity.fromJsonLd(activity, { documentLoader: loader });
    expect(first).toBeInstanceOf(Create);
    expect(await Activity.fromJsonLd(activity, { documentLoader: loader })).toBe(first);
  });

  it("parses again for another object, another document loader or another base URL", async () => {
    const { activity } = create("https://peer.example/users/a");
    const first = await Activity.fromJsonLd(activity, { documentLoader: loader });
    const copy = structuredClone(activity);
    expect(await Activity.fromJsonLd(copy, { documentLoader: loader })).not.toBe(first);
    expect(await Activity.fromJsonLd(activity, { documentLoader: other })).not.toBe(first);
    const baseUrl = new URL("https://peer.example/");
    expect(await Activity.fromJsonLd(activity, { documentLoader: loader, baseUrl })).not.toBe(
      first,
    );
  });

  it("does not keep a failed parse", async () => {
    const activity: Json = { "@context": AS, id: "not a url", type: "Create" };
    await expect(Activity.fromJsonLd(activity, { documentLoader: loader })).rejects.toThrow();
    activity.id = "https://peer.example/activities/1";
    expect((await Activity.fromJsonLd(activity, { documentLoader: loader })).id?.href).toBe(
      "https://peer.example/activities/1",
    );
  });
});

describe("bundled contexts", () => {
  it("are tagged static for jsonld; other documents are passed on as they came", async () => {
    const fetched = { contextUrl: null, document: { "@context": {} }, documentUrl: "x" };
    const loader = withStaticContexts(
      async (url: string): Promise<{ document: unknown; tag?: string }> =>
        url === AS ? { document: preloadedContexts[AS] } : fetched,
    );
    expect((await loader(AS)).tag).toBe("static");
    expect(await loader("https://peer.example/context.jsonld")).toBe(fetched);
  });
});

describe("forged copies next to an accepted activity", () => {
  let h: Hostile;
  let alice: FakePeer;
  beforeAll(async () => {
    h = await startHostile();
    alice = h.hollo;
  });
  afterAll(async () => h?.close());
  const stored = async (uri: string) =>
    (await h.tern.database.db.select().from(statuses).where(eq(statuses.uri, uri))).length;

  it("refuses a copy signed with another key, before and after the genuine one is stored", async () => {
    const { activity, uri } = create(alice.actorId);
    const { privateKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    const forged = { signer: { keyId: alice.signer.keyId, privateKey } };
    expect((await alice.send(h.tern, activity, forged)).status).toBe(401);
    expect((await alice.send(h.tern, activity)).status).toBe(202);
    await settle(h.tern);
    expect(await stored(uri)).toBe(1);
    expect((await alice.send(h.tern, activity, forged)).status).toBe(401);
  });

  it("refuses the same activity signed by an actor of another server", async () => {
    const { activity, uri } = create(alice.actorId);
    expect((await alice.send(h.tern, activity)).status).toBe(202);
    // bob (GoToSocial) sends alice's Create, signed with his own key.
    expect((await h.gts.send(h.tern, activity)).status).toBe(401);
    await settle(h.tern);
    expect(await stored(uri)).toBe(1);
  });
});
