import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  followAndWait,
  type Site,
  startSite,
  startTogether,
  stopSite,
} from "../helpers/sites.ts";
import { eventually } from "../helpers/tern.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * Two Tern servers as separate processes over TLS on loopback. bob on B boosts alice's post on A
 * (an Announce goes to A): alice is notified and counts it; he takes it back (Undo(Announce)):
 * the count is 0 again. alice boosts bob's post: carol on B, who follows alice, sees the boost
 * in her home, bob is notified on B; alice's unboost takes it out of carol's home.
 */
const sites: Record<"a" | "b", Site> = {} as never;
interface Status {
  id: string;
  uri: string;
  reblogs_count: number;
  reblogged: boolean;
  account: { acct: string };
  reblog: Status | null;
}
interface Notification {
  type: string;
  account: { acct: string };
  status?: { id: string };
}

beforeAll(async () => {
  const tls = makeCertificate();
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice"], tls.certFile, tls),
    () => startSite(["bob", "carol"], tls.certFile, tls),
  ]);
}, 300_000);
afterAll(async () => {
  await stopSite(sites.a);
  await stopSite(sites.b);
});

const lookup = (site: Site, user: string, acct: string) =>
  api<{ id: string }>(site, user, `/api/v1/accounts/lookup?acct=${acct}`);
const inHome = (site: Site, user: string, match: (s: Status) => boolean) =>
  eventually(
    async () => (await api<Status[]>(site, user, "/api/v1/timelines/home")).find(match),
    20_000,
  );
const notifications = async (site: Site, user: string) =>
  (await api<Notification[]>(site, user, "/api/v1/notifications?types[]=reblog")).map((n) => [
    n.account.acct,
    n.status?.id,
  ]);

describe("boosts across two Tern servers", () => {
  it("bob boosts alice's post and takes it back; alice's boost reaches carol's home", async () => {
    const { a, b } = sites;
    const aliceOnB = await lookup(b, "bob", `alice@${a.host}`);
    await followAndWait(b, "bob", aliceOnB.id);
    await followAndWait(b, "carol", aliceOnB.id);
    const post = await api<Status>(a, "alice", "/api/v1/statuses", {
      method: "POST",
      json: { status: "Boost me from B" },
    });
    const seen = await inHome(b, "bob", (s) => s.uri === post.uri);

    const boost = await api<Status>(b, "bob", `/api/v1/statuses/${seen.id}/reblog`, {
      method: "POST",
    });
    expect(boost.reblog).toMatchObject({ id: seen.id, reblogged: true, reblogs_count: 1 });
    const onA = () => api<Status>(a, "alice", `/api/v1/statuses/${post.id}`);
    await eventually(async () => (await onA()).reblogs_count === 1, 20_000);
    const by = await api<{ acct: string }[]>(
      a,
      "alice",
      `/api/v1/statuses/${post.id}/reblogged_by`,
    );
    expect(by.map((x) => x.acct)).toEqual([`bob@${b.host}`]);
    expect(await notifications(a, "alice")).toEqual([[`bob@${b.host}`, post.id]]);

    await api(b, "bob", `/api/v1/statuses/${seen.id}/unreblog`, { method: "POST" });
    await eventually(async () => (await onA()).reblogs_count === 0, 20_000);
    expect(await notifications(a, "alice")).toEqual([]);

    // alice follows bob, so his post reaches A; her boost of it goes to her followers on B.
    const bobOnA = await lookup(a, "alice", `bob@${b.host}`);
    await followAndWait(a, "alice", bobOnA.id);
    const bobs = await api<Status>(b, "bob", "/api/v1/statuses", {
      method: "POST",
      json: { status: "Boost me from A" },
    });
    const bobsOnA = await inHome(a, "alice", (s) => s.uri === bobs.uri);
    await api(a, "alice", `/api/v1/statuses/${bobsOnA.id}/reblog`, { method: "POST" });
    const carolSees = await inHome(b, "carol", (s) => s.reblog?.uri === bobs.uri);
    expect(carolSees.account.acct).toBe(`alice@${a.host}`);
    expect(carolSees.reblog).toMatchObject({ id: bobs.id, reblogs_count: 1 });
    expect(await notifications(b, "bob")).toEqual([[`alice@${a.host}`, bobs.id]]);

    await api(a, "alice", `/api/v1/statuses/${bobsOnA.id}/unreblog`, { method: "POST" });
    await eventually(async () => {
      const home = await api<Status[]>(b, "carol", "/api/v1/timelines/home");
      return !home.some((s) => s.reblog?.uri === bobs.uri);
    }, 20_000);
    expect((await api<Status>(b, "bob", `/api/v1/statuses/${bobs.id}`)).reblogs_count).toBe(0);
  });
});
