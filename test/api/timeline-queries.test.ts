import { and, asc, eq, isNull, like } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import {
  accessTokens,
  accounts,
  mediaAttachments,
  notifications,
  statuses,
} from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { assemble, type Tern } from "../../src/server.ts";
import { type Account, createLocalAccount } from "../../src/services/accounts/accounts.ts";
import { bookmarkStatus } from "../../src/services/bookmarks/bookmarks.ts";
import { followAccount } from "../../src/services/follows/follows.ts";
import { pinStatus } from "../../src/services/pins/pins.ts";
import { voteInPoll } from "../../src/services/polls/polls.ts";
import { reblogStatus } from "../../src/services/reblogs/reblogs.ts";
import { createLocalStatus } from "../../src/services/statuses/local.ts";
import { createMigratedPostgresDatabase, migratedPgliteSnapshot } from "../helpers/db.ts";
import { eventually } from "../helpers/tern.ts";

/**
 * Rendering a page costs the same number of SQL statements whether it holds 1 status or 40 from
 * 40 authors (counts and the reader's favourited, bookmarked and pinned flags included): no query
 * per status or per author. Half the posts quote another (the newest one too), so quoted posts,
 * their authors and quote policies are in the count. The same for a page of boosts: 40 boosts by
 * 40 boosters of 40 posts by 40 authors (each boosted status rendered whole, with its counts and
 * the viewer's flags) cost what one boost costs, and a home page takes at most ten statements.
 */
let tern: Tern;
let database: Database;
let drop: (() => Promise<void>) | undefined;
let queries = 0;
let reader: Account;
const TOKEN = "timeline-queries-token";
const BOOSTS_TOKEN = "timeline-queries-boosts-token";

beforeAll(async () => {
  const pg = await createMigratedPostgresDatabase();
  drop = pg?.drop;
  database = await openDatabase({
    databaseUrl: pg?.url,
    dataDir: "memory://",
    initialData: pg ? undefined : await migratedPgliteSnapshot(),
    onQuery: () => queries++,
  });
  await migrate(database);
  const config = loadConfig({ PUBLIC_URL: "https://tern.test", RATE_LIMITS: "false" });
  tern = await assemble(config, { database, queueOptions: { pollMs: 50 } });
  const db = database.db;
  reader = await createLocalAccount(db, config.publicUrl, {
    username: "reader",
    password: "correct horse battery staple",
  });
  const boostReader = await createLocalAccount(db, config.publicUrl, {
    username: "boostreader",
    password: "correct horse battery staple",
  });
  const { createHash } = await import("node:crypto");
  for (const [token, account] of [
    [TOKEN, reader],
    [BOOSTS_TOKEN, boostReader],
  ] as const) {
    await db.insert(accessTokens).values({
      id: newId(),
      tokenHash: createHash("sha256").update(token).digest("hex"),
      accountId: account.id,
      scopes: "read",
    });
  }
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) {
    const author = await createLocalAccount(db, config.publicUrl, {
      username: `author${i}`,
      password: "correct horse battery staple",
    });
    await followAccount(db, reader, author);
    // The reader's own posts (older than the authors' posts), five of them pinned.
    const own = await createLocalStatus(db, config, reader, { status: `mine ${i}` });
    if (i < 5) await pinStatus(db, reader, own.status.id);
  }
  for (let i = 0; i < 40; i++) {
    const [author] = await db
      .select()
      .from(accounts)
      .where(eq(accounts.username, `author${i}`));
    const posted = await createLocalStatus(db, config, author, {
      status: `post ${i}`,
      quotedStatusId: i >= 20 ? ids[i - 20] : undefined,
      // Every third one a poll (the newest too), half of those voted in by the reader.
      poll:
        i % 3 === 0
          ? { options: ["a", "b"], expiresIn: 3600, multiple: false, hideTotals: false }
          : undefined,
    });
    ids.push(posted.status.id);
    if (i % 6 === 0 && posted.poll) await voteInPoll(db, reader, posted.poll.id, [1]);
    // Every other one bookmarked: the flags are loaded for the page, whatever they say.
    if (i % 2 === 0) await bookmarkStatus(db, reader, posted.status.id);
    const booster = await createLocalAccount(db, config.publicUrl, {
      username: `booster${i}`,
      password: "correct horse battery staple",
    });
    await followAccount(db, boostReader, booster);
    await reblogStatus(db, config, booster, posted.status.id);
    // Every other post carries two pictures: media are loaded for the page, not per status.
    if (i % 2 === 0)
      await db.insert(mediaAttachments).values(
        [0, 1].map((position) => ({
          id: newId(),
          accountId: author.id,
          statusId: posted.status.id,
          position,
          type: "image" as const,
          url: `https://tern.test/media/${"0".repeat(32)}/original.png`,
        })),
      );
  }
  await eventually(async () => (await page(40)).length === 40);
  await eventually(async () => (await page(40, { token: BOOSTS_TOKEN })).length === 40);
}, 120_000);
afterAll(async () => {
  await tern?.close();
  await database?.close();
  await drop?.();
});

