import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { accessTokens } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { assemble, type Tern } from "../../src/server.ts";
import { createLocalAccount } from "../../src/services/accounts/accounts.ts";
import { followAccount } from "../../src/services/follows/follows.ts";
import { reblogStatus } from "../../src/services/reblogs/reblogs.ts";
import { createLocalStatus } from "../../src/services/statuses/local.ts";
import { createEmptyPostgresDatabase } from "../helpers/db.ts";
import { eventually } from "../helpers/tern.ts";

/**
 * Rendering a page costs the same number of SQL statements whether it holds 1 status or 40 from
 * 40 authors (counts included): no query per status or per author. The same for a page of boosts:
 * 40 boosts by 40 boosters of 40 posts by 40 authors (each boosted status rendered whole, with
 * its counts and the viewer's flags) cost what one boost costs.
 */
let tern: Tern;
let database: Database;
let drop: (() => Promise<void>) | undefined;
let queries = 0;
const TOKEN = "timeline-queries-token";
const BOOSTS_TOKEN = "timeline-queries-boosts-token";

beforeAll(async () => {
  const pg = await createEmptyPostgresDatabase();
  drop = pg?.drop;
  database = await openDatabase({
    databaseUrl: pg?.url,
    dataDir: "memory://",
    onQuery: () => queries++,
  });
  await migrate(database);
  const config = loadConfig({ PUBLIC_URL: "https://tern.test", RATE_LIMITS: "false" });
  tern = await assemble(config, { database, queueOptions: { pollMs: 50 } });
  const db = database.db;
  const reader = await createLocalAccount(db, config.publicUrl, {
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
  for (let i = 0; i < 40; i++) {
    const author = await createLocalAccount(db, config.publicUrl, {
      username: `author${i}`,
      password: "correct horse battery staple",
    });
    await followAccount(db, reader, author);
    const post = await createLocalStatus(db, config, author, { status: `post ${i}` });
    const booster = await createLocalAccount(db, config.publicUrl, {
      username: `booster${i}`,
      password: "correct horse battery staple",
    });
    await followAccount(db, boostReader, booster);
    await reblogStatus(db, config, booster, post.status.id);
  }
  await eventually(async () => (await page(40)).length === 40);
  await eventually(async () => (await page(40, BOOSTS_TOKEN)).length === 40);
}, 120_000);
afterAll(async () => {
  await tern?.worker?.stop();
  await database?.close();
  await drop?.();
});

async function page(limit: number, token = TOKEN): Promise<{ reblog: unknown }[]> {
  const res = await tern.app.fetch(
    new Request(`https://tern.test/api/v1/timelines/home?limit=${limit}`, {
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as { reblog: unknown }[];
}

async function queriesFor(limit: number, token = TOKEN): Promise<number> {
  const before = queries;
  const statuses = await page(limit, token);
  expect(statuses).toHaveLength(limit);
  // The boosts' page holds only boosts, the other none.
  expect(statuses.every((s) => (s.reblog !== null) === (token === BOOSTS_TOKEN))).toBe(true);
  return queries - before;
}

it("a home page of 40 statuses by 40 authors takes as many statements as a page of 1", async () => {
  // The worker is idle by now, but would poll: count the requests' statements only.
  await tern.worker?.stop();
  const one = await queriesFor(1);
  const forty = await queriesFor(40);
  console.log(`home page statements: ${one} for 1 status, ${forty} for 40`);
  expect(forty).toBe(one);
});

it("a home page of 40 boosts of 40 authors' posts takes as many statements as a page of 1", async () => {
  await tern.worker?.stop();
  const one = await queriesFor(1, BOOSTS_TOKEN);
  const forty = await queriesFor(40, BOOSTS_TOKEN);
  console.log(`home page of boosts, statements: ${one} for 1 boost, ${forty} for 40`);
  expect(forty).toBe(one);
});
