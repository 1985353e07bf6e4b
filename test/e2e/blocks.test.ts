import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/process.ts";
import {
  api,
  followAndWait,
  followThenSeePost,
  restartSite,
  type Site,
  startSite,
  startTogether,
  stopSite,
} from "../helpers/sites.ts";
import { eventually } from "../helpers/tern.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * Two Tern servers: bob on B blocks alice on A (her follow of him goes on both sides, her
 * replies stop reaching him while they still reach carol); then A suspends B's domain with the
 * CLI (B's inbox POSTs are refused before any signature check, and nothing more reaches B).
 */
const sites: Record<"a" | "b", Site> = {} as never;
type Status = { id: string; uri: string };
type Rel = { following: boolean; followed_by: boolean; blocked_by: boolean; blocking: boolean };

beforeAll(async () => {
  const tls = makeCertificate();
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice"], tls.certFile, tls),
    () => startSite(["bob", "carol"], tls.certFile, tls),
  ]);
}, 120_000);
afterAll(async () => {
  for (const site of Object.values(sites)) await stopSite(site);
});

const rel = async (site: Site, user: string, id: string) =>
  (await api<Rel[]>(site, user, `/api/v1/accounts/relationships?id[]=${id}`))[0];
const lookup = (site: Site, user: string, acct: string) =>
  api<{ id: string }>(site, user, `/api/v1/accounts/lookup?acct=${acct}`);

describe("bob on B blocks alice on A", () => {
  let bobsPost: Status;
  let bobOnA: { id: string };
  let aliceOnB: { id: string };

  it("her follow of him is gone on both sides, and A knows she is blocked", async () => {
    const { a, b } = sites;
    bobsPost = (await followThenSeePost<Status>(b, "bob", a, "alice", "hello from bob")).seen;
    bobOnA = await lookup(a, "alice", `bob@${b.host}`);
    aliceOnB = await lookup(b, "bob", `alice@${a.host}`);
    expect(await rel(b, "bob", aliceOnB.id)).toMatchObject({ followed_by: true });
    expect(
      await api<Rel>(b, "bob", `/api/v1/accounts/${aliceOnB.id}/block`, { method: "POST" }),
    ).toMatchObject({ blocking: true, followed_by: false });
    const followers = await api<{ id: string }[]>(
      b,
      "bob",
      `/api/v1/accounts/${(await api<{ id: string }>(b, "bob", "/api/v1/accounts/verify_credentials")).id}/followers`,
    );
    expect(followers).toEqual([]);
    const onA = await eventually(async () => {
      const r = await rel(a, "alice", bobOnA.id);
      return r.blocked_by && r;
    }, 20_000);
    expect(onA).toMatchObject({ following: false, blocked_by: true });
  });

  it("she cannot reply to him; her post mentioning him and carol notifies carol, not him", async () => {
    const { a, b } = sites;
    // A knows she is blocked: his post is not there for her to answer.
    const reply = await fetch(`${a.server.httpUrl}/api/v1/statuses`, {
      method: "POST",
      headers: { authorization: `Bearer ${a.tokens.alice}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "let me in", in_reply_to_id: bobsPost.id }),
    });
    expect(reply.status).toBe(422);
    await api(a, "alice", "/api/v1/statuses", {
      method: "POST",
      json: { status: `@bob@${b.host} @carol@${b.host} still here` },
    });
    type Note = { type: string; account: { acct: string } };
    await eventually(async () => {
      const n = await api<Note[]>(b, "carol", "/api/v1/notifications");
      return n.some((x) => x.type === "mention" && x.account.acct === `alice@${a.host}`);
    }, 20_000);
    const bobs = await api<Note[]>(b, "bob", "/api/v1/notifications");
    expect(bobs.filter((x) => x.account.acct === `alice@${a.host}`)).toEqual([]);
    const [own] = await api<Status[]>(b, "bob", "/api/v1/timelines/home?limit=1");
    const ctx = await api<{ descendants: Status[] }>(
      b,
      "bob",
      `/api/v1/statuses/${own.id}/context`,
    );
    expect(ctx.descendants).toEqual([]);
  });
});

describe("A suspends B's domain", () => {
  it("refuses B's inbox POSTs before verification and delivers nothing more to B", async () => {
    const { a, b } = sites;
    const aliceOnB = await lookup(b, "carol", `alice@${a.host}`);
    await followAndWait(b, "carol", aliceOnB.id);
    const suspend = () => runCli(["domain", "block", b.host, "--severity", "suspend"], a.env);
    // On PostgreSQL the CLI runs next to the server, whose policy refreshes within seconds; the
    // embedded database allows one process only, so there A is stopped for it.
    if (a.env.DATABASE_URL) await suspend();
    else await restartSite(a, suspend);
    // A forged signature would be a 401 after verification: refused before, as blocked.
    const forged = () =>
      fetch(`${a.server.httpUrl}/inbox`, {
        method: "POST",
        headers: {
          "content-type": "application/activity+json",
          signature: `keyId="https://${b.host}/users/carol#main-key",headers="(request-target)",signature="AAAA"`,
        },
        body: "{}",
      });
    const res = await eventually(async () => {
      const r = await forged();
      return r.status === 403 && r;
    });
    expect(res.status).toBe(403);
    // The purge took carol's follow with it; alice's next post does not reach carol.
    await eventually(async () => {
      const me = await api<{ followers_count: number }>(
        a,
        "alice",
        "/api/v1/accounts/verify_credentials",
      );
      return me.followers_count === 0;
    }, 20_000);
    const post = await api<Status>(a, "alice", "/api/v1/statuses", {
      method: "POST",
      json: { status: `after the suspension @carol@${b.host}` },
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const home = await api<Status[]>(b, "carol", "/api/v1/timelines/home");
    expect(home.some((s) => s.uri === post.uri)).toBe(false);
  }, 90_000);
});
