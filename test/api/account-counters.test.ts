/**
 * The counts an Account shows (statuses, followers, following, last status) come from counters
 * kept with every change: local posts and deletes, local follows, and what other servers send
 * (Follow, Undo, Accept, Reject, Create, Delete), re-sent activities included. Concurrent follows
 * of one account must end at the exact count (on PostgreSQL they really run at once).
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountStats, accounts, follows } from "../../src/db/schema/index.ts";
import { resolveRemoteAccount } from "../../src/federation/resolve.ts";
import { followAccount, unfollowAccount } from "../../src/services/follows/follows.ts";
import { FakePeer, idOf, settle } from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

interface Counts {
  statuses_count: number;
  followers_count: number;
  following_count: number;
  last_status_at: string | null;
}
type User = Awaited<ReturnType<TestTern["user"]>>;

let t: TestTern;
let probe: User;
let gts: FakePeer;
let hollo: FakePeer;

beforeAll(async () => {
  t = await startTestTern();
  probe = await t.user("probe");
  gts = await FakePeer.start("gotosocial");
  hollo = await FakePeer.start("hollo");
});
afterAll(async () => {
  await Promise.all([gts?.close(), hollo?.close()]);
  await t?.close();
});

/** What a client sees of a local account. */
async function counts(user: User): Promise<Counts> {
  const res = await t.request(`/api/v1/accounts/${user.account.id}`, { token: user.token });
  expect(res.status).toBe(200);
  const a = (await res.json()) as Counts;
  return {
    statuses_count: a.statuses_count,
    followers_count: a.followers_count,
    following_count: a.following_count,
    last_status_at: a.last_status_at,
  };
}

/** What this server has seen of a remote account (its own server's figures aside). */
async function seen(actorId: string) {
  const [row] = await t.database.db
    .select({
      statuses: accountStats.statusesCount,
      followers: accountStats.followersCount,
      following: accountStats.followingCount,
    })
    .from(accountStats)
    .innerJoin(accounts, eq(accounts.id, accountStats.accountId))
    .where(eq(accounts.uri, actorId));
  return row ?? { statuses: 0, followers: 0, following: 0 };
}

