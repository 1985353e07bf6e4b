import { afterAll, beforeAll, expect, it } from "vitest";
import { blockDomain } from "../../src/services/safety/server-domains.ts";
import { FakePeer } from "../helpers/fake-peer.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * AUTHORIZED_FETCH=true as a peer sees it: alice's public post is served only to a signed GET
 * from a server we federate with (401 unsigned, 403 from a suspended domain or an account alice
 * blocks); the instance actor, WebFinger and each actor's key stay fetchable unsigned, so that
 * servers can verify our signatures and sign their own fetches.
 */
let t: TestTern;
let friend: FakePeer;
let suspended: FakePeer;
let noteUrl: string;
let token: string;
const alice = "https://tern.test/users/alice";
const AP = { accept: "application/activity+json" };

const get = (url: string) => t.app.fetch(new Request(url, { headers: AP }));

beforeAll(async () => {
  t = await startTestTern({ AUTHORIZED_FETCH: "true" });
  [friend, suspended] = await Promise.all([new FakePeer().start(), new FakePeer().start()]);
  ({ token } = await t.user("alice"));
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token,
    json: { status: "for signed eyes", visibility: "public" },
  });
  noteUrl = ((await res.json()) as { uri: string }).uri;
  await blockDomain(
    t.database.db,
    { domain: new URL(suspended.origin).host, severity: "suspend" },
    null,
  );
}, 90_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([friend?.stop(), suspended?.stop()]);
});

it("refuses an unsigned GET of a note with 401", async () => {
  const res = await get(noteUrl);
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toMatch(/Signature/);
});

it("serves the note to a GET signed by a peer we federate with", async () => {
  const res = await t.app.fetch(await friend.signedGet(noteUrl));
  expect(res.status).toBe(200);
  expect(((await res.json()) as { id: string }).id).toBe(noteUrl);
});

it("refuses a GET signed by a suspended domain with 403, even for public things", async () => {
  expect((await t.app.fetch(await suspended.signedGet(noteUrl))).status).toBe(403);
  expect((await t.app.fetch(await suspended.signedGet(`${alice}/outbox`))).status).toBe(403);
});

it("refuses a GET signed by an account alice blocks, not one by its neighbour", async () => {
  // mallory becomes known here by following alice; alice blocks her.
  const follow = await t.app.fetch(
    await friend.sign(
      `${alice}/inbox`,
      {
        id: `${friend.actorIdOf("mallory")}#f`,
        type: "Follow",
        actor: friend.actorIdOf("mallory"),
        object: alice,
      },
      "mallory",
    ),
  );
  expect(follow.status).toBe(202);
  const acct = `mallory@${new URL(friend.origin).host}`;
  const mallory = await eventually(async () => {
    const r = await t.request(`/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`);
    return r.status === 200 && ((await r.json()) as { id: string });
  });
  const blocked = await t.request(`/api/v1/accounts/${mallory.id}/block`, {
    method: "POST",
    token,
  });
  expect(blocked.status).toBe(200);
  expect((await t.app.fetch(await friend.signedGet(noteUrl, "mallory"))).status).toBe(403);
  expect((await t.app.fetch(await friend.signedGet(noteUrl, "eve"))).status).toBe(200);
});

it("keeps the instance actor, WebFinger and each actor's key fetchable unsigned", async () => {
  const instance = await get("https://tern.test/users/tern.instance");
  expect(instance.status).toBe(200);
  expect(((await instance.json()) as { publicKey?: unknown }).publicKey).toBeDefined();
  const wf = await t.request("/.well-known/webfinger?resource=acct:alice@tern.test");
  expect(wf.status).toBe(200);
  // alice's actor, unsigned: the key to verify her signatures, not her profile or followers.
  const actor = (await (await get(alice)).json()) as Record<string, unknown>;
  expect(actor).toMatchObject({ id: alice, inbox: `${alice}/inbox` });
  expect(actor.publicKey).toBeDefined();
  expect(actor.followers).toBeUndefined();
  // Signed, the whole actor.
  const full = (await (await t.app.fetch(await friend.signedGet(alice))).json()) as Record<
    string,
    unknown
  >;
  expect(full.followers).toBe(`${alice}/followers`);
  expect((await get(`${alice}/followers`)).status).toBe(401);
});
