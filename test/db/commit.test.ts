import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Database, queryRows } from "../../src/db/client.ts";
import { commitWithoutWaiting } from "../../src/db/commit.ts";
import { openTestDatabase } from "../helpers/db.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

const setting = async (db: Parameters<typeof queryRows>[0]) =>
  (await queryRows<{ v: string }>(db, sql`select current_setting('synchronous_commit') as v`))[0].v;

it("relaxes the commit of its own transaction only, and what it wrote is kept", async () => {
  const { db } = database;
  const inside = await db.transaction(async (tx) => {
    await commitWithoutWaiting(tx);
    await tx.execute(sql`insert into kv (key, value) values ('relaxed', '1'::jsonb)`);
    return setting(tx);
  });
  expect(inside).toBe("off");
  // The pool's next statements (any connection, the same one included) wait for the disk again.
  const after = await Promise.all([setting(db), setting(db), setting(db)]);
  expect(after).toEqual(["on", "on", "on"]);
  const kept = await queryRows<{ key: string }>(db, sql`select key from kv where key = 'relaxed'`);
  expect(kept).toEqual([{ key: "relaxed" }]);
});
