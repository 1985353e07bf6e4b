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
 * Two Tern servers as separate processes over TLS on loopback. A poll alice posts on A reaches
 * bob on B as a poll; bob's vote goes to A as a Note and is counted there; carol's vote on A then
 * comes back to B in A's Update(Question). A direct message bob sends from B is in alice's
 * conversations on A, unread.
 */
const sites: Record<"a" | "b", Site> = {} as never;
interface Poll {
  id: string;
  votes_count: number;
  voters_count: number | null;
  own_votes?: number[];
  options: { title: string; votes_count: number | null }[];
}
interface Status {
  id: string;
  uri: string;
  content: string;
  poll: Poll | null;
}
interface Conversation {
  id: string;
  unread: boolean;
  accounts: { acct: string }[];
  last_status: Status | null;
}

beforeAll(async () => {
  const tls = makeCertificate();
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice", "carol"], tls.certFile, tls),
    () => startSite(["bob"], tls.certFile, tls),
  ]);
}, 180_000);
afterAll(async () => {
  await stopSite(sites.a);
  await stopSite(sites.b);
});

describe("polls and direct conversations across two Tern servers", () => {
  let aliceOnB: { id: string };

  it("a poll on A is voted on from B, and the counts come back to B", async () => {
    const { a, b } = sites;
    aliceOnB = await api<{ id: string }>(b, "bob", `/api/v1/accounts/lookup?acct=alice@${a.host}`);
    await followAndWait(b, "bob", aliceOnB.id);
    const post = await api<Status>(a, "alice", "/api/v1/statuses", {
      method: "POST",
      json: { status: "Lunch?", poll: { options: ["soup", "salad"], expires_in: 3600 } },
    });
    const seen = await eventually(async () => {
      const home = await api<Status[]>(b, "bob", "/api/v1/timelines/home");
      return home.find((s) => s.uri === post.uri);
    }, 30_000);
    expect(seen.poll).toMatchObject({
      votes_count: 0,
      options: [{ title: "soup" }, { title: "salad" }],
    });

    const voted = await api<Poll>(b, "bob", `/api/v1/polls/${seen.poll!.id}/votes`, {
      method: "POST",
      json: { choices: [1] },
    });
    expect(voted).toMatchObject({ votes_count: 1, own_votes: [1] });
    const onA = () => api<Poll>(a, "alice", `/api/v1/polls/${post.poll!.id}`);
    await eventually(async () => (await onA()).votes_count === 1, 30_000);
    expect(await onA()).toMatchObject({
      voters_count: 1,
      options: [{ votes_count: 0 }, { votes_count: 1 }],
    });

    // carol votes on A: B learns the new counts only from A's Update(Question).
    await api(a, "carol", `/api/v1/polls/${post.poll!.id}/votes`, {
      method: "POST",
      json: { choices: [0] },
    });
    const onB = await eventually(async () => {
      const poll = await api<Poll>(b, "bob", `/api/v1/polls/${seen.poll!.id}`);
      return poll.votes_count === 2 && poll;
    }, 30_000);
    expect(onB).toMatchObject({
      voters_count: 2,
      own_votes: [1],
      options: [{ votes_count: 1 }, { votes_count: 1 }],
    });
  }, 120_000);

  it("a direct message from B is in alice's conversations on A", async () => {
    const { a, b } = sites;
    const dm = await api<Status>(b, "bob", "/api/v1/statuses", {
      method: "POST",
      json: { status: `@alice@${a.host} just between us`, visibility: "direct" },
    });
    const found = await eventually(async () => {
      const list = await api<Conversation[]>(a, "alice", "/api/v1/conversations");
      return list.find((c) => c.last_status?.uri === dm.uri);
    }, 30_000);
    expect(found.unread).toBe(true);
    expect(found.accounts.map((x) => x.acct)).toEqual([`bob@${b.host}`]);
    expect(found.last_status?.content).toContain("just between us");
    // bob's own side, on B: the same conversation, read.
    const mine = await api<Conversation[]>(b, "bob", "/api/v1/conversations");
    expect(mine.find((c) => c.last_status?.id === dm.id)).toMatchObject({
      unread: false,
      accounts: [{ acct: `alice@${a.host}` }],
    });
  }, 120_000);
});
