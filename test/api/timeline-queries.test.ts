import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { accessTokens, mediaAttachments } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { assemble, type Tern } from "../../src/server.ts";
import { createLocalAccount } from "../../src/services/accounts/accounts.ts";
import { followAccount } from "../../src/services/follows/follows.ts";
import { createLocalStatus } from "../../src/services/statuses/local.ts";
import { createEmptyPostgresDatabase } from "../helpers/db.ts";
import { eventually } from "../helpers/tern.ts";

/**
 * Rendering a page costs the same number of SQL statements whether it holds 1 status or 40 from
 * 40 authors (counts included): no query per status or per author.
 */
let tern: Tern;
let database: Database;
let drop: (() => Promise<void>) | undefined;
let queries = 0;
const TOKEN = "timeline-queries-token";

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
  const { createHash } = await import("node:crypto");
  await db.insert(accessTokens).values({
    id: newId(),
    tokenHash: createHash("sha256").update(TOKEN).digest("hex"),
    accountId: reader.id,
    scopes: "read",
  });
  for (let i = 0; i < 40; i++) {
    const author = await createLocalAccount(db, config.publicUrl, {
      username: `author${i}`,
      password: "correct horse battery staple",
    });
    await followAccount(db, reader, author);
    const posted = await createLocalStatus(db, config, author, { status: `post ${i}` });
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
}, 120_000);
afterAll(async () => {
  await tern?.worker?.stop();
  await database?.close();
  await drop?.();
});

async function page(limit: number): Promise<unknown[]> {
  const res = await tern.app.fetch(
    new Request(`https://tern.test/api/v1/timelines/home?limit=${limit}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as unknown[];
}

async function queriesFor(limit: number): Promise<number> {
  const before = queries;
  const statuses = await page(limit);
  expect(statuses).toHaveLength(limit);
  return queries - before;
}

it("a home page of 40 statuses by 40 authors takes as many statements as a page of 1", async () => {
  // The worker is idle by now, but would poll: count the requests' statements only.
  await tern.worker?.stop();
  const one = await queriesFor(1);
  const forty = await queriesFor(40);
  console.log(`home page statements: ${one} for 1 status, ${forty} for 40`);
  expect(forty).toBe(one);
  const withMedia = (await page(40)) as { media_attachments: unknown[] }[];
  expect(withMedia.filter((s) => s.media_attachments.length === 2)).toHaveLength(20);
});
