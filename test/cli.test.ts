import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.ts";
import { announcements, customEmojis, oauthApps } from "../src/db/schema/index.ts";
import { findAccessToken } from "../src/services/oauth/tokens.ts";
import { createEmptyPostgresDatabase } from "./helpers/db.ts";
import { png } from "./helpers/images.ts";
import { NODE_FLAGS } from "./helpers/process.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "src/cli/tern.ts");
const SLOW = 120_000;

/** Either a fresh PostgreSQL database (TEST_DATABASE_URL) or a fresh PGlite data directory. */
let databaseUrl: string | undefined;
let dataDir: string;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "tern-cli-"));
  const pg = await createEmptyPostgresDatabase();
  databaseUrl = pg?.url;
  dropDatabase = pg?.drop;
});

afterAll(async () => {
  await dropDatabase?.();
  await rm(dataDir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a real child process, the way `npx tern` would. */
function tern(...args: string[]): Promise<Run> {
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl ?? "",
    DATA_DIR: dataDir,
    PUBLIC_URL: "https://tern.test",
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...NODE_FLAGS, CLI, ...args],
      { env, cwd: ROOT },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Opens the same database as the CLI, after it has exited (PGlite allows one process). */
async function withDb<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl, dataDir, maxConnections: 1 });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

function expectCleanFailure(run: Run, message: RegExp) {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("tern CLI", () => {
  it("prints help", async () => {
    const run = await tern("help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("tern account create <username> --password <password>");
    expect(run.stdout).toContain("tern token create <username>");
  });

  it("creates an account, once", { timeout: SLOW }, async () => {
    const created = await tern("account", "create", "alice", "--password", "correct horse");
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created account @alice \(id \d+\)\n$/);

    const duplicate = await tern("account", "create", "alice", "--password", "correct horse");
    expectCleanFailure(duplicate, /already taken/);
  });

  it("rejects bad input with a message and exit code 1", { timeout: SLOW }, async () => {
    expectCleanFailure(
      await tern("account", "create", "not valid!", "--password", "correct horse"),
      /Username must be/,
    );
    expectCleanFailure(await tern("account", "create", "carol"), /--password/);
    expectCleanFailure(await tern("account", "create"), /Missing <username>/);
    expectCleanFailure(await tern("frobnicate"), /Unknown command/);
    expectCleanFailure(await tern("account", "create", "x", "--bogus"), /Unknown option/);
    expectCleanFailure(await tern("token", "create", "nobody"), /No local account named @nobody/);
    expectCleanFailure(
      await tern("token", "create", "alice", "--scopes", "read bogus"),
      /Unknown scope: bogus/,
    );
  });

  it("creates a token that authenticates, printing only the token", { timeout: SLOW }, async () => {
    const run = await tern("token", "create", "alice");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    const token = run.stdout.trim();

    const narrow = await tern("token", "create", "@alice", "--scopes", "read:statuses");
    expect(narrow.code).toBe(0);

    await withDb(async ({ db }) => {
      const found = await findAccessToken(db, token);
      expect(found?.account?.username).toBe("alice");
      expect(found?.scopes).toEqual(["read", "write", "follow", "push"]);
      const [app] = await db.select().from(oauthApps).where(eq(oauthApps.id, found!.token.appId!));
      expect(app.name).toBe("Tern CLI");
      // The CLI app is made once and reused.
      const apps = await db.select().from(oauthApps).where(eq(oauthApps.name, "Tern CLI"));
      expect(apps).toHaveLength(1);
      expect((await findAccessToken(db, narrow.stdout.trim()))?.scopes).toEqual(["read:statuses"]);
    });
  });

  it.skipIf(!!process.env.TEST_DATABASE_URL)(
    "refuses to open an embedded database another process has open",
    { timeout: SLOW },
    async () => {
      await withDb(async () => {
        expectCleanFailure(await tern("token", "create", "alice"), /stop the Tern server/);
      });
    },
  );
});

describe("tern emoji and tern announcement", () => {
  it("adds a custom emoji and an announcement", { timeout: SLOW }, async () => {
    const file = join(dataDir, "wave.png");
    await writeFile(file, await png(48, 48));
    const added = await tern("emoji", "add", ":wave:", file, "--category", "Hands");
    expect(added.stderr).toBe("");
    expect(added.stdout).toBe("Added :wave:\n");
    // Refused before the database is opened (each CLI run costs seconds on PGlite).
    expectCleanFailure(await tern("emoji", "add", "x!", file), /shortcode/);
    const announced = await tern("announcement", "add", "Hello all", "--ends", "2099-01-01T00:00Z");
    expect(announced.stdout).toMatch(/^Announced \(id \d+\)\n$/);
    expectCleanFailure(await tern("announcement", "add", "x", "--starts", "soon"), /not a time/);
    await withDb(async ({ db }) => {
      const [emoji] = await db.select().from(customEmojis);
      expect(emoji).toMatchObject({ shortcode: "wave", domain: null, category: "Hands" });
      expect(emoji.staticUrl).toMatch(/\.png$/);
      const [a] = await db.select().from(announcements);
      expect(a.content).toContain("Hello all");
      expect(a.endsAt?.toISOString()).toBe("2099-01-01T00:00:00.000Z");
    });
    // Removing (files too) is tested in process: test/api/startup.test.ts.
  });
});
