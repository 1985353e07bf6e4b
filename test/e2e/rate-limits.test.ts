import { afterAll, describe, expect, it } from "vitest";
import {
  type ProcessDatabase,
  processDatabase,
  runCli,
  type ServerProcess,
  startServer,
} from "../helpers/process.ts";

/**
 * Rate limits in real Tern processes, over real sockets: counted in the database, so shared by
 * every web process (PostgreSQL only: PGlite is one process's database), and keyed by an
 * address a client outside cannot choose.
 */
const pg = !!process.env.TEST_DATABASE_URL;
const running: ServerProcess[] = [];
const databases: ProcessDatabase[] = [];

afterAll(async () => {
  for (const p of running) await p.kill("SIGKILL");
  for (const d of databases) await d.drop();
});

async function start(env: Record<string, string>) {
  const server = await startServer({ PUBLIC_URL: "http://localhost:3999", ...env });
  running.push(server);
  return server;
}

/** Each case starts its servers: tens of seconds apiece on a loaded two-core machine. */
const CASE = { timeout: 90_000 };
const remaining = (res: Response) => Number(res.headers.get("x-ratelimit-remaining"));

describe.skipIf(!pg)("two web processes on one PostgreSQL database", CASE, () => {
  it("share one count per token", async () => {
    const db = await processDatabase();
    databases.push(db);
    const env = { ...db.env, RATE_LIMIT_API: "6/5m" };
    await runCli(["account", "create", "alice", "--password", "correct horse battery staple"], env);
    const token = await runCli(["token", "create", "alice"], env);
    const [a, b] = await Promise.all([
      start({ ...env, NODE_ROLE: "web" }),
      start({ ...env, NODE_ROLE: "web" }),
    ]);
    const answers: Response[] = [];
    for (let i = 0; i < 7; i++) {
      const server = i % 2 === 0 ? a : b;
      answers.push(
        await fetch(`${server.httpUrl}/api/v1/accounts/verify_credentials`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
    }
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 429]);
    expect(answers.slice(0, 6).map(remaining)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(Number(answers[6].headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("the client address behind X-Forwarded-For", CASE, () => {
  it("is believed only from a trusted proxy", async () => {
    const db = await processDatabase();
    databases.push(db);
    // Loopback is not a trusted proxy here: this test's requests come from outside, as it were.
    const server = await start({
      ...db.env,
      RATE_LIMIT_API: "50/5m",
      TRUSTED_PROXIES: "10.255.255.1",
    });
    const seen: number[] = [];
    for (const ip of ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) {
      const res = await fetch(`${server.httpUrl}/api/v1/instance`, {
        headers: { "x-forwarded-for": ip },
      });
      seen.push(remaining(res));
    }
    // Every request counted against the socket's address, whatever the header said.
    expect(seen[1]).toBe(seen[0] - 1);
    expect(seen[2]).toBe(seen[0] - 2);
    // LogTape quotes the values (a path cannot forge a log line with a newline).
    expect(server.output()).toMatch(/'GET' '\/api\/v1\/instance' 200 [\d.]+ms '127\.0\.0\.1' id=/);
    expect(server.output()).not.toContain("198.51.100.1");
  });

  it("is the forwarded one behind loopback, trusted by default", async () => {
    const db = await processDatabase();
    databases.push(db);
    const server = await start({ ...db.env, RATE_LIMIT_API: "50/5m" });
    for (const ip of ["198.51.100.1", "198.51.100.2"]) {
      const res = await fetch(`${server.httpUrl}/api/v1/instance`, {
        // A client's own claim on the left, appended to by our proxy on the right.
        headers: { "x-forwarded-for": `6.6.6.6, ${ip}` },
      });
      expect(remaining(res)).toBe(49);
    }
    expect(server.output()).toContain("198.51.100.2");
    expect(server.output()).not.toContain("6.6.6.6");
  });
});
