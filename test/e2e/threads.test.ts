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
 * Two Tern servers as separate processes over TLS on loopback: bob on B follows alice on A (she
 * does not follow him) and answers her post without mentioning her. A keeps the reply (it answers
 * a local post), shows it in the thread and counts it; bob's delete takes both back.
 */
type Status = { id: string; uri: string; replies_count: number };
type Context = { ancestors: Status[]; descendants: Status[] };
const sites: Record<"a" | "b", Site> = {} as never;

beforeAll(async () => {
  const tls = makeCertificate();
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice"], tls.certFile, tls),
    () => startSite(["bob"], tls.certFile, tls),
  ]);
}, 120_000);
afterAll(async () => {
  for (const site of Object.values(sites)) await stopSite(site);
});

describe("a thread across two Tern servers", () => {
  it("bob's reply on B shows in the context of alice's post on A, counted, until he deletes it", async () => {
    const { a, b } = sites;
    const aliceOnB = await api<{ id: string }>(
      b,
      "bob",
      `/api/v1/accounts/lookup?acct=alice@${a.host}`,
    );
    await followAndWait(b, "bob", aliceOnB.id);

    const post = await api<Status>(a, "alice", "/api/v1/statuses", {
      method: "POST",
      json: { status: "What do you think?" },
    });
    const seen = await eventually(async () => {
      const home = await api<Status[]>(b, "bob", "/api/v1/timelines/home");
      return home.find((s) => s.uri === post.uri);
    }, 20_000);
    const reply = await api<Status>(b, "bob", "/api/v1/statuses", {
      method: "POST",
      json: { status: "I think it works", in_reply_to_id: seen.id },
    });

    const context = () => api<Context>(a, "alice", `/api/v1/statuses/${post.id}/context`);
    const threaded = await eventually(async () => {
      const { descendants } = await context();
      return descendants.length > 0 && descendants;
    }, 20_000);
    expect(threaded.map((s) => s.uri)).toEqual([reply.uri]);
    expect((await api<Status>(a, "alice", `/api/v1/statuses/${post.id}`)).replies_count).toBe(1);
    // Anonymous readers of A see the public reply too.
    const anonymous = await fetch(`${a.server.httpUrl}/api/v1/statuses/${post.id}/context`);
    expect(((await anonymous.json()) as Context).descendants.map((s) => s.uri)).toEqual([
      reply.uri,
    ]);

    await api(b, "bob", `/api/v1/statuses/${reply.id}`, { method: "DELETE" });
    await eventually(
      async () =>
        (await api<Status>(a, "alice", `/api/v1/statuses/${post.id}`)).replies_count === 0,
      20_000,
    );
    expect((await context()).descendants).toEqual([]);
  }, 90_000);
});
