import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeCommandLine } from "../src/cli/commands.ts";
import { loadConfig } from "../src/config/index.ts";
import type { Database } from "../src/db/client.ts";
import { createLocalAccount, findLocalAccount } from "../src/services/accounts/accounts.ts";
import { findAccessToken } from "../src/services/oauth/tokens.ts";
import { listAudit } from "../src/services/teams/audit.ts";
import { openTestDatabase } from "./helpers/db.ts";

/**
 * `tern team ...` run through the very function the `tern` process and the running server's
 * socket both run (executeCommandLine), on a real database, without a process per command: the
 * spawned CLI, next to running servers, is exercised by test/e2e/teams.test.ts.
 */
let database: Database;
const config = loadConfig({ PUBLIC_URL: "https://tern.test" });

async function tern(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await executeCommandLine(argv, {
    config,
    cwd: "/",
    output: {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
    },
    withDb: (fn) => fn(database.db),
  });
  return { code, out: out.trim(), err: err.trim() };
}

async function fails(argv: string[], message: RegExp) {
  const run = await tern(...argv);
  expect(run).toMatchObject({ code: 1, out: "" });
  expect(run.err).toMatch(message);
}

const brandId = async () => (await findLocalAccount(database.db, "brand"))!.id;

beforeAll(async () => {
  database = await openTestDatabase();
  for (const username of ["alice", "bob", "carol", "dave"])
    await createLocalAccount(database.db, config.publicUrl, {
      username,
      password: "correct horse battery staple",
    });
});
afterAll(async () => {
  await database?.close();
});

describe("tern team", () => {
  it("creates a brand account owned by a login and runs its team", async () => {
    const created = await tern("team", "create", "brand", "--owner", "@alice");
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^Created account @brand \(id \d+\), owned by @alice$/);
    expect((await tern("team", "add", "brand", "bob", "--role", "editor")).out).toBe(
      "@bob is now an editor of @brand",
    );
    expect((await tern("team", "add", "brand", "carol", "--role", "editor")).code).toBe(0);
    expect((await tern("team", "role", "brand", "carol", "analyst")).out).toBe(
      "@carol is now an analyst of @brand",
    );
    expect((await tern("team", "list", "brand")).out).toBe(
      "@alice owner\n@bob editor\n@carol analyst",
    );
    expect((await tern("team", "add", "brand", "dave", "--role", "analyst")).code).toBe(0);
    expect((await tern("team", "remove", "brand", "dave")).out).toBe(
      "@dave is no longer on the team of @brand",
    );
    expect((await tern("team", "list", "brand")).out).not.toContain("dave");
  });

  it("records the creation as the owner's and the rest as done at the console", async () => {
    const alice = (await findLocalAccount(database.db, "alice"))!;
    const log = (await listAudit(database.db, await brandId())).reverse();
    expect(log.map((e) => [e.action, e.actorAccountId, e.detail])).toEqual([
      ["account.create", alice.id, { owner: "alice" }],
      ["member.add", null, { member: "bob", role: "editor" }],
      ["member.add", null, { member: "carol", role: "editor" }],
      ["member.role", null, { member: "carol", from: "editor", to: "analyst" }],
      ["member.add", null, { member: "dave", role: "analyst" }],
      ["member.remove", null, { member: "dave" }],
    ]);
  });

  it("gives a member a token for the account, and nobody else", async () => {
    const given = await tern("token", "create", "brand", "--member", "carol", "--scopes", "read");
    expect(given.code).toBe(0);
    const carol = (await findLocalAccount(database.db, "carol"))!;
    const found = await findAccessToken(database.db, given.out);
    expect(found?.account?.username).toBe("brand");
    expect(found?.token.grantedByAccountId).toBe(carol.id);
    expect(found?.scopes).toEqual(["read"]);
    await fails(["token", "create", "brand", "--member", "dave"], /@dave is not on the team/);
    await fails(["token", "create", "brand", "--member", "zed"], /No local account named @zed/);
  });

  it("transfers the account: the new owner is the only one", async () => {
    expect((await tern("team", "transfer", "brand", "bob")).out).toBe(
      "@bob is now the owner of @brand",
    );
    expect((await tern("team", "list", "brand")).out).toBe(
      "@alice editor\n@bob owner\n@carol analyst",
    );
    const [last] = await listAudit(database.db, await brandId(), { limit: 1 });
    expect(last).toMatchObject({ action: "account.transfer", actorAccountId: null });
    // The last owner stays: demoting them is refused, and nothing changed.
    await fails(["team", "role", "brand", "bob", "editor"], /keeps at least one owner/);
    expect((await tern("team", "list", "alice")).out).toBe("@alice has no team");
  });

  it("answers unknown accounts, logins and roles with one line and exit code 1", async () => {
    await fails(
      ["team", "add", "nobody", "bob", "--role", "editor"],
      /No local account named @nobody/,
    );
    await fails(["team", "list", "nobody"], /^tern: No local account named @nobody$/);
    await fails(
      ["team", "add", "brand", "nobody", "--role", "editor"],
      /No local account named @nobody/,
    );
    await fails(
      ["team", "add", "brand", "dave", "--role", "boss"],
      /role must be owner, editor, analyst/,
    );
    await fails(["team", "role", "brand", "bob"], /Missing arguments. Usage: tern team role/);
    await fails(["team", "remove", "brand", "dave"], /Not a member/);
    await fails(["team", "add", "brand", "bob", "--role", "editor"], /already a member/);
    await fails(["team", "create", "brand2"], /Missing --owner/);
    await fails(
      ["team", "create", "brand2", "--owner", "nobody"],
      /No local account named @nobody/,
    );
    await fails(
      ["team", "list", "brand", "--role", "owner"],
      /--role is not an option of tern team list/,
    );
    await fails(["team", "fire", "brand"], /Unknown command: team fire/);
    expect(await findLocalAccount(database.db, "brand2")).toBeUndefined();
  });

  it("is in tern help", async () => {
    const help = await tern("help");
    expect(help.out).toContain("tern team add <account> <login> --role owner|editor|analyst");
    expect(help.out).toContain("tern token create <account> --member <login>");
  });
});
