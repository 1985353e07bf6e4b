import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: a few files at a time; each file gets its own database.
    maxWorkers: 2,
    pool: "forks",
  },
});