async function post(user: User, status: string, visibility = "public"): Promise<string> {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token: user.token,
    json: { status, visibility },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

const today = () => new Date().toISOString().slice(0, 10);

describe("local statuses", () => {
  it("count public, unlisted and followers-only posts, not direct ones, and deletions", async () => {
    const writer = await t.user("writer");
    expect(await counts(writer)).toMatchObject({ statuses_count: 0, last_status_at: null });
    await post(writer, "one");
    await post(writer, "two", "unlisted");
    const third = await post(writer, "three", "private");
    expect(await counts(writer)).toMatchObject({ statuses_count: 3, last_status_at: today() });

    const dm = await t.user("dm");
    await post(dm, "@writer a secret", "direct");
    expect(await counts(dm)).toMatchObject({ statuses_count: 0, last_status_at: null });

    const del = () =>
      t.request(`/api/v1/statuses/${third}`, { method: "DELETE", token: writer.token });
    expect((await del()).status).toBe(200);
    expect((await del()).status).toBe(404);
    expect((await counts(writer)).statuses_count).toBe(2);
  });
});

describe("local follows", () => {
  it("count accepted follows on both sides, once, and drop them on unfollow", async () => {
    const star = await t.user("star");
    const fan = await t.user("fan");
    const follow = () =>
      t.request(`/api/v1/accounts/${star.account.id}/follow`, { method: "POST", token: fan.token });
    const unfollow = () =>
      t.request(`/api/v1/accounts/${star.account.id}/unfollow`, {
        method: "POST",
        token: fan.token,
      });
    expect((await follow()).status).toBe(200);
    expect((await follow()).status).toBe(200);
    expect((await counts(star)).followers_count).toBe(1);
    expect((await counts(fan)).following_count).toBe(1);
    expect((await unfollow()).status).toBe(200);
    expect((await unfollow()).status).toBe(200);
    expect((await counts(star)).followers_count).toBe(0);
    expect((await counts(fan)).following_count).toBe(0);
  });

  it("count a locked account's follower only once the request is authorized", async () => {
    const guarded = await t.user("guarded", { locked: true });
    const asker = await t.user("asker");
    await t.request(`/api/v1/accounts/${guarded.account.id}/follow`, {
      method: "POST",
      token: asker.token,
    });
    expect((await counts(guarded)).followers_count).toBe(0);
    expect((await counts(asker)).following_count).toBe(0);
    const res = await t.request(`/api/v1/follow_requests/${asker.account.id}/authorize`, {
      method: "POST",
      token: guarded.token,
    });
    expect(res.status).toBe(200);
    expect((await counts(guarded)).followers_count).toBe(1);
    expect((await counts(asker)).following_count).toBe(1);
  });

  it("end at the exact count when many accounts follow and unfollow one at once", async () => {
    const popular = await t.user("popular");
    const many = await Promise.all(Array.from({ length: 30 }, (_, i) => t.user(`many${i}`)));
    const db = t.database.db;
    await Promise.all(many.map((u) => followAccount(db, u.account, popular.account)));
    expect((await counts(popular)).followers_count).toBe(30);
    await Promise.all(
      many.slice(0, 20).map((u) => unfollowAccount(db, u.account, popular.account)),
    );
    expect((await counts(popular)).followers_count).toBe(10);
    expect((await counts(many[25])).following_count).toBe(1);
  });
});

describe("remote follows", () => {
  it("a Follow counts once however often it is sent, and Undo takes it back", async () => {
    const followId = idOf(gts.captureJson("follow").id)!;
    const accepts = () =>
      gts.received.filter((r) => r.json.type === "Accept" && idOf(r.json.object) === followId)
        .length;
    expect((await gts.deliver(t, "follow")).status).toBe(202);
    await eventually(async () => accepts() === 1);
    expect((await gts.deliver(t, "follow")).status).toBe(202);
    await eventually(async () => accepts() === 2);
    expect((await counts(probe)).followers_count).toBe(1);
    expect((await seen(gts.actorId)).following).toBe(1);

    expect((await gts.deliver(t, "undo-follow")).status).toBe(202);
    await eventually(async () => (await counts(probe)).followers_count === 0);
    await settle(t);
    expect((await gts.deliver(t, "undo-follow")).status).toBe(202);
    await settle(t);
    expect((await counts(probe)).followers_count).toBe(0);
    expect((await seen(gts.actorId)).following).toBe(0);
  });

  it("our Follow counts once accepted (a re-sent Accept changes nothing) and not after Reject", async () => {
    const remote = await resolveRemoteAccount(
      t.federation,
      { db: t.database.db, config: t.config },
      hollo.actorId,
    );
    const res = await t.request(`/api/v1/accounts/${remote!.id}/follow`, {
      method: "POST",
      token: probe.token,
    });
    expect(res.status).toBe(200);
    expect((await counts(probe)).following_count).toBe(0);
    const [row] = await t.database.db
      .select()
      .from(follows)
      .where(and(eq(follows.followerId, probe.account.id), eq(follows.followingId, remote!.id)));
    const acceptId = idOf(hollo.captureJson("accept-follow").object)!;
    const accept = () =>
      hollo.deliver(t, "accept-follow", { edit: (text) => text.replaceAll(acceptId, row.uri) });
    expect((await accept()).status).toBe(202);
    await eventually(async () => (await counts(probe)).following_count === 1);
    expect((await accept()).status).toBe(202);
    await settle(t);
    expect((await counts(probe)).following_count).toBe(1);
    expect((await seen(hollo.actorId)).followers).toBe(1);

    const rejectId = idOf(hollo.captureJson("reject-follow-on-block").object)!;
    const reject = await hollo.deliver(t, "reject-follow-on-block", {
      edit: (text) => text.replaceAll(rejectId, row.uri),
    });
    expect(reject.status).toBe(202);
    await eventually(async () => (await counts(probe)).following_count === 0);
    expect((await seen(hollo.actorId)).followers).toBe(0);
  });
});

describe("remote statuses", () => {
  it("a Create counts once however often it is sent; direct ones and deleted ones do not", async () => {
    await followAccepted(t, probe.account, gts.actorId);
    expect((await gts.deliver(t, "create-note-to-delete")).status).toBe(202);
    await eventually(async () => (await seen(gts.actorId)).statuses === 1);
    expect((await gts.deliver(t, "create-note-to-delete")).status).toBe(202);
    expect((await gts.deliver(t, "create-note-direct")).status).toBe(202);
    await settle(t);
    expect((await seen(gts.actorId)).statuses).toBe(1);

    expect((await gts.deliver(t, "delete-note")).status).toBe(202);
    await eventually(async () => (await seen(gts.actorId)).statuses === 0);
    expect((await gts.deliver(t, "delete-note")).status).toBe(202);
    await settle(t);
    expect((await seen(gts.actorId)).statuses).toBe(0);
  });
});
