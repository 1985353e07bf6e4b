import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fillPgliteDataDir } from "../helpers/db.ts";
import { runCli, type ServerProcess, startServer } from "../helpers/process.ts";

/**
 * `npm start` on the embedded database holds DATA_DIR; `tern` run next to it sends its command
 * line to the server (DATA_DIR/tern.sock), which runs it on its own database. Always PGlite:
 * with PostgreSQL the CLI opens the database itself (test/cli.test.ts).
 */
const dataDir = mkdtempSync(join(tmpdir(), "tern-cli-srv-"));
const socket = join(dataDir, "tern.sock");
const env = {
  DATABASE_URL: "",
  DATA_DIR: dataDir,
  PUBLIC_URL: "https://tern.test",
  RATE_LIMITS: "false",
};
let server: ServerProcess;

/** Leaves a socket file behind, as a server killed with SIGKILL does. */
function leaveStaleSocket(path: string) {
  const script = `require("node:net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`;
  try {
    execFileSync(process.execPath, ["-e", script]);
  } catch {
    // killed, as intended
  }
}

beforeAll(async () => {
  leaveStaleSocket(socket);
  expect(existsSync(socket)).toBe(true);
  // Start from a migrated copy: creating a cluster in the server costs seconds of CPU.
  await fillPgliteDataDir(dataDir);
  server = await startServer(env);
}, 90_000);

afterAll(async () => {
  await server?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

function signIn(username: string, password: string) {
  return fetch(`${server.httpUrl}/auth/sign_in`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password, next: "/" }).toString(),
    redirect: "manual",
  });
}

describe("tern while the server runs on the embedded database", () => {
  it("creates an account through the running server, who can sign in at once", async () => {
    // The stale socket of a killed server was replaced by the live one, for the user only.
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const created = await runCli(
      ["account", "create", "carol", "--password", "a long password"],
      env,
    );
    expect(created).toMatch(/^Created account @carol \(id \d+\)$/);
    expect((await signIn("carol", "a long password")).status).toBe(302);
    expect((await signIn("carol", "wrong password")).status).toBe(401);

    const token = await runCli(["token", "create", "carol", "--scopes", "read"], env);
    const me = await fetch(`${server.httpUrl}/api/v1/accounts/verify_credentials`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await me.json()) as { username: string }).username).toBe("carol");
  }, 60_000);

  it("answers failures as tern does alone: one line on stderr, exit code 1", async () => {
    const again = runCli(["account", "create", "carol", "--password", "a long password"], env);
    await expect(again).rejects.toThrow(/tern account create carol .*: tern: .+\n$/s);
    await expect(again).rejects.not.toThrow(/\n\s+at /);
    const unknown = runCli(["token", "create", "nobody"], env);
    await expect(unknown).rejects.toThrow(/tern: No local account named @nobody\n$/);
  }, 60_000);

  it("removes the socket on shutdown, and tern then opens the database itself", async () => {
    expect(await server.kill("SIGTERM")).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expect(await runCli(["account", "role", "carol", "admin"], env)).toBe("@carol is now an admin");
  }, 60_000);
});
