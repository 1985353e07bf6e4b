import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";

/**
 * A fresh, migrated database for one test file. With TEST_DATABASE_URL set (a PostgreSQL server
 * the tests may create databases on), a new database is created there and dropped afterwards;
 * without it, an in-memory PGlite.
 */
export async function openTestDatabase(): Promise<Database & { url: string | undefined }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const database = await openDatabase({ databaseUrl: undefined, dataDir: "memory://" });
    await migrate(database);
    return Object.assign(database, { url: undefined });
  }
  const fresh = (await createEmptyPostgresDatabase())!;
  const database = await openDatabase({
    databaseUrl: fresh.url,
    dataDir: "unused",
    maxConnections: 5,
  });
  await migrate(database);
  const close = database.close;
  return Object.assign(database, {
    url: fresh.url,
    async close() {
      await close();
      await fresh.drop();
    },
  });
}

/** A fresh empty database URL on TEST_DATABASE_URL's server, for tests that start processes. */
export async function createEmptyPostgresDatabase(): Promise<
  { url: string; drop: () => Promise<void> } | undefined
> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return undefined;
  const name = `tern_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
