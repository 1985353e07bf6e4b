import { mkdtempSync } from "node:fs";
import type { Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { createLocalAccount } from "../../src/services/accounts/accounts.ts";
import { createApp, OOB_REDIRECT_URI } from "../../src/services/oauth/apps.ts";
import { createAccessToken } from "../../src/services/oauth/tokens.ts";
import {
  type ProcessDatabase,
  processDatabase,
  type ServerProcess,
  startServer,
} from "./process.ts";
import { eventually } from "./tern.ts";
import { openTlsFront } from "./tls.ts";

/** A Tern server process with its own database, behind TLS on loopback, and its users' tokens. */
export interface Site {
  host: string;
  server: ServerProcess;
  front: Server;
  db: ProcessDatabase;
  tokens: Record<string, string>;
  /** The environment the server runs with (the CLI needs the same one). */
  env: Record<string, string>;
}

const PASSWORD = "correct horse battery staple";

export async function startSite(
  users: string[],
  certFile: string,
  tls: { key: string; cert: string },
  /** Runs on the site's database before its server starts (e.g. what an admin CLI would add). */
  seed?: (db: Database["db"], env: Record<string, string>) => Promise<void>,
  /** More of the server's environment (e.g. ANALYTICS_AGGREGATE_SECONDS), over the defaults. */
  extraEnv: Record<string, string> = {},
): Promise<Site> {
  const tlsFront = await openTlsFront(tls);
  const tlsPort = tlsFront.port;
  const db = await processDatabase();
  const env = {
    // Media files of the site (PGlite sites keep their database there too).
    DATA_DIR: mkdtempSync(join(tmpdir(), "tern-site-")),
    ...db.env,
    PUBLIC_URL: `https://localhost:${tlsPort}`,
    ALLOW_PRIVATE_ADDRESSES: "true",
    NODE_EXTRA_CA_CERTS: certFile,
    // Tests poll the API from one address far faster than any app (test/e2e/rate-limits.test.ts
    // turns the limits on where they are the subject).
    RATE_LIMITS: "false",
    ...extraEnv,
  };
  const tokens = await seedAccounts(env, users, seed);
  const server = await startServer(env);
  tlsFront.forwardTo(server.httpUrl);
  const front = tlsFront.server;
  return { host: `localhost:${tlsPort}`, server, front, db, tokens, env };
}

/**
 * The site's accounts and their tokens, written straight into its database before the server
 * holds it (what `tern account create` and `tern token create` do, which test/cli.test.ts covers;
 * here without two processes per user, which cost seconds each on the embedded database).
 */
async function seedAccounts(
  env: Record<string, string>,
  users: string[],
  seed?: (db: Database["db"], env: Record<string, string>) => Promise<void>,
) {
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    maxConnections: 2,
  });
  const tokens: Record<string, string> = {};
  try {
    await migrate(database);
    const { db } = database;
    const { app } = await createApp(db, {
      name: "tern-test-sites",
      redirectUris: OOB_REDIRECT_URI,
      scopes: "read write follow push",
    });
    for (const username of users) {
      const account = await createLocalAccount(db, env.PUBLIC_URL, {
        username,
        password: PASSWORD,
      });
      const scopes = ["read", "write", "follow", "push"];
      tokens[username] = (
        await createAccessToken(db, { appId: app.id, accountId: account.id, scopes })
      ).token;
    }
    await seed?.(database.db, env);
  } finally {
    await database.close();
  }
  return tokens;
}

/**
 * Stops the site's server, runs `between` (e.g. the CLI, which the embedded database allows only
 * while the server is stopped), and starts it again on the same port behind the same TLS front.
 */
export async function restartSite(site: Site, between: () => Promise<unknown>): Promise<void> {
  await site.server.kill();
  await between();
  site.server = await startServer({ ...site.env, PORT: new URL(site.server.httpUrl).port });
}

export async function stopSite(site: Site | undefined): Promise<void> {
  if (!site) return;
  if (process.env.E2E_SHOW_LOGS) console.log(`--- ${site.host}\n${site.server.output()}`);
  site.front.close();
  await site.server.kill();
  await site.db.drop();
}

/** A Mastodon API call as `user`; fails on a non-2xx answer. */
export async function api<T = unknown>(
  site: Site,
  user: string,
  path: string,
  init: { method?: string; json?: unknown } = {},
): Promise<T> {
  const res = await fetch(`${site.server.httpUrl}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${site.tokens[user]}`,
      ...(init.json ? { "content-type": "application/json" } : {}),
    },
    body: init.json ? JSON.stringify(init.json) : undefined,
  });
  const body = await res.json();
  if (!res.ok)
    throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body as T;
}

/** `user` on `site` follows the (remote) account `accountId` and waits for the Accept. */
export async function followAndWait(site: Site, user: string, accountId: string): Promise<void> {
  await api(site, user, `/api/v1/accounts/${accountId}/follow`, { method: "POST" });
  await eventually(async () => {
    const [rel] = await api<{ following: boolean }[]>(
      site,
      user,
      `/api/v1/accounts/relationships?id[]=${accountId}`,
    );
    return rel.following;
  }, 20_000);
}

/**
 * `reader` on `readerSite` follows `author` on `authorSite`, who then posts `text`; resolves
 * with the post as the author's server answered it and as it reached the reader's home timeline.
 */
export async function followThenSeePost<S extends { id: string; uri: string }>(
  authorSite: Site,
  author: string,
  readerSite: Site,
  reader: string,
  text: string,
  timeoutMs = 60_000,
): Promise<{ post: S; seen: S }> {
  const account = await api<{ id: string }>(
    readerSite,
    reader,
    `/api/v1/accounts/lookup?acct=${author}@${authorSite.host}`,
  );
  await followAndWait(readerSite, reader, account.id);
  const post = await api<S>(authorSite, author, "/api/v1/statuses", {
    method: "POST",
    json: { status: text },
  });
  const seen = await eventually(async () => {
    const home = await api<S[]>(readerSite, reader, "/api/v1/timelines/home");
    return home.find((s) => s.uri === post.uri);
  }, timeoutMs);
  return { post, seen };
}

/**
 * Starts sites at once (each spends part of its start waiting: spawn, sockets, disk); if one
 * fails, those that started are stopped before the error is thrown, so no server outlives it.
 */
export async function startTogether(starts: (() => Promise<Site>)[]): Promise<Site[]> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failed = results.find((r) => r.status === "rejected");
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<Site>).value);
  for (const r of results) if (r.status === "fulfilled") await stopSite(r.value);
  throw failed.reason;
}
