import { createHash, randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { loadConfig } from "../../src/config/index.ts";
import { accessTokens } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { setupLogging } from "../../src/lib/logger.ts";
import { assemble, type Tern } from "../../src/server.ts";
import { type Account, createLocalAccount } from "../../src/services/accounts/accounts.ts";
import { openTestDatabase } from "./db.ts";

export interface TestTern extends Tern {
  /** Sends a request to the app as if it came to PUBLIC_URL. */
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /** A local account with a bearer token holding `scopes`. */
  user(
    username: string,
    opts?: { scopes?: string; locked?: boolean },
  ): Promise<{ account: Account; token: string }>;
  close(): Promise<void>;
}

/**
 * A whole Tern (app, Fedify, worker) on a fresh test database, answering as PUBLIC_URL
 * (default https://tern.test). Remote servers are unreachable from it unless a test serves them.
 */
export async function startTestTern(env: Record<string, string> = {}): Promise<TestTern> {
  // TEST_LOG_LEVEL=debug shows what the server logs; errors are always shown.
  await setupLogging((process.env.TEST_LOG_LEVEL as "debug" | undefined) ?? "error");
  const database = await openTestDatabase();
  const config = loadConfig({
    PUBLIC_URL: "https://tern.test",
    ALLOW_PRIVATE_ADDRESSES: "true",
    // Suites send hundreds of requests from one "address"; tests about limits turn them on.
    RATE_LIMITS: "false",
    ...env,
  });
  const tern = await assemble(config, { database, queueOptions: { pollMs: 50 } });
  return {
    ...tern,
    request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.token) headers.set("authorization", `Bearer ${init.token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      return Promise.resolve(
        tern.app.fetch(new Request(new URL(path, config.publicUrl), { ...init, headers, body })),
      );
    },
    async user(username, opts = {}) {
      const account = await createLocalAccount(tern.database.db, config.publicUrl, {
        username,
        password: "correct horse battery staple",
        locked: opts.locked,
      });
      const token = randomBytes(32).toString("base64url");
      await tern.database.db.insert(accessTokens).values({
        id: newId(),
        tokenHash: createHash("sha256").update(token).digest("hex"),
        accountId: account.id,
        scopes: opts.scopes ?? "read write follow push",
      });
      return { account, token };
    },
    async close() {
      await tern.close();
      await tern.database.close();
    },
  };
}

/** Polls `check` until it returns a truthy value (jobs run asynchronously in the worker). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Serves `t` on a loopback port, for real HTTP clients (masto, megalodon); its base URL. */
export async function listenTern(t: TestTern): Promise<{ url: string; close(): void }> {
  const server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
