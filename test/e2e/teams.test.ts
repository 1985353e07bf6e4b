import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { runCli } from "../helpers/process.ts";
import {
  api,
  followAndWait,
  restartSite,
  type Site,
  startSite,
  startTogether,
  stopSite,
} from "../helpers/sites.ts";
import { eventually } from "../helpers/tern.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * Issue 13's scenario on two Tern server processes over TLS. On A, the admin creates a brand
 * account owned by alice with `tern team` (run next to the running server: through its socket on
 * the embedded database, on the database itself with PostgreSQL), puts erin on its team as an
 * editor and ann as an analyst, and gives each a token for the brand (`tern token create
 * --member`, the token the OAuth account chooser grants). bob on B follows the brand; erin
 * schedules a Markdown post, which publishes and reaches bob's home as HTML; bob replies,
 * favourites and boosts. A's analytics then show one server and one follower reached, the three
 * interactions from B's host and bob's follow from B's host, to ann, who may not post.
 */
type Status = { id: string; uri: string; content: string };
const sites: Record<"a" | "b", Site> = {} as never;
const tokens: Record<"erin" | "ann", string> = {} as never;
let brandId: string;

/** A call on A with a token of the brand's; resolves with the status code and the body. */
async function asBrand(who: "erin" | "ann", path: string, json?: unknown) {
  const res = await fetch(`${sites.a.server.httpUrl}${path}`, {
    method: json ? "POST" : "GET",
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(json ? { "content-type": "application/json" } : {}),
    },
    body: json ? JSON.stringify(json) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * Makes a scheduled post due now, its publishing job too: the API keeps Mastodon's 5-minute
 * lead, so as test/api/scheduled-statuses.test.ts does, the time is moved in the database.
 */
async function makeDue(site: Site, id: string) {
  const database = await openDatabase({
    databaseUrl: site.env.DATABASE_URL,
    dataDir: site.env.DATA_DIR,
    maxConnections: 1,
  });
  try {
    await database.db.execute(
      sql`update scheduled_statuses set scheduled_at = now() - interval '1 second' where id = ${id}`,
    );
    await database.db.execute(sql`update jobs set run_at = now()
      where payload->>'type' = 'status.publish_scheduled' and payload->>'scheduledStatusId' = ${id}`);
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  const tls = makeCertificate();
  // Reach is folded every second, not every minute, so the figures show up while we wait.
  const fast = { ANALYTICS_AGGREGATE_SECONDS: "1" };
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice", "erin", "ann"], tls.certFile, tls, undefined, fast),
    () => startSite(["bob"], tls.certFile, tls),
  ]);
}, 300_000);
afterAll(async () => {
  for (const site of Object.values(sites)) await stopSite(site);
});

describe("a brand account's team across two Tern servers", () => {
  it("is set up with tern team next to the running server", async () => {
    const { env } = sites.a;
    const created = await runCli(["team", "create", "brand", "--owner", "alice"], env);
    brandId = /\(id (\d+)\)/.exec(created)![1];
    await Promise.all([
      runCli(["team", "add", "brand", "erin", "--role", "editor"], env),
      runCli(["team", "add", "brand", "ann", "--role", "analyst"], env),
    ]);
    [tokens.erin, tokens.ann] = await Promise.all([
      runCli(["token", "create", "brand", "--member", "erin"], env),
      runCli(["token", "create", "brand", "--member", "ann"], env),
    ]);
    const [list, unknown] = await Promise.allSettled([
      runCli(["team", "list", "brand"], env),
      runCli(["team", "add", "brand", "nobody", "--role", "editor"], env),
    ]);
    expect(list).toEqual({
      status: "fulfilled",
      value: "@alice owner\n@ann analyst\n@erin editor",
    });
    // A refusal is one line on stderr and a non-zero exit (runCli rejects), as from tern alone.
    expect(unknown.status).toBe("rejected");
    expect(String((unknown as PromiseRejectedResult).reason)).toMatch(
      /tern: No local account named @nobody\n$/,
    );
  }, 300_000);

  it("publishes the editor's scheduled Markdown post to bob on B, who interacts", async () => {
    const { a, b } = sites;
    const brandOnB = await api<{ id: string }>(
      b,
      "bob",
      `/api/v1/accounts/lookup?acct=brand@${a.host}`,
    );
    await followAndWait(b, "bob", brandOnB.id);

    const at = new Date(Date.now() + 10 * 60_000).toISOString();
    const scheduled = await asBrand("erin", "/api/v1/statuses", {
      status: "Our launch is **today**",
      content_type: "text/markdown",
      scheduled_at: at,
    });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    expect(scheduled.body.scheduled_at).toBe(at);
    // PostgreSQL takes the update next to the server; the embedded database, while it is stopped.
    const due = () => makeDue(a, scheduled.body.id as string);
    if (a.env.DATABASE_URL) await due();
    else await restartSite(a, due);

    const seen = await eventually(async () => {
      const home = await api<Status[]>(b, "bob", "/api/v1/timelines/home");
      return home.find((s) => s.content.includes("launch"));
    }, 60_000);
    expect(seen.content).toContain("<strong>today</strong>");
    expect(seen.content).not.toContain("**");

    await api(b, "bob", "/api/v1/statuses", {
      method: "POST",
      json: { status: `@brand@${a.host} Congratulations!`, in_reply_to_id: seen.id },
    });
    await api(b, "bob", `/api/v1/statuses/${seen.id}/favourite`, { method: "POST" });
    await api(b, "bob", `/api/v1/statuses/${seen.id}/reblog`, { method: "POST" });
  }, 180_000);

  it("shows the analyst the reach, the interactions and the follow from B's host", async () => {
    const { b } = sites;
    const { body: posts } = await asBrand("ann", `/api/v1/accounts/${brandId}/statuses`);
    const post = (posts as unknown as Status[])[0];
    const status = await eventually(async () => {
      const { status: code, body } = await asBrand(
        "ann",
        `/api/v1/tern/analytics/statuses/${post.id}`,
      );
      expect(code).toBe(200);
      const done = body.followers_reached === 1 && body.replies_count === 1;
      return done && body.favourites_count === 1 && body.reblogs_count === 1 ? body : undefined;
    }, 60_000);
    expect(status).toMatchObject({
      servers_reached: 1,
      followers_reached: 1,
      deliveries_failed: 0,
      by_server: [{ domain: b.host, favourites: 1, reblogs: 1, replies: 1 }],
    });

    const account = await asBrand("ann", `/api/v1/tern/analytics/accounts/${brandId}`);
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({
      followers_count: 1,
      followers_gained: 1,
      by_server: [{ domain: b.host, gained: 1, lost: 0 }],
      reach: { statuses: 1, servers_reached: 1, followers_reached: 1 },
      interactions: { replies: 1, favourites: 1, reblogs: 1, quotes: 0 },
    });

    // The analyst reads, but may not post as the brand; the editor may read too.
    const refused = await asBrand("ann", "/api/v1/statuses", { status: "Not mine to say" });
    expect(refused.status).toBe(403);
    expect((await asBrand("erin", `/api/v1/tern/analytics/accounts/${brandId}`)).status).toBe(200);
  }, 120_000);
});
