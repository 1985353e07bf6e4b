import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SQL } from "drizzle-orm";
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { lockDataDir } from "./lock.ts";
import { postgresConnection } from "./postgres-url.ts";
import { preparing } from "./prepared.ts";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** The drizzle database, whichever driver is underneath (postgres.js or PGlite). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle or the database itself: services accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Runs `fn` while holding a cluster-wide lock (pg_advisory_lock) on one connection. */
  withAdvisoryLock<T>(lockId: number, fn: () => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel` (on a connection of its own with postgres.js, which reconnects and
   * listens again by itself); resolves once listening, with the function that stops it.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** PGlite only: the whole database as a tarball (tests start from a migrated copy). */
  snapshot?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Connections in the postgres.js pool. */
  maxConnections?: number;
  /** Called with every statement drizzle sends (tests count queries, or explain them, with it). */
  onQuery?: (query: string, params: unknown[]) => void;
  /**
   * PGlite only: start an empty data directory from this `snapshot()` instead of creating the
   * cluster (tests: creating one costs seconds, loading a migrated copy about one).
   */
  initialData?: Blob;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.maxConnections ?? 10, opts.onQuery)
    : openPglite(opts.dataDir, opts.onQuery, opts.initialData);
}

const queryLogger = (onQuery?: (query: string, params: unknown[]) => void) =>
  onQuery
    ? { logger: { logQuery: (query: string, params: unknown[]) => onQuery(query, params) } }
    : {};

async function openPostgres(
  url: string,
  max: number,
  onQuery?: (query: string, params: unknown[]) => void,
): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const target = postgresConnection(url);
  const client = postgres(target.url, {
    ...(target.path ? { path: target.path } : {}),
    max,
    onnotice: () => {},
    // JIT off: Tern's statements are short, and a reusable plan whose LIMIT is a parameter is
    // costed high enough to be JIT-compiled, which made a home page on a small database take
    // 4-7 s (seen in bench:latency and the timeline tests on PostgreSQL 15's defaults).
    connection: { application_name: "tern", jit: "off" },
  });
  const db = drizzle(preparing(client), { schema, ...queryLogger(onQuery) }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    async listen(channel, onPayload) {
      const { unlisten } = await client.listen(channel, onPayload);
      return unlisten;
    },
    async withAdvisoryLock(lockId, fn) {
      const conn = await client.reserve();
      try {
        await conn`select pg_advisory_lock(${lockId})`;
        return await fn();
      } finally {
        await conn`select pg_advisory_unlock(${lockId})`.catch(() => {});
        conn.release();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * PGlite's shared buffers are resident from the start: its WebAssembly build zero-fills the whole
 * pool when it opens, so the default (160 MB) was 140 MB of idle RSS. Data files are read through
 * the host's page cache anyway, which does not count against the process.
 */
const PGLITE_SHARED_BUFFERS = "16MB";

async function openPglite(
  dataDir: string,
  onQuery?: (query: string, params: unknown[]) => void,
  initialData?: Blob,
): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  // dataDir "memory://" keeps everything in memory (tests); otherwise a directory on disk.
  const inMemory = dataDir.startsWith("memory://");
  const path = inMemory ? dataDir : join(dataDir, "pglite");
  let unlock = () => {};
  if (!inMemory) {
    mkdirSync(path, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  // pg_trgm backs fuzzy account search (the migration creates the extension).
  const options = {
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
    ...(initialData ? { loadDataDir: initialData } : {}),
  };
  const client = await PGlite.create(path, options).catch((error) => {
    unlock();
    throw error;
  });
  const db = drizzle(client, { schema, ...queryLogger(onQuery) }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    async listen(channel, onPayload) {
      const unsubscribe = await client.listen(channel, onPayload);
      return () => unsubscribe();
    },
    // PGlite is single-connection and single-process: there is nobody to race with.
    withAdvisoryLock: (_lockId, fn) => fn(),
    snapshot: () => client.dumpDataDir("none"),
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

/**
 * Runs raw SQL and returns its rows. postgres.js answers an array, PGlite `{ rows }`: this hides it.
 */
export async function queryRows<T>(db: Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

const dialect = new PgDialect();

/**
 * Runs raw SQL and returns its rows as arrays of values, in select order. For wide rows: the
 * objects `queryRows` returns get their properties one keyed store at a time, and past about a
 * dozen V8 keeps such an object as a hash table (a row of 100 columns: several kilobytes, slow to
 * read). Both drivers parse the values as for `queryRows`; the statement is logged and prepared
 * as drizzle's own are.
 */
export async function queryValues(db: Tx, query: SQL): Promise<unknown[][]> {
  const prepared = db._.session.prepareQuery(
    dialect.sqlToQuery(query),
    undefined,
    undefined,
    true,
    (rows) => rows,
  );
  return (await prepared.execute()) as unknown[][];
}

/**
 * A raw statement whose text drizzle builds once, its values given as `sql.placeholder(name)`
 * and filled at each run; for hot statements assembled from many fragments (building the home
 * fan-out cost more CPU than running it). Rows as `queryRows` gives them.
 */
export function builtOnce<T>(
  build: () => SQL,
): (db: Tx, values: Record<string, unknown>) => Promise<T[]> {
  let query: ReturnType<PgDialect["sqlToQuery"]> | undefined;
  return async (db, values) => {
    query ??= dialect.sqlToQuery(build());
    const prepared = db._.session.prepareQuery(query, undefined, undefined, false);
    const result = (await prepared.execute(values)) as unknown as T[] | { rows: T[] };
    return Array.isArray(result) ? result : result.rows;
  };
}
