import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * What another server reads about this one: WebFinger, host-meta, NodeInfo, the actor document
 * with every field Mastodon uses, the instance actor, and the paged collections.
 */
let t: TestTern;
let alice: Awaited<ReturnType<TestTern["user"]>>;
const AP = { accept: "application/activity+json" };
const get = async (path: string, headers: Record<string, string> = AP) => {
  const res = await t.request(path, { headers });
  expect(res.status, path).toBe(200);
  return res.json();
};

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice", { locked: true });
  const bob = await t.user("bob");
  await t.request(`/api/v1/accounts/${alice.account.id}/follow`, {
    method: "POST",
    token: bob.token,
  });
  await t.request(`/api/v1/follow_requests/${bob.account.id}/authorize`, {
    method: "POST",
    token: alice.token,
  });
  for (const status of ["one", "two", "three"]) {
    await t.request("/api/v1/statuses", { method: "POST", token: alice.token, json: { status } });
  }
  await t.request("/api/v1/statuses", {
    method: "POST",
    token: alice.token,
    json: { status: "reply", in_reply_to_id: alice.account.id },
  });
});
afterAll(() => t.close());

describe("discovery", () => {
  it("answers WebFinger by handle and by profile URL, with the actor link", async () => {
    for (const resource of [
      "acct:alice@tern.test",
      "https://tern.test/@alice",
      "https://tern.test/users/alice",
    ]) {
      const doc = await get(`/.well-known/webfinger?resource=${encodeURIComponent(resource)}`, {});
      // The subject is the resource asked for; the acct: handle is always among subject/aliases.
      expect([doc.subject, ...(doc.aliases ?? [])]).toContain("acct:alice@tern.test");
      expect(doc.links).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            rel: "self",
            type: "application/activity+json",
            href: "https://tern.test/users/alice",
          }),
        ]),
      );
    }
    const missing = await t.request("/.well-known/webfinger?resource=acct:nobody@tern.test");
    expect(missing.status).toBe(404);
  });

  it("serves host-meta as XRD, open to browsers (CORS)", async () => {
    const res = await t.request("/.well-known/host-meta", {
      headers: { origin: "https://elk.zone" },
    });
    expect(res.headers.get("content-type")).toMatch(/application\/xrd\+xml/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.text()).toContain(
      'template="https://tern.test/.well-known/webfinger?resource={uri}"',
    );
  });

  it("serves NodeInfo 2.0 and 2.1 with real usage counts", async () => {
    const index = await get("/.well-known/nodeinfo", {});
    expect(index.links.map((l: { href: string }) => l.href)).toEqual([
      "https://tern.test/nodeinfo/2.0",
      "https://tern.test/nodeinfo/2.1",
    ]);
    for (const version of ["2.0", "2.1"]) {
      const doc = await get(`/nodeinfo/${version}`, {});
      expect(doc.version).toBe(version);
      expect(doc.software.name).toBe("tern");
      expect(doc.protocols).toEqual(["activitypub"]);
      expect(doc.usage.users).toEqual({ total: 2, activeMonth: 1, activeHalfyear: 1 });
      expect(doc.usage.localPosts).toBe(3);
      expect(doc.usage.localComments).toBe(0);
    }
  });

  it("serves an actor document with what Mastodon reads", async () => {
    const actor = await get("/users/alice");
    expect(actor).toMatchObject({
      id: "https://tern.test/users/alice",
      type: "Person",
      preferredUsername: "alice",
      url: "https://tern.test/@alice",
      inbox: "https://tern.test/users/alice/inbox",
      outbox: "https://tern.test/users/alice/outbox",
      followers: "https://tern.test/users/alice/followers",
      following: "https://tern.test/users/alice/following",
      featured: "https://tern.test/users/alice/featured",
      endpoints: { sharedInbox: "https://tern.test/inbox" },
      manuallyApprovesFollowers: true,
      discoverable: true,
      indexable: true,
    });
    expect(actor.name).toBe("alice");
    expect(typeof actor.published).toBe("string");
    expect(actor.publicKey).toMatchObject({ owner: actor.id });
    expect(actor.publicKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const methods = [actor.assertionMethod].flat();
    expect(methods.map((m: { type: string }) => m.type)).toEqual(["Multikey", "Multikey"]);
    expect(
      methods.every((m: { publicKeyMultibase: string }) => m.publicKeyMultibase.startsWith("z")),
    ).toBe(true);
  });

  it("serves the instance actor, which signs the server's fetches", async () => {
    const actor = await get("/users/tern.instance");
    expect(actor).toMatchObject({ type: "Application", preferredUsername: "tern.test" });
    expect(actor.publicKey.publicKeyPem).toMatch(/PUBLIC KEY/);
  });

  it("pages followers and the outbox", async () => {
    const followers = await get("/users/alice/followers");
    expect(followers.totalItems).toBe(1);
    const firstFollowers = await get(
      new URL(followers.first).pathname + new URL(followers.first).search,
    );
    expect(firstFollowers.orderedItems).toEqual(["https://tern.test/users/bob"]);

    const outbox = await get("/users/alice/outbox");
    expect(outbox.totalItems).toBe(3);
    const page = await get(new URL(outbox.first).pathname + new URL(outbox.first).search);
    const notes = page.orderedItems.map((a: { type: string; object: { content: string } }) => [
      a.type,
      a.object.content,
    ]);
    expect(notes).toEqual([
      ["Create", "<p>three</p>"],
      ["Create", "<p>two</p>"],
      ["Create", "<p>one</p>"],
    ]);
    const following = await get("/users/alice/following");
    expect(following.totalItems).toBe(0);
  });

  it("serves a public Note with Mastodon's addressing", async () => {
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      json: { status: "hello @bob #Tern", visibility: "unlisted" },
    });
    const status = await res.json();
    const note = await eventually(async () => {
      const r = await t.request(new URL(status.uri).pathname, { headers: AP });
      return r.ok && r.json();
    });
    expect(note).toMatchObject({
      id: status.uri,
      type: "Note",
      attributedTo: "https://tern.test/users/alice",
      to: "https://tern.test/users/alice/followers",
      // Fedify writes the public collection as the compact "as:Public", which Mastodon reads.
      cc: expect.arrayContaining(["as:Public", "https://tern.test/users/bob"]),
    });
    expect([note.tag].flat()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: "Mention",
          href: "https://tern.test/users/bob",
          name: "@bob@tern.test",
        }),
        expect.objectContaining({ type: "Hashtag", name: "#tern" }),
      ]),
    );
  });

  it("answers odd collection pages and names with 404, never 500", async () => {
    for (const path of [
      "/users/alice/outbox?cursor=abc",
      "/users/alice/outbox?cursor=99999999999999999999999",
      "/users/alice/followers?cursor=xyz",
      "/users/alice/following?cursor=1e5",
      "/users/%00",
      "/users/%00/outbox",
      "/users/nobody/outbox",
      "/users/nobody/followers",
      "/@%00",
    ]) {
      for (const headers of [AP, {}]) {
        expect((await t.request(path, { headers })).status, path).toBe(404);
      }
    }
  });
});
