import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * A fresh clone has no durations in `.cache/vite`, and vitest then starts the largest files
 * first: these, the slowest by far (20 CLI runs; a snac2 peer), are not the largest and would
 * start late, leaving one worker alone at the end. They start first; the rest as vitest orders.
 */
const SLOWEST = ["test/cli.test.ts", "test/e2e/snac.test.ts"];
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOWEST.findIndex((name) => f.moduleId.endsWith(name));
      return i < 0 ? SLOWEST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  // Outside node_modules, so `npm ci` keeps it: each file's last duration, which the sequencer
  // uses to start the slowest files first (with no durations it goes by file size, and a long
  // e2e file started last leaves one worker idle).
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
    sequence: { sequencer: SlowestFirst },
    // Test files and Tern run on Node's own loader (type stripping, as `npm start` runs), not
    // through Vite's transform and module runner: no vi.mock here needs one. With the worker
    // set-up below (the compile cache and main.js's package resolution cache), one PGlite pass
    // took 19% less CPU (1,661 -> 1,349 s) and 7.5% less wall time (814 -> 753 s).
    experimental: { viteModuleRunner: false, nodeLoader: false },
    setupFiles: ["test/helpers/worker-setup.ts"],
    // As `npm start` runs Tern: PGlite's WebAssembly on V8's baseline compiler only. Optimizing
    // it in the background cost each PGlite file ~1-3 s of CPU it never got back (17% of three
    // heavy files' CPU; a process waited ~2 s at exit for the compile).
    execArgv: ["--liftoff-only"],
    // Each file keeps its own worker process (vitest's default, `isolate: true`). Sharing them
    // (`isolate: false`) halved the CPU of in-process files, but state an in-process Tern leaves
    // in its process (the outbound fetch wrapper above all) then leaked into later files: the
    // outbound-fetch unit tests failed and every e2e file's set-up hung on loopback requests.
  },
});
