import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  openAsBlob,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { postgresArgs } from "../../src/db/postgres-url.ts";

/**
 * A fresh, migrated database for one test file. With TEST_DATABASE_URL set (a PostgreSQL server
 * the tests may create databases on), a new database is cloned there from a migrated template
 * and dropped afterwards; without it, an in-memory PGlite loaded from a migrated snapshot.
 * `migrate()` still runs on either (a no-op that checks the copy is current).
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
  const fresh = (await createMigratedPostgresDatabase())!;
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

export interface TestPostgresDatabase {
  url: string;
  drop: () => Promise<void>;
}

/**
 * A fresh empty database URL on TEST_DATABASE_URL's server, for tests of migrating from nothing.
 * Most tests want createMigratedPostgresDatabase: cloning costs a fraction of a second, migrating
 * seconds on a busy machine.
 */
export async function createEmptyPostgresDatabase(): Promise<TestPostgresDatabase | undefined> {
  return createPostgresDatabase(undefined);
}

/** A fresh database with every migration applied, cloned from a template (see below). */
export async function createMigratedPostgresDatabase(): Promise<TestPostgresDatabase | undefined> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return undefined;
  return createPostgresDatabase(await migratedPostgresTemplate(base));
}

async function createPostgresDatabase(
  template: string | undefined,
): Promise<TestPostgresDatabase | undefined> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) return undefined;
  const name = `tern_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(...postgresArgs(base, { max: 1, onnotice: () => {} }));
  try {
    await whenUnused(() =>
      admin.unsafe(`create database ${name}${template ? ` template ${template}` : ""}`),
    );
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(base, name),
    async drop() {
      const a = postgres(...postgresArgs(base, { max: 1, onnotice: () => {} }));
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Arbitrary, fixed, not the server's migration lock: held while a template is built. */
const TEMPLATE_LOCK_ID = 7_374_600_101;
const templates = new Map<string, Promise<string>>();

/**
 * The name of a database on `base`'s server with every migration applied, one per set of
 * migrations (`tern_tmpl_<hash>`), kept between runs. Test files and test servers clone it
 * (CREATE DATABASE … TEMPLATE, a file copy) instead of migrating: on a busy two-core machine
 * migrating costs seconds, cloning a fraction of one. It is built under a name of its own and
 * renamed when complete, under an advisory lock, so workers and concurrent runs starting together
 * build it once and never clone half of one.
 */
function migratedPostgresTemplate(base: string): Promise<string> {
  let name = templates.get(base);
  if (!name) {
    name = buildTemplate(base, `tern_tmpl_${migrationsHash()}`);
    name.catch(() => templates.delete(base));
    templates.set(base, name);
  }
  return name;
}

async function buildTemplate(base: string, name: string): Promise<string> {
  const admin = postgres(...postgresArgs(base, { max: 1, onnotice: () => {} }));
  const exists = async () =>
    (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
  try {
    if (await exists()) return name;
    await admin`select pg_advisory_lock(${TEMPLATE_LOCK_ID})`;
    try {
      if (await exists()) return name;
      // Left by a run that died while building (nobody else builds while we hold the lock).
      for (const { datname } of await admin`
        select datname from pg_database where datname like ${`${name}\\_%`}`)
        await admin.unsafe(`drop database if exists ${datname} with (force)`);
      const building = `${name}_${randomBytes(4).toString("hex")}`;
      await admin.unsafe(`create database ${building}`);
      const database = await openDatabase({
        databaseUrl: databaseUrl(base, building),
        dataDir: "unused",
        maxConnections: 2, // migrate() holds one for its lock and migrates on another
      });
      try {
        await migrate(database);
      } finally {
        await database.close();
      }
      await whenUnused(() => admin.unsafe(`alter database ${building} rename to ${name}`));
      return name;
    } finally {
      await admin`select pg_advisory_unlock(${TEMPLATE_LOCK_ID})`;
    }
  } finally {
    await admin.end();
  }
}

/**
 * Runs `statement`, again while PostgreSQL says the source database is still in use (55006): a
 * connection just closed may take a moment to leave the server.
 */
async function whenUnused<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if ((error as { code?: string }).code !== "55006" || attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const MIGRATIONS = new URL("../../drizzle/", import.meta.url).pathname;

/** A short hash of every migration (and the journal): names the snapshot and the template. */
function migrationsHash(): string {
  const hash = createHash("sha256");
  for (const dir of [MIGRATIONS, join(MIGRATIONS, "meta")])
    for (const name of readdirSync(dir).sort())
      if (name.endsWith(".sql") || name === "_journal.json")
        hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest("hex").slice(0, 16);
}

/**
 * An embedded database with every migration applied, as a tarball kept in the temp folder (one
 * per set of migrations, shared by every test file and run): creating a PGlite cluster costs a
 * few seconds of CPU, loading this copy about one. `migrate()` still runs on it (a no-op).
 */
export async function migratedPgliteSnapshot(): Promise<Blob> {
  // A Blob backed by the file: read once, when PGlite reads it, not copied into a Blob first
  // (readFileSync and `new Blob([…])` copied the 40 MB twice, ~0.4 s of CPU a database).
  return openAsBlob(await migratedPgliteSnapshotFile());
}

async function migratedPgliteSnapshotFile(): Promise<string> {
  const file = join(tmpdir(), `tern-pglite-migrated-${migrationsHash()}.tar`);
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
  return file;
}

/**
 * Fills the empty DATA_DIR `dataDir` with the migrated snapshot, as the folder a server process
 * (or `tern`) then opens: unpacked by tar, without starting PGlite here. A server starting on an
 * empty DATA_DIR creates the cluster and migrates it, seconds of CPU; test/cli.test.ts keeps
 * doing that, for the first run on a new machine.
 */
export async function fillPgliteDataDir(dataDir: string): Promise<void> {
  const file = await migratedPgliteSnapshotFile();
  const path = join(dataDir, "pglite"); // where src/db/client.ts keeps the cluster
  mkdirSync(path, { recursive: true });
  execFileSync("tar", ["-xf", file, "-C", path], { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * `db` as it is, with a count of the inserts sent through it, built (`db.insert`) or in SQL
 * (`db.execute` of an INSERT): a batching test counts statements.
 */
export function countingInserts<T extends object>(db: T): { db: T; inserts: () => number } {
  let inserts = 0;
  const dialect = new PgDialect();
  const counted = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "insert") inserts++;
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "execute" || typeof value !== "function") return value;
      return (query: SQL, ...rest: unknown[]) => {
        if (/^\s*insert\b/i.test(dialect.sqlToQuery(query).sql)) inserts++;
        return value.call(target, query, ...rest);
      };
    },
  });
  return { db: counted, inserts: () => inserts };
}