interface Flags {
  bookmarked: boolean;
  pinned?: boolean;
  quote: { quoted_status: unknown } | null;
  reblog: unknown;
  media_attachments: unknown[];
  poll: { own_votes?: number[] } | null;
}

async function page(
  limit: number,
  { path = "/api/v1/timelines/home", token = TOKEN } = {},
): Promise<Flags[]> {
  const res = await tern.app.fetch(
    new Request(`https://tern.test${path}?limit=${limit}`, {
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as Flags[];
}

async function queriesFor(limit: number, opts: { path?: string; token?: string } = {}) {
  const before = queries;
  const statuses = await page(limit, opts);
  expect(statuses).toHaveLength(limit);
  // The boosts' page holds only boosts, the others none.
  expect(statuses.every((s) => (s.reblog !== null) === (opts.token === BOOSTS_TOKEN))).toBe(true);
  // On the reader's home page the newest post quotes another, which is rendered inside it.
  if (!opts.path && !opts.token) expect(statuses[0].quote?.quoted_status).toBeTruthy();
  return queries - before;
}

it("a home page of 40 statuses by 40 authors takes as many statements as a page of 1", async () => {
  // The worker is idle by now, but would poll: count the requests' statements only.
  await tern.worker?.stop();
  const one = await queriesFor(1);
  const forty = await queriesFor(40);
  console.log(`home page statements: ${one} for 1 status, ${forty} for 40`);
  expect(forty).toBe(one);
  // Token, page, bundles, quoted bundles, the viewer's marks, filters: a few, not one per kind.
  expect(forty).toBeLessThanOrEqual(10);
  const withMedia = await page(40);
  expect(withMedia.filter((s) => s.media_attachments.length === 2)).toHaveLength(20);
  const polls = withMedia.flatMap((s) => (s.poll ? [s.poll] : []));
  expect(polls).toHaveLength(14);
  expect(polls.filter((p) => p.own_votes?.[0] === 1)).toHaveLength(7);
});

it("the reader's profile page (own posts, pinned flags) costs the same for 1 status and 40", async () => {
  await tern.worker?.stop();
  const path = `/api/v1/accounts/${reader.id}/statuses`;
  const statuses = await page(40, { path });
  expect(statuses.filter((s) => s.pinned)).toHaveLength(5);
  expect(statuses.every((s) => s.pinned !== undefined)).toBe(true);
  const one = await queriesFor(1, { path });
  const forty = await queriesFor(40, { path });
  console.log(`profile page statements: ${one} for 1 status, ${forty} for 40`);
  expect(forty).toBe(one);
});

it("the bookmarked flags are there on the home page", async () => {
  const home = await page(40);
  expect(home.some((s) => s.bookmarked)).toBe(true);
  expect(home.some((s) => !s.bookmarked)).toBe(true);
});

it("a grouped notifications page (v2) of 41 groups takes as many statements as one of 2", async () => {
  await tern.worker?.stop();
  const db = database.db;
  const [reader] = await db.select().from(accounts).where(eq(accounts.username, "reader"));
  // The 40 authors' posts (not the reader's own, not the boosts): one notification each.
  const posts = await db
    .select()
    .from(statuses)
    .where(and(isNull(statuses.reblogOfId), like(statuses.content, "%post %")))
    .orderBy(asc(statuses.id));
  expect(posts).toHaveLength(40);
  const mention = (s: (typeof posts)[number]) => {
    const id = newId();
    return {
      id,
      accountId: reader.id,
      type: "mention" as const,
      fromAccountId: s.accountId,
      statusId: s.id,
      groupKey: `ungrouped-${id}`,
    };
  };
  // Oldest first: 39 mentions, then 40 follows in one group, then the newest mention.
  await db.insert(notifications).values(posts.slice(0, 39).map(mention));
  await db.insert(notifications).values(
    posts.map((s) => ({
      id: newId(),
      accountId: reader.id,
      type: "follow" as const,
      fromAccountId: s.accountId,
      groupKey: "follow-1",
    })),
  );
  await db.insert(notifications).values([mention(posts[39])]);
  const groupsPage = async (limit: number) => {
    const before = queries;
    const res = await tern.app.fetch(
      new Request(`https://tern.test/api/v2/notifications?limit=${limit}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { notification_groups: { notifications_count: number }[] };
    expect(body.notification_groups).toHaveLength(limit);
    expect(body.notification_groups[1].notifications_count).toBe(40);
    return queries - before;
  };
  const two = await groupsPage(2);
  const many = await groupsPage(41);
  console.log(`grouped notifications statements: ${two} for 2 groups, ${many} for 41`);
  expect(many).toBe(two);
});

it("a home page of 40 boosts of 40 authors' posts takes as many statements as a page of 1", async () => {
  await tern.worker?.stop();
  const one = await queriesFor(1, { token: BOOSTS_TOKEN });
  const forty = await queriesFor(40, { token: BOOSTS_TOKEN });
  console.log(`home page of boosts, statements: ${one} for 1 boost, ${forty} for 40`);
  expect(forty).toBe(one);
  expect(forty).toBeLessThanOrEqual(10);
});
