/**
 * A Tern (web role) on a fresh PostgreSQL database created next to DATABASE_URL's, with a
 * postgres.js connection for seeding in SQL, and `close()` that drops the database again.
 * Shared by the benchmarks that measure pages as data piles up.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { loadConfig } from "../src/config/index.ts";
import { openDatabase } from "../src/db/client.ts";
import { postgresArgs } from "../src/db/postgres-url.ts";
import { assemble, type Tern } from "../src/server.ts";
import { freePort } from "../test/helpers/process.ts";

export interface ScratchSite {
  tern: Tern;
  sql: postgres.Sql;
  port: number;
  publicUrl: string;
  /** The scratch database's URL (for a second process on it, e.g. a worker). */
  databaseUrl: string;
  close(): Promise<void>;
}

/** `onQuery`: called with every statement the site's database is sent (benches count them). */
export async function scratchSite(
  bench: string,
  opts: {
    onQuery?: (query: string, params: unknown[]) => void;
    env?: Record<string, string>;
    maxConnections?: number;
  } = {},
): Promise<ScratchSite> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error(`${bench} needs DATABASE_URL (a PostgreSQL server)`);
  const name = `tern_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(...postgresArgs(base, { max: 1, onnotice: () => {} }));
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const port = await freePort();
  const publicUrl = `http://localhost:${port}`;
  const config = loadConfig({
    PUBLIC_URL: publicUrl,
    PORT: String(port),
    NODE_ROLE: "web",
    // assemble() guards this process's fetch too; the bench fetches from loopback.
    ALLOW_PRIVATE_ADDRESSES: "true",
    RATE_LIMITS: "false",
    DATABASE_URL: url.toString(),
    ...opts.env,
  });
  const database =
    opts.onQuery || opts.maxConnections
      ? await openDatabase({
          databaseUrl: config.databaseUrl,
          dataDir: "memory://",
          onQuery: opts.onQuery,
          maxConnections: opts.maxConnections,
        })
      : undefined;
  const tern = await assemble(config, database ? { database } : {});
  const sql = postgres(...postgresArgs(url.toString(), { max: 1, onnotice: () => {} }));
  return {
    tern,
    sql,
    port,
    publicUrl,
    databaseUrl: url.toString(),
    async close() {
      await sql.end();
      await tern.worker?.stop();
      await tern.database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
