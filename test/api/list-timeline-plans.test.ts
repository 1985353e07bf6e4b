import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { type Database, openDatabase, queryRows } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { accessTokens } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { assemble, type Tern } from "../../src/server.ts";
import { createLocalAccount } from "../../src/services/accounts/accounts.ts";
import { followAccount } from "../../src/services/follows/follows.ts";
import { addListMembers, createList } from "../../src/services/lists/lists.ts";
import { createLocalStatus } from "../../src/services/statuses/local.ts";
import { createMigratedPostgresDatabase, migratedPgliteSnapshot } from "../helpers/db.ts";
import { eventually } from "../helpers/tern.ts";

/**
 * A list timeline page and a local public timeline page cost the same statements for 1 status
 * as for 40 (the viewer's filters included), and at 10,000 posts (one in a hundred by the list's
 * members) each page is an index range scan: list_feed's primary key (list_id, status_id) and
 * statuses_local_public_idx, read in order, no sequential scan and no sort.
 */
let tern: Tern;
let database: Database;
let drop: (() => Promise<void>) | undefined;
let queries = 0;
let log: { query: string; params: unknown[] }[] = [];
let listId: string;
const TOKEN = "list-plans-token";
const SEEDED = 10_000;

beforeAll(async () => {
  const pg = await createMigratedPostgresDatabase();
  drop = pg?.drop;
  database = await openDatabase({
    databaseUrl: pg?.url,
    dataDir: "memory://",
    initialData: pg ? undefined : await migratedPgliteSnapshot(),
    onQuery: (query, params) => {
      queries++;
      log.push({ query, params });
    },
  });
  await migrate(database);
  const config = loadConfig({ PUBLIC_URL: "https://tern.test", RATE_LIMITS: "false" });
  tern = await assemble(config, { database, queueOptions: { pollMs: 50 } });
  const db = database.db;
  const password = "correct horse battery staple";
  const reader = await createLocalAccount(db, config.publicUrl, { username: "reader", password });
  const { createHash } = await import("node:crypto");
  await db.insert(accessTokens).values({
    id: newId(),
    tokenHash: createHash("sha256").update(TOKEN).digest("hex"),
    accountId: reader.id,
    scopes: "read",
  });
  const list = await createList(db, reader.id, { title: "Everyone" });
  listId = list.id;
  const authors = [];
  for (let i = 0; i < 4; i++) {
    const author = await createLocalAccount(db, config.publicUrl, {
      username: `author${i}`,
      password,
    });
    await followAccount(db, reader, author);
    authors.push(author);
  }
  await addListMembers(
    db,
    reader.id,
    list.id,
    authors.map((a) => a.id),
  );
  // Someone the reader does not follow: their posts are in the public timeline only.
  await createLocalAccount(db, config.publicUrl, { username: "outsider", password });
  // One post each, fanned out into the list by the worker.
  for (const author of authors)
    await createLocalStatus(db, config, author, { status: `post by ${author.username}` });
  await eventually(async () => (await page(`/api/v1/timelines/list/${listId}`, 40)).length === 4);
  await tern.worker?.stop();
  // Seeded like bench/timeline.ts (time-sortable ids, public posts): one in a hundred by a member,
  // in the list's feed; the others by the outsider, standing for federated posts (not local).
  await db.execute(sql`
    with authors as (
      select id, username, row_number() over (order by id) - 1 as n
      from accounts where username like 'author%' or username = 'outsider'
    ), series as (
      select g, (extract(epoch from now()) * 1000)::bigint - ${SEEDED} - 60000 + g as ms
      from generate_series(1, ${SEEDED}) g
    )
    insert into statuses (id, uri, url, account_id, content, visibility, local, created_at)
    select (s.ms << 16) + (s.g % 65536), 'https://tern.test/seeded/' || s.g,
      'https://tern.test/@' || a.username || '/' || s.g, a.id, '<p>seeded ' || s.g || '</p>',
      'public', a.username <> 'outsider', to_timestamp(s.ms / 1000.0)
    from series s join authors a
      on case when s.g % 100 = 0 then a.n = (s.g / 100) % 4 else a.username = 'outsider' end`);
  await db.execute(sql`insert into list_feed (list_id, status_id)
    select ${listId}, s.id from statuses s join accounts a on a.id = s.account_id
    where a.username like 'author%' and s.uri like 'https://tern.test/seeded/%'`);
  await db.execute(sql`analyze`);
}, 120_000);
afterAll(async () => {
  await tern?.close();
  await database?.close();
  await drop?.();
});

