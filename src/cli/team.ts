import { parseArgs } from "node:util";
import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";
import { type TeamRole, teamRoles } from "../db/schema/index.ts";
import { AppError } from "../lib/errors.ts";
import { type Account, findLocalAccount } from "../services/accounts/accounts.ts";
import {
  addMember,
  changeRole,
  createManagedAccount,
  listMembers,
  removeMember,
  transferOwnership,
} from "../services/teams/members.ts";

/**
 * `tern team ...`: managed (brand) accounts and their teams, run by the instance's administrator.
 * The changes go through the same services as an owner's, so the team audit log records them:
 * the creation as done by the new owner, everything else by no one (the console).
 */
export type TeamCommand =
  | { kind: "team-create"; username: string; owner: string }
  | { kind: "team-add"; account: string; login: string; role: TeamRole }
  | { kind: "team-role"; account: string; login: string; role: TeamRole }
  | { kind: "team-remove" | "team-transfer"; account: string; login: string }
  | { kind: "team-list"; account: string };

export const isTeamCommand = (command: { kind: string }): command is TeamCommand =>
  command.kind.startsWith("team-");

export const TEAM_USAGE = `  tern team create <username> --owner <login>
      Create a managed (brand) account, owned by a local login; nobody signs into it directly.
  tern team add <account> <login> --role owner|editor|analyst
      Put a local login on an account's team.
  tern team role <account> <login> <owner|editor|analyst>
      Change a member's role.
  tern team remove <account> <login>
      Take a member off the team (the tokens it was given for the account stop working).
  tern team transfer <account> <login>
      Make <login> the account's only owner (the other owners become editors).
  tern team list <account>
      List the team: one "@login role" line per member.
`;

const ACTIONS: Record<string, number> = {
  create: 1,
  add: 2,
  role: 3,
  remove: 2,
  transfer: 2,
  list: 1,
};

const name = (s: string) => s.replace(/^@/, "");

function teamRole(role: string | undefined): TeamRole {
  if (!(teamRoles as readonly string[]).includes(role ?? ""))
    throw new Error(`The role must be ${teamRoles.join(", ")}`);
  return role as TeamRole;
}

/** Throws a plain Error with the reason for bad input (the CLI prints it). */
export function parseTeamCommand(argv: string[]): TeamCommand {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { owner: { type: "string" }, role: { type: "string" } },
  });
  const [, action = "", ...args] = positionals;
  const wanted = ACTIONS[action];
  if (wanted === undefined) throw new Error(`Unknown command: team ${action}. Run "tern help".`);
  const usage = TEAM_USAGE.split("\n").find((l) => l.includes(`tern team ${action} `));
  if (args.length < wanted) throw new Error(`Missing arguments. Usage: ${usage?.trim()}`);
  if (args.length > wanted) throw new Error(`Unexpected argument: ${args[wanted]}`);
  const wrong = (option: string) =>
    new Error(`--${option} is not an option of tern team ${action}`);
  if (values.owner !== undefined && action !== "create") throw wrong("owner");
  if (values.role !== undefined && action !== "add") throw wrong("role");
  const [first, login = "", role] = args.map(name);
  switch (action) {
    case "create":
      if (!values.owner) throw new Error("Missing --owner <login>");
      return { kind: "team-create", username: first, owner: name(values.owner) };
    case "add":
      if (!values.role) throw new Error("Missing --role owner|editor|analyst");
      return { kind: "team-add", account: first, login, role: teamRole(values.role) };
    case "role":
      return { kind: "team-role", account: first, login, role: teamRole(role) };
    case "list":
      return { kind: "team-list", account: first };
    default:
      return { kind: `team-${action}` as "team-remove", account: first, login };
  }
}

async function local(db: Db, username: string): Promise<Account> {
  const account = await findLocalAccount(db, username);
  if (!account) throw new AppError(404, `No local account named @${username}`);
  return account;
}

/** Runs it and returns the text to print; refusals throw an AppError (printed as they are). */
export async function runTeamCommand(db: Db, config: Config, command: TeamCommand) {
  if (command.kind === "team-create") {
    const owner = await local(db, command.owner);
    const account = await createManagedAccount(db, config.publicUrl, owner, command.username);
    return `Created account @${account.username} (id ${account.id}), owned by @${owner.username}`;
  }
  const account = await local(db, command.account);
  if (command.kind === "team-list") {
    const members = await listMembers(db, account.id);
    if (members.length === 0) return `@${account.username} has no team`;
    return members.map((m) => `@${m.account.username} ${m.role}`).join("\n");
  }
  const login = (await local(db, command.login)).username;
  const on = `@${account.username}`;
  switch (command.kind) {
    case "team-add":
      await addMember(db, null, account.id, login, command.role);
      return `@${login} is now an ${command.role} of ${on}`;
    case "team-role":
      await changeRole(db, null, account.id, login, command.role);
      return `@${login} is now an ${command.role} of ${on}`;
    case "team-remove":
      await removeMember(db, null, account.id, login);
      return `@${login} is no longer on the team of ${on}`;
    case "team-transfer":
      await transferOwnership(db, null, account.id, login);
      return `@${login} is now the owner of ${on}`;
  }
}
