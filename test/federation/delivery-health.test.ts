import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFederationHosts } from "../../src/cli/federation.ts";
import { loadConfig } from "../../src/config/index.ts";
import { queryRows } from "../../src/db/client.ts";
import { removeGoneRecipient } from "../../src/federation/delivery-outcomes.ts";
import { resolveRemoteAccount } from "../../src/federation/resolve.ts";
import { FakePeer } from "../helpers/fake-peer.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * What admins and peers notice of delivery health: a remote account whose inbox answers 410 Gone
 * is removed with its follows; a host failing for longer than DELIVERY_UNREACHABLE_DAYS is
 * skipped (and shown to admins) until a delivery to it goes through again; and one peer
 * flooding the inbox is told to come back later while another still gets in.
 */
let t: TestTern;
let gone: FakePeer;
let down: FakePeer;
let loud: FakePeer;
let alice: { token: string; id: string };
const aliceUri = "https://tern.test/users/alice";
const INBOX_LIMIT = 4;

const follow = (peer: FakePeer, name: string) =>
  peer.sign(
    `${aliceUri}/inbox`,
    {
      id: `${peer.actorIdOf(name)}#follow-${Math.random().toString(36).slice(2)}`,
      type: "Follow",
      actor: peer.actorIdOf(name),
      object: aliceUri,
    },
    name,
  );

const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(t.database.db, query);
const hostOf = (peer: FakePeer) => new URL(peer.origin).host;
const hostRow = async (peer: FakePeer) =>
  (
    await rows<{ failure_count: number; unreachable_since: Date | null }>(
      sql`select failure_count, unreachable_since from delivery_hosts where host = ${hostOf(peer)}`,
    )
  )[0];
/** Time passes for the retries waiting for `peer`: they are due now. */
const retryNow = (peer: FakePeer) =>
  t.database.db.execute(sql`update jobs set run_at = now() where host = ${hostOf(peer)}`);
const accountId = async (uri: string) =>
  (await rows<{ id: string }>(sql`select id::text from accounts where uri = ${uri}`))[0]?.id;

beforeAll(async () => {
  t = await startTestTern({ RATE_LIMITS: "true", INBOX_HOST_RATE_LIMIT: `${INBOX_LIMIT}/5m` });
  const { token, account } = await t.user("alice");
  alice = { token, id: account.id };
  [gone, down, loud] = await Promise.all([1, 2, 3].map(() => new FakePeer().start()));
}, 90_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([gone, down, loud].map((p) => p?.stop()));
});

describe("410 Gone", () => {
  it("from an actor's own inbox removes the account and its follows both ways", async () => {
    gone.inboxStatus = (path) => (path.startsWith("/users/ghost/") ? 410 : 202);
    expect((await t.app.fetch(await follow(gone, "ghost"))).status).toBe(202);
    const ghost = await eventually(() => accountId(gone.actorIdOf("ghost")));
    // alice followed ghost too: that follow goes with the account.
    await t.database.db.execute(
      sql`insert into follows (id, follower_id, following_id, state, uri)
          values (${`${Date.now()}1`}, ${alice.id}, ${ghost}, 'accepted', ${`${aliceUri}#f-ghost`})`,
    );
    // Our Accept of ghost's follow is answered 410: ghost is gone, follows and all.
    await eventually(async () => !(await accountId(gone.actorIdOf("ghost"))), 15_000);
    const left = await rows<{ n: number }>(
      sql`select count(*)::int as n from follows where follower_id = ${ghost} or following_id = ${ghost}`,
    );
    expect(left[0].n).toBe(0);
  });

  it("from the actor's own URL, when fetched, removes the account too", async () => {
    expect((await t.app.fetch(await follow(gone, "phantom"))).status).toBe(202);
    const uri = gone.actorIdOf("phantom");
    await eventually(() => accountId(uri));
    gone.actorStatus = (name) => (name === "phantom" ? 410 : 200);
    const data = { db: t.database.db, config: t.config };
    expect(await resolveRemoteAccount(t.federation, data, uri)).toBeNull();
    expect(await accountId(uri)).toBeUndefined();
  });

  it("from a shared inbox, or for an inbox several actors share, removes no one", async () => {
    expect((await t.app.fetch(await follow(gone, "carol"))).status).toBe(202);
    const carolUri = gone.actorIdOf("carol");
    await eventually(() => accountId(carolUri));
    const shared = new URL(`${gone.origin}/inbox`);
    await t.database.db.execute(
      sql`update accounts set shared_inbox_url = ${shared.href} where uri = ${carolUri}`,
    );
    const db = t.database.db;
    expect(await removeGoneRecipient(db, shared, 410, [new URL(carolUri)])).toBe(false);
    const own = new URL(`${carolUri}/inbox`);
    expect(await removeGoneRecipient(db, own, 410, [new URL(carolUri), own])).toBe(false);
    expect(await removeGoneRecipient(db, own, 404, [new URL(carolUri)])).toBe(false);
    expect(await accountId(carolUri)).toBeDefined();
  });
});

