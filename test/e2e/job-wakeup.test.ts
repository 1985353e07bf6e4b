import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { setupLogging } from "../../src/lib/logger.ts";
import { assemble, type Tern } from "../../src/server.ts";
import { createMigratedPostgresDatabase } from "../helpers/db.ts";
import { freePort, runCli, type ServerProcess, startServer } from "../helpers/process.ts";

/**
 * A job enqueued by one process (a post through a `web` process) wakes a worker in another
 * process at once, through LISTEN/NOTIFY. The worker here polls only once a minute, so only the
 * NOTIFY can explain a pickup within seconds. PostgreSQL only: PGlite is one process's database.
 */
const pg = !!process.env.TEST_DATABASE_URL;
const POLL_MS = 60_000;
// Far below the poll interval, far above a loaded CI machine's worst pickup (1.2 s seen).
const BOUND_MS = 10_000;

describe.skipIf(!pg)("a worker in another process", () => {
  let drop: () => Promise<void>;
  let web: ServerProcess;
  let worker: Tern;
  let sql: postgres.Sql;
  let token: string;

  beforeAll(async () => {
    await setupLogging("error");
    const db = (await createMigratedPostgresDatabase())!;
    drop = db.drop;
    const port = await freePort();
    // The worker assembled here wraps this process's fetch: let it reach the web process.
    const env = {
      DATABASE_URL: db.url,
      PUBLIC_URL: `http://localhost:${port}`,
      ALLOW_PRIVATE_ADDRESSES: "true",
    };
    await runCli(["account", "create", "alice", "--password", "correct horse battery staple"], env);
    token = await runCli(["token", "create", "alice"], env);
    web = await startServer({ ...env, PORT: String(port), NODE_ROLE: "web", RATE_LIMITS: "false" });
    worker = await assemble(loadConfig({ ...env, NODE_ROLE: "worker" }), {
      queueOptions: { pollMs: POLL_MS },
    });
    sql = postgres(db.url, { max: 1, onnotice: () => {} });
    // Let the worker's first claim pass and its LISTEN start: from here on it sleeps a minute.
    await new Promise((r) => setTimeout(r, 500));
  }, 60_000);
  afterAll(async () => {
    await web?.kill();
    await worker?.close();
    await sql?.end();
    await drop?.();
  });

  it("fans out a status posted through the web process well within the poll interval", async () => {
    const took: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await fetch(`${web.httpUrl}/api/v1/statuses`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ status: `wake up ${i}` }),
      });
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      // The worker's fan-out puts the post in its author's own home feed.
      for (;;) {
        const [row] = await sql`select 1 from home_feed where status_id = ${id}`;
        if (row) break;
        expect(Date.now() - started, `post ${i} not fanned out`).toBeLessThan(BOUND_MS * 3);
        await new Promise((r) => setTimeout(r, 10));
      }
      took.push(Date.now() - started);
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`web -> worker: post to fanned out in ${took.join(", ")} ms`);
    for (const ms of took) expect(ms).toBeLessThan(BOUND_MS);
  }, 60_000);
});
