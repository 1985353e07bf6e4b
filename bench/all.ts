/**
 * Every benchmark, one after another, at its default size, each printing its own table.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench [name...]
 *
 * Names pick some (`npm run bench -- memory inbox`). Each runs as its own process, so that one's
 * heap and leftovers do not weigh on the next; a failing one is reported and the rest still run.
 * Without DATABASE_URL, those that need PostgreSQL are skipped (inbox and memory use PGlite).
 */
import { spawnSync } from "node:child_process";

const BENCHES: { name: string; flags?: string[]; needsPostgres: boolean }[] = [
  { name: "timeline", needsPostgres: true },
  { name: "inbox", needsPostgres: false },
  { name: "fanout", needsPostgres: true },
  { name: "latency", needsPostgres: true },
  { name: "list-pages", needsPostgres: true },
  { name: "memory", needsPostgres: false },
  { name: "search", needsPostgres: true },
  { name: "streaming", flags: ["--expose-gc"], needsPostgres: true },
];

const picked = process.argv.slice(2);
const unknown = picked.filter((name) => !BENCHES.some((b) => b.name === name));
if (unknown.length) {
  console.error(`unknown bench: ${unknown.join(", ")}; known: ${BENCHES.map((b) => b.name)}`);
  process.exit(2);
}
const failed: string[] = [];
for (const bench of BENCHES) {
  if (picked.length && !picked.includes(bench.name)) continue;
  console.log(`\n=== bench:${bench.name}`);
  if (bench.needsPostgres && !process.env.DATABASE_URL) {
    console.log("skipped: needs DATABASE_URL (a PostgreSQL server)");
    continue;
  }
  const script = new URL(`./${bench.name}.ts`, import.meta.url).pathname;
  const run = spawnSync(process.execPath, [...(bench.flags ?? []), script], { stdio: "inherit" });
  if (run.status !== 0) failed.push(bench.name);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(", ")}`);
  process.exit(1);
}
