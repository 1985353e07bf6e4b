import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { sweepJobParts } from "../../src/jobs/job-parts.ts";
import { PgQueue } from "../../src/jobs/queue.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { eventually } from "../helpers/tern.ts";

/**
 * The activity and keys that every delivery of one fan-out carries are stored once (job_parts);
 * each job keeps only its own fields, and whoever claims it gets the whole message back.
 */
let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const shared = { sharedFields: ["activity", "keys"], pollMs: 20, concurrency: 16 };

async function drain(queue: PgQueue, count: number): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  const controller = new AbortController();
  const listening = queue.listen(
    (m) => {
      seen.push(m as Record<string, unknown>);
    },
    { signal: controller.signal },
  );
  await eventually(async () => seen.length === count, 10_000);
  controller.abort();
  await listening;
  return seen;
}

const partsOf = (queue: string) =>
  queryRows<{ part: string | null; own: string }>(
    database.db,
    sql`select part, payload::text as own from jobs where queue = ${queue} order by id`,
  );

it("stores a fan-out's shared activity and keys once and gives every delivery its whole message", async () => {
  const activity = { id: "https://tern.example/a/1", type: "Create", content: "x".repeat(3000) };
  const keys = [{ keyId: "https://tern.example/users/a#main-key", privateKey: { d: "secret" } }];
  const other = { id: "https://tern.example/a/2", type: "Delete" };
  const messages = [
    ...Array.from({ length: 100 }, (_, n) => ({
      type: "outbox",
      inbox: `https://peer${n}.example/inbox`,
      activity,
      keys,
    })),
    { type: "outbox", inbox: "https://peer0.example/inbox", activity: other, keys },
    { type: "outbox", inbox: "https://peer1.example/inbox", note: "no shared fields" },
  ];
  const producer = new PgQueue(database.db, "parts", shared);
  await Promise.all(messages.map((m) => producer.enqueue(m)));

  const rows = await partsOf("parts");
  expect(rows).toHaveLength(102);
  expect(new Set(rows.slice(0, 100).map((r) => r.part)).size).toBe(1);
  expect(rows[100].part).not.toBe(rows[0].part);
  expect(rows[101].part).toBeNull();
  // The 3 KB activity and the private key are in no job's own payload.
  expect(rows.every((r) => !r.own.includes("xxxx") && !r.own.includes("secret"))).toBe(true);
  const [parts] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from job_parts
        where hash in (${rows[0].part}, ${rows[100].part})`,
  );
  expect(parts.n).toBe(2);

  // Another worker (its own part cache empty) claims them.
  const seen = await drain(new PgQueue(database.db, "parts", shared), 102);
  const sorted = (list: Record<string, unknown>[]) =>
    [...list].sort((a, b) =>
      `${a.inbox}${JSON.stringify(a.activity)}`.localeCompare(
        `${b.inbox}${JSON.stringify(b.activity)}`,
      ),
    );
  expect(sorted(seen)).toEqual(sorted(messages));
});

it("stores a part once however often it is enqueued, and renews it for the sweep", async () => {
  const activity = { id: "https://tern.example/a/3", type: "Create" };
  const keys = [{ keyId: "https://tern.example/users/a#main-key" }];
  const queue = new PgQueue(database.db, "parts-again", shared);
  await queue.enqueue({ type: "outbox", inbox: "https://a.example/inbox", activity, keys });
  const [{ part }] = await partsOf("parts-again");
  await database.db.execute(
    sql`update job_parts set touched_at = now() - interval '2 hours' where hash = ${part}`,
  );
  // A retry comes back as a new message with equal (not the same) objects.
  await queue.enqueue({
    type: "outbox",
    inbox: "https://a.example/inbox",
    activity: structuredClone(activity),
    keys: structuredClone(keys),
    attempt: 1,
  });
  const rows = await partsOf("parts-again");
  expect(rows.map((r) => r.part)).toEqual([part, part]);
  const [fresh] = await queryRows<{ fresh: boolean }>(
    database.db,
    sql`select touched_at > now() - interval '1 minute' as fresh from job_parts where hash = ${part}`,
  );
  expect(fresh.fresh).toBe(true);
});

it("sweeps parts no job points at once they are an hour old, and keeps the others", async () => {
  const queue = new PgQueue(database.db, "parts-sweep", shared);
  const message = (id: string) => ({
    type: "outbox",
    inbox: "https://b.example/inbox",
    activity: { id },
    keys: [{ keyId: "k" }],
  });
  await queue.enqueue(message("https://tern.example/a/used"));
  await queue.enqueue(message("https://tern.example/a/done"));
  const [used, done] = (await partsOf("parts-sweep")).map((r) => r.part!);
  await database.db.execute(sql`delete from jobs where queue = 'parts-sweep' and part = ${done}`);
  await queue.enqueue(message("https://tern.example/a/recent"));
  const [, recent] = (await partsOf("parts-sweep")).map((r) => r.part!);
  await database.db.execute(sql`delete from jobs where queue = 'parts-sweep' and part = ${recent}`);
  await database.db.execute(
    sql`update job_parts set touched_at = now() - interval '2 hours'
        where hash in (${used}, ${done})`,
  );

  await sweepJobParts(database.db);

  const left = await queryRows<{ hash: string }>(
    database.db,
    sql`select hash from job_parts where hash in (${used}, ${done}, ${recent})`,
  );
  // Gone: the old one no job needs. Kept: the one a job still needs, and the recent one.
  expect(left.map((r) => r.hash).sort()).toEqual([used, recent].sort());
  const [job] = await drain(queue, 1);
  expect(job.activity).toEqual({ id: "https://tern.example/a/used" });
});

it("stores a shared activity carrying a NUL or a lone surrogate, cleaned", async () => {
  const queue = new PgQueue(database.db, "parts-unstorable", shared);
  await queue.enqueue({
    type: "outbox",
    inbox: "https://c.example/inbox",
    activity: { content: "a\u0000b \ud800 c" },
    keys: [],
  });
  const [job] = await drain(queue, 1);
  expect(job.activity).toEqual({ content: "ab \ufffd c" });
});
