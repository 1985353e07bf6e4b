/**
 * What one Tern process (role `all`) costs to start and to keep: time from spawn to the first 200
 * of GET /api/v1/instance, resident memory (VmRSS) once settled, and after two rounds of load,
 * against the ceiling measured in the same run: a bare `node` process with Hono answering 200.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:memory [requests=400] [settleMs=5000] [rounds=1]
 *
 * Each database is started twice, as `npm start` starts it in production: first on
 * nothing (PostgreSQL: a scratch database created next to DATABASE_URL's, migrated by the server,
 * dropped at the end; PGlite: an empty temporary folder, whose cluster the server creates), then
 * again on the data the first start left (a restart). The goals apply to the restart. Without
 * DATABASE_URL only PGlite is measured. A load round is `requests` GETs, 10 at a time, of the
 * instance, the public and local timelines, NodeInfo and a WebFinger miss; after a warm-up round
 * and one more, "growth" is the RSS a third round adds (or, with `rounds` above 1, that many more
 * rounds together, to see a slow creep), which stays small when every cache is bounded. Start-up CPU time is shown too: on a busy machine it is steadier than the wall clock.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { postgresArgs } from "../src/db/postgres-url.ts";
import { freePort, NODE_FLAGS } from "../test/helpers/process.ts";

const requests = Number(process.argv[2] ?? 400);
const settleMs = Number(process.argv[3] ?? 5000);
const rounds = Number(process.argv[4] ?? 1);
const ROOT = new URL("..", import.meta.url).pathname;

interface Measured {
  startMs: number;
  /** CPU time (user + system) the process had spent by its first 200: steadier on a busy box. */
  startCpuMs: number;
  idleMb: number;
  loadedMb: number;
  growthMb: number;
  peakMb: number;
}

/** VmRSS (or another /proc status line, e.g. VmHWM, the peak) of a process, in MB. */
function procMb(pid: number, field = "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]);
  return kb / 1024;
}