describe("unreachable hosts", () => {
  it("are skipped past the threshold, shown to admins, and cleared by a delivery that goes through", async () => {
    down.inboxStatus = () => 503;
    expect((await t.app.fetch(await follow(down, "bob"))).status).toBe(202);
    // The Accept fails: one failure recorded, the host not yet unreachable.
    const first = await eventually(async () => {
      const row = await hostRow(down);
      return row && row.failure_count > 0 && row;
    });
    expect(first.unreachable_since).toBeNull();

    // Four days of failures later (DELIVERY_UNREACHABLE_DAYS defaults to 3), the retry fails too.
    await t.database.db.execute(
      sql`update delivery_hosts set first_failure_at = now() - interval '4 days' where host = ${hostOf(down)}`,
    );
    await retryNow(down);
    await eventually(async () => (await hostRow(down))?.unreachable_since, 15_000);

    // A new post's delivery to bob is skipped, not sent.
    const post = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      json: { status: "while you were away" },
    });
    expect(post.status).toBe(200);
    const admin = await t.user("ops", { scopes: "admin:read" });
    await t.database.db.execute(
      sql`update local_users set role = 'admin' where account_id = ${admin.account.id}`,
    );
    const listed = await eventually(async () => {
      const res = await t.request("/api/v1/tern/admin/delivery_hosts", { token: admin.token });
      const hosts = (await res.json()) as { host: string; skipped_deliveries: number }[];
      const row = hosts.find((h) => h.host === hostOf(down));
      return row && row.skipped_deliveries >= 1 && row;
    }, 15_000);
    expect(listed).toMatchObject({ unreachable_since: expect.any(String), circuit: "closed" });
    expect(down.deliveries.some((d) => d.activity.type === "Create")).toBe(false);
    expect(await runFederationHosts(t.database.db)).toMatch(
      new RegExp(`^${hostOf(down)}  unreachable since .* skipped [1-9]`, "m"),
    );
    // A user's token, even with the scope, is refused; so is an admin's without it.
    const user = await t.user("mere", { scopes: "admin:read" });
    expect(
      (await t.request("/api/v1/tern/admin/delivery_hosts", { token: user.token })).status,
    ).toBe(403);
    expect(
      (await t.request("/api/v1/tern/admin/delivery_hosts", { token: alice.token })).status,
    ).toBe(403);

    // bob's server is back: the Accept's retry goes through and clears the mark.
    down.inboxStatus = () => 202;
    await retryNow(down);
    await eventually(async () => {
      const row = await hostRow(down);
      return row?.failure_count === 0 && row.unreachable_since === null;
    }, 15_000);
    // New deliveries flow again.
    await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      json: { status: "welcome back" },
    });
    await eventually(async () => down.deliveries.some((d) => d.activity.type === "Create"), 15_000);
  });
});

describe("inbound throttling per host", () => {
  it("answers 429 with Retry-After beyond the limit, while another host still gets in", async () => {
    for (let i = 0; i < INBOX_LIMIT; i++)
      expect((await t.app.fetch(await follow(loud, `l${i}`))).status).toBe(202);
    const refused = await t.app.fetch(await follow(loud, "one_more"));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // gone's server sent two POSTs so far: still under its own limit.
    expect((await t.app.fetch(await follow(gone, "q"))).status).toBe(202);
  });

  it("is off with RATE_LIMITS=false, as every limit", () => {
    expect(loadConfig({}).rateLimits.inboxHost).toEqual({ max: 3000, windowMs: 300_000 });
    expect(loadConfig({ RATE_LIMITS: "false" }).rateLimits.inboxHost).toBeNull();
    expect(loadConfig({ INBOX_HOST_RATE_LIMIT: "off" }).rateLimits.inboxHost).toBeNull();
  });
});
