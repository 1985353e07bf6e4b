import { defineConfig } from "vitest/config";

export default defineConfig({
  // Outside node_modules, so `npm ci` keeps it: transformed modules (fsModuleCache) and each
  // file's last duration, which the sequencer uses to start the slowest files first (with no
  // durations it goes by file size, and a long e2e file started last leaves one worker idle).
  cacheDir: ".cache/vite",
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    // Starting two sites, or a CLI run and a server on the embedded database, took over a minute
    // on a loaded two-core machine: a hook that is slow, not stuck, should not fail the file.
    hookTimeout: 120_000,
    // Two cores: a few files at a time; each file gets its own database.
    maxWorkers: 2,
    pool: "forks",
    // Files share their worker, one after another, instead of a new process each: importing
    // Tern's module graph (Fedify, drizzle, the AWS SDK...) cost each file seconds of CPU, about
    // half of what an in-process test file costs in all. Files keep no state between them: each
    // opens its own database and closes what it starts, and what is cached per process is keyed
    // by database or config (src/services/*: WeakMaps) or meant to be shared (the outbound fetch
    // wrapper, the ffmpeg lookup, which tests reset). `npx vitest run --isolate` runs each file
    // in a process of its own, to rule a leak out.
    isolate: false,
  },
});