/** CPU time a process has used, in ms (utime + stime of /proc/<pid>/stat, in clock ticks). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function ok(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** One load round: `requests` GETs over `paths`, 10 at a time; each answer read to the end. */
async function load(base: string, paths: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < requests) {
        const res = await fetch(base + paths[next++ % paths.length]);
        await res.arrayBuffer();
      }
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `args` with `env`, times it to the first 200, then settles, loads and measures it. */
async function measure(
  args: string[],
  env: Record<string, string>,
  port: number,
  paths: string[],
): Promise<Measured> {
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let errors = "";
  child.stderr?.on("data", (d) => (errors += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  try {
    while (!(await ok(`${base}/api/v1/instance`))) {
      if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited:\n${errors}`);
      if (performance.now() - started > 300_000) throw new Error(`no 200 in 300 s:\n${errors}`);
      await sleep(10);
    }
    const startMs = performance.now() - started;
    const pid = child.pid as number;
    const startCpuMs = cpuMs(pid);
    await sleep(settleMs);
    const idleMb = procMb(pid);
    // The first round also warms up (JIT, V8's young generation grows back, caches fill).
    await load(base, paths);
    await load(base, paths);
    const loadedMb = procMb(pid);
    for (let i = 0; i < rounds; i++) await load(base, paths);
    const growthMb = procMb(pid) - loadedMb;
    return { startMs, startCpuMs, idleMb, loadedMb, growthMb, peakMb: procMb(pid, "VmHWM") };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

/** `npm start`'s command in the role `all` on the given database settings. */
async function tern(dbEnv: Record<string, string>): Promise<Measured> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PUBLIC_URL: `http://localhost:${port}`,
    PORT: String(port),
    NODE_ROLE: "all",
    LOG_LEVEL: "warning",
    RATE_LIMITS: "false",
    ...dbEnv,
  };
  if (!dbEnv.DATABASE_URL) delete env.DATABASE_URL;
  const host = `localhost:${port}`;
  return measure([...NODE_FLAGS, "src/main.js"], env, port, [
    "/api/v1/instance",
    "/api/v2/instance",
    "/api/v1/timelines/public?limit=40",
    "/api/v1/timelines/public?local=true&limit=40",
    "/nodeinfo/2.1",
    `/.well-known/webfinger?resource=acct:nobody@${host}`,
  ]);
}

/** The ceiling: a bare node process whose Hono answers 200 on the same path, same load. */
async function bareHono(): Promise<Measured> {
  const port = await freePort();
  const script = `
    import { serve } from "@hono/node-server";
    import { Hono } from "hono";
    serve({ fetch: new Hono().get("*", (c) => c.json({ ok: true })).fetch, port: ${port} });`;
  return measure(["--input-type=module", "-e", script], { ...process.env } as never, port, ["/"]);
}

/** Fresh start, then a restart on what it left: the same database or folder. */
async function startTwice(dbEnv: Record<string, string>) {
  const fresh = await tern(dbEnv);
  const restart = await tern(dbEnv);
  return { fresh, restart };
}

async function onPostgres(base: string) {
  const name = `tern_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(...postgresArgs(base, { max: 1, onnotice: () => {} }));
  await admin.unsafe(`create database ${name}`);
  try {
    const url = new URL(base);
    url.pathname = `/${name}`;
    return await startTwice({ DATABASE_URL: url.toString() });
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function onPglite() {
  const dataDir = mkdtempSync(join(tmpdir(), "tern-bench-memory-"));
  try {
    return await startTwice({ DATA_DIR: dataDir });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const growthRounds = rounds === 1 ? "3rd round" : `rounds 3-${rounds + 2}`;

/** Growth of at least 0.1 MB, so that ratios stay finite. */
const grew = (m: Measured) => Math.max(m.growthMb, 0.1);

/** One line of the table: lower is better for every figure here. */
function row(what: string, figure: number, ceiling: number, goal?: number) {
  return {
    what,
    tern: Number(figure.toFixed(1)),
    ceiling: Number(ceiling.toFixed(1)),
    ratio: Number((ceiling / figure).toFixed(2)),
    goal: goal ?? "",
    pass: goal === undefined ? "" : figure <= goal ? "pass" : "FAIL",
  };
}

function rows(
  db: string,
  runs: { fresh: Measured; restart: Measured },
  bare: Measured,
  goals: {
    startMs: number;
    idleMb: number;
  },
) {
  const { fresh, restart } = runs;
  return [
    row(`${db} first start ms (creates/migrates)`, fresh.startMs, bare.startMs),
    row(`${db} first start idle RSS MB`, fresh.idleMb, bare.idleMb),
    row(`${db} restart ms to first 200`, restart.startMs, bare.startMs, goals.startMs),
    row(`${db} restart CPU ms to first 200`, restart.startCpuMs, bare.startCpuMs),
    row(`${db} restart idle RSS MB`, restart.idleMb, bare.idleMb, goals.idleMb),
    row(`${db} RSS after 2 × ${requests} requests MB`, restart.loadedMb, bare.loadedMb),
    row(`${db} RSS growth, ${growthRounds} MB`, grew(restart), grew(bare), 10),
    row(`${db} peak RSS (VmHWM) MB`, restart.peakMb, bare.peakMb),
  ];
}

const bare = await bareHono();
const table = [];
if (process.env.DATABASE_URL) {
  table.push(
    ...rows("PostgreSQL", await onPostgres(process.env.DATABASE_URL), bare, {
      startMs: 1000,
      idleMb: 150,
    }),
  );
} else {
  console.log("DATABASE_URL unset: PostgreSQL skipped");
}
table.push(...rows("PGlite", await onPglite(), bare, { startMs: 2000, idleMb: 250 }));
console.log(`one process, NODE_ROLE=all; ceiling: bare node + Hono; settled ${settleMs} ms`);
console.table(table);
