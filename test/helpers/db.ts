import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    const database = await openDatabase({
      databaseUrl: undefined,
      dataDir: "memory://",
      initialData: await migratedPgliteSnapshot(),
    });
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

const MIGRATIONS = new URL("../../drizzle/", import.meta.url).pathname;

/**
 * An embedded database with every migration applied, as a tarball kept in the temp folder (one
 * per set of migrations, shared by every test file and run): creating a PGlite cluster costs a
 * few seconds of CPU, loading this copy about one. `migrate()` still runs on it (a no-op).
 */
export async function migratedPgliteSnapshot(): Promise<Blob> {
  const hash = createHash("sha256");
  for (const dir of [MIGRATIONS, join(MIGRATIONS, "meta")])
    for (const name of readdirSync(dir).sort())
      if (name.endsWith(".sql") || name === "_journal.json")
        hash.update(name).update(readFileSync(join(dir, name)));
  const file = join(tmpdir(), `tern-pglite-migrated-${hash.digest("hex").slice(0, 16)}.tar`);
  if (!existsSync(file)) {
    const fresh = await openDatabase({ databaseUrl: undefined, dataDir: "memory://" });
    await migrate(fresh);
    const tarball = await fresh.snapshot!();
    await fresh.close();
    // Written aside and renamed: files starting at the same time never read half a snapshot.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(partial, Buffer.from(await tarball.arrayBuffer()));
    renameSync(partial, file);
  }
  return new Blob([readFileSync(file)]);
}