async function page(path: string, limit: number): Promise<unknown[]> {
  const sep = path.includes("?") ? "&" : "?";
  const res = await tern.app.fetch(
    new Request(`https://tern.test${path}${sep}limit=${limit}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as unknown[];
}

async function statementsFor(path: string, limit: number): Promise<number> {
  const before = queries;
  expect(await page(path, limit)).toHaveLength(limit);
  return queries - before;
}

/**
 * The plan of the one statement of a page that reads `table`, with its parameters inlined: of
 * the page's own query, which runs inside the statement loading its bundles (`CTE r`).
 */
async function planOf(path: string, pattern: RegExp): Promise<string> {
  log = [];
  await page(path, 40);
  const main = log.find((q) => pattern.test(q.query));
  expect(main, log.map((q) => q.query).join("\n")).toBeTruthy();
  const literal = (v: unknown) =>
    typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : `'${String(v).replace(/'/g, "''")}'`;
  const text = main!.query.replace(/\$(\d+)/g, (_, n) => literal(main!.params[Number(n) - 1]));
  const rows = await queryRows<Record<string, string>>(database.db, sql.raw(`explain ${text}`));
  const lines = rows.map((r) => Object.values(r)[0]);
  const start = lines.findIndex((l) => /^\s*CTE r$/.test(l));
  expect(start, lines.join("\n")).toBeGreaterThanOrEqual(0);
  const depth = (l: string) => l.length - l.trimStart().length;
  const end = lines.findIndex((l, i) => i > start && depth(l) <= depth(lines[start]));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

const pages = [
  { name: "list timeline", path: () => `/api/v1/timelines/list/${listId}` },
  { name: "local public timeline", path: () => "/api/v1/timelines/public?local=true" },
];

for (const { name, path } of pages)
  it(`a ${name} page of 40 statuses by 4 authors takes as many statements as a page of 1`, async () => {
    const one = await statementsFor(path(), 1);
    const forty = await statementsFor(path(), 40);
    console.log(`${name} statements: ${one} for 1 status, ${forty} for 40`);
    expect(forty).toBe(one);
  });

it(`at ${SEEDED} posts, both pages are index range scans in order (no sequential scan, no sort)`, async () => {
  const listPlan = await planOf(pages[0].path(), /from "list_feed"/);
  console.log(`list timeline plan:\n${listPlan}`);
  expect(listPlan).toMatch(
    /Index (Only )?Scan( Backward)? using list_feed_list_id_status_id_pk on list_feed/,
  );
  expect(listPlan).not.toMatch(/Seq Scan on (list_feed|statuses)\b/);
  // Each of the page's rows is then fetched by primary key (no walk along statuses).
  expect(listPlan).toMatch(/Nested Loop[\s\S]*Index Scan using statuses_pkey on statuses {2}\(/);
  expect(listPlan).not.toMatch(/\bSort\b/);

  const publicPlan = await planOf(pages[1].path(), /from "statuses"/);
  console.log(`local public timeline plan:\n${publicPlan}`);
  expect(publicPlan).toMatch(/Index Scan( Backward)? using statuses_local_public_idx on statuses/);
  expect(publicPlan).not.toMatch(/Seq Scan on statuses\b/);
  expect(publicPlan).not.toMatch(/\bSort\b/);
}, 60_000);
