import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMigratedPostgresDatabase, fillPgliteDataDir } from "./db.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Where a server process keeps its data: a fresh PostgreSQL database or a fresh PGlite folder,
 * either already migrated (the server's migrate() then finds nothing to do; migrating from
 * nothing is test/e2e/scale-out.test.ts's and test/cli.test.ts's subject).
 */
export interface ProcessDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * Node flags of every Tern process a test (or bench) starts, as `npm start` and the image start
 * it: PGlite's WebAssembly compiled by V8's baseline compiler only, and V8's young generation
 * capped (see the README's memory notes).
 */
export const NODE_FLAGS = ["--liftoff-only", "--max-semi-space-size=8"];

export async function processDatabase(): Promise<ProcessDatabase> {
  const pg = await createMigratedPostgresDatabase();
  if (pg) return { env: { DATABASE_URL: pg.url }, drop: pg.drop };
  const dataDir = mkdtempSync(join(tmpdir(), "tern-e2e-"));
  await fillPgliteDataDir(dataDir);
  return { env: { DATA_DIR: dataDir }, drop: async () => {} };
}

/** Runs `node src/cli/tern.ts …` to completion; resolves with its output, rejects on failure. */
export function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, "src/cli/tern.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`tern ${args.join(" ")}: ${err}`)),
    );
  });
}

export interface ServerProcess {
  child: ChildProcess;
  /** Where the process listens (plain HTTP on loopback). */
  httpUrl: string;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node src/main.js` and waits until it answers HTTP (or, for a worker, until it logs).
 * A port found free may be taken by another test's listener before the child binds it; when the
 * port was not given, that is retried on a new port.
 */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(env);
    } catch (error) {
      const collided = String(error).includes("EADDRINUSE");
      if (env.PORT || !collided || attempt >= 3) throw error;
    }
  }
}

async function startServerOnce(env: Record<string, string>): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, [...NODE_FLAGS, "src/main.js"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env, PORT: port },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const httpUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${log}`);
    if (env.NODE_ROLE === "worker" ? log.includes("Worker started") : await answers(httpUrl)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    httpUrl,
    output: () => log,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/api/v1/instance`)).ok;
  } catch {
    return false;
  }
}
