/**
 * The `tern` commands: parsed from argv and run on a database, writing to an output of the
 * caller's. The same functions serve `tern` opening the database itself (tern.ts) and a running
 * server on the embedded database running a forwarded command line (cli-socket.ts), so both print
 * exactly the same.
 */
import { parseArgs } from "node:util";
import { type Config, ConfigError } from "../config/index.ts";
import { type Database, openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { AppError } from "../lib/errors.ts";
import { createLocalAccount, findLocalAccount } from "../services/accounts/accounts.ts";
import { createApp, findAppByName, OOB_REDIRECT_URI } from "../services/oauth/apps.ts";
import { parseScopes } from "../services/oauth/scopes.ts";
import { createAccessToken } from "../services/oauth/tokens.ts";
import { roleOn } from "../services/teams/access.ts";
import {
  isModerationCommand,
  MODERATION_USAGE,
  type ModerationCommand,
  parseModerationCommand,
  runModerationCommand,
} from "./account-moderation.ts";
import { parseRoleCommand, ROLE_USAGE, type RoleCommand, runRoleCommand } from "./account-role.ts";
import {
  DOMAIN_USAGE,
  type DomainCommand,
  parseDomainCommand,
  runDomainCommand,
} from "./domain.ts";
import { FEDERATION_USAGE, runFederationHosts } from "./federation.ts";
import { INSTANCE_USAGE, type InstanceCommand, parseInstanceCommand } from "./instance-commands.ts";
import { parseSignupCommand, SIGNUP_USAGE } from "./signup-commands.ts";
import type { CliOutput } from "./socket-client.ts";
import {
  isTeamCommand,
  parseTeamCommand,
  runTeamCommand,
  TEAM_USAGE,
  type TeamCommand,
} from "./team.ts";

const USAGE = `Usage: tern <command>

Commands:
  tern account create <username> --password <password>
      Create a local account.
${ROLE_USAGE}${MODERATION_USAGE}  tern token create <username> [--scopes "read write follow push"]
      Create an access token for a local account and print it (only it) on stdout.
  tern token create <account> --member <login> [--scopes ...]
      A token for <account> given to a member of its team: it holds what their role allows.
${TEAM_USAGE}${DOMAIN_USAGE}${INSTANCE_USAGE}${SIGNUP_USAGE}${FEDERATION_USAGE}  tern help
      Show this help.

Configuration comes from the same environment variables as the server
(DATABASE_URL, DATA_DIR, PUBLIC_URL, ...). Without DATABASE_URL the embedded
database in DATA_DIR is used; while the Tern server runs on it, tern asks the
server to run the command (through DATA_DIR/tern.sock).
`;

const CLI_APP_NAME = "Tern CLI";
const DEFAULT_TOKEN_SCOPES = "read write follow push";

/** A failure to report as one line on stderr, with exit code 1 and no stack trace. */
export class CliError extends Error {}

export type { CliOutput };

/** What a parsed command runs with. */
export interface CliContext {
  config: Config;
  /** The directory relative file arguments are read from (the caller's, not the server's). */
  cwd: string;
  output: CliOutput;
  /** Runs `fn` on the opened, migrated database. */
  withDb<T>(fn: (db: Database["db"]) => Promise<T>): Promise<T>;
}

export type Command =
  | { kind: "help" }
  | { kind: "account-create"; username: string; password: string }
  | { kind: "token-create"; username: string; scopes: string[]; member?: string }
  | TeamCommand
  | DomainCommand
  | RoleCommand
  | ModerationCommand
  | { kind: "federation-hosts" }
  | { kind: "instance"; run: InstanceCommand };

function parseCommand(argv: string[]): Command {
  if (argv[0] === "domain" && !argv.includes("--help") && !argv.includes("-h")) {
    try {
      return parseDomainCommand(argv);
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  }
  if ((argv[0] === "registrations" || argv[0] === "invite") && !argv.includes("--help")) {
    try {
      return { kind: "instance", run: parseSignupCommand(argv) };
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  }
  if (argv[0] === "federation" && !argv.includes("--help")) {
    if (argv[1] !== "hosts" || argv.length > 2)
      throw new CliError("Unknown command. Usage: tern federation hosts");
    return { kind: "federation-hosts" };
  }
  if (isModerationCommand(argv) && !argv.includes("--help")) {
    try {
      return parseModerationCommand(argv);
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  }
  if (argv[0] === "team" && !argv.includes("--help") && !argv.includes("-h")) {
    try {
      return parseTeamCommand(argv);
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  }
  if (argv[0] === "account" && argv[1] === "role" && !argv.includes("--help")) {
    try {
      return parseRoleCommand(argv);
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const [group, action, username, ...extra] = positionals;
  if (values.help || group === "help") return { kind: "help" };
  if (group === undefined) throw new CliError('Missing command. Run "tern help".');
  if (group === "emoji" || group === "announcement") {
    const { starts, ends, category, "all-day": allDay } = values;
    if (values.password !== undefined || values.scopes !== undefined)
      throw new CliError(`--password and --scopes are not options of tern ${group}`);
    const run = parseInstanceCommand(
      group,
      positionals.slice(1),
      { starts, ends, category, "all-day": allDay },
      (message) => new CliError(message),
    );
    return { kind: "instance", run };
  }
  for (const key of ["starts", "ends", "category", "all-day"] as const)
    if (values[key] !== undefined) throw new CliError(`--${key} is not an option of tern ${group}`);
  const command = `${group} ${action ?? ""}`.trim();
  if (command !== "account create" && command !== "token create") {
    throw new CliError(`Unknown command: ${command}. Run "tern help".`);
  }
  if (!username) throw new CliError(`Missing <username>. Usage: tern ${command} <username> ...`);
  if (extra.length > 0) throw new CliError(`Unexpected argument: ${extra[0]}`);
  const name = username.replace(/^@/, "");
  if (command === "account create") {
    if (values.scopes !== undefined) throw new CliError("--scopes is for tern token create");
    if (values.member !== undefined) throw new CliError("--member is for tern token create");
    if (!values.password) throw new CliError("Missing --password <password>");
    return { kind: "account-create", username: name, password: values.password };
  }
  if (values.password !== undefined) throw new CliError("--password is for tern account create");
  const member = values.member?.replace(/^@/, "");
  return { kind: "token-create", username: name, scopes: checkScopes(values.scopes), member };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      password: { type: "string" },
      scopes: { type: "string" },
      member: { type: "string" },
      starts: { type: "string" },
      ends: { type: "string" },
      category: { type: "string" },
      "all-day": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function checkScopes(input: string | undefined): string[] {
  try {
    return parseScopes(input ?? DEFAULT_TOKEN_SCOPES, DEFAULT_TOKEN_SCOPES);
  } catch (err) {
    if (err instanceof AppError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * Opens the database the server uses. The embedded database refuses a second process (see
 * db/client.ts); tern.ts forwards to a running server before it gets here.
 */
export async function openForCli(config: Config): Promise<Database> {
  let database: Database;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      maxConnections: 2,
    });
    await migrate(database).catch(async (err) => {
      await database.close().catch(() => {});
      throw err;
    });
  } catch (err) {
    const where = config.databaseUrl ? "the PostgreSQL database (DATABASE_URL)" : config.dataDir;
    const hint = config.databaseUrl
      ? ""
      : " With the embedded database, make sure the Tern server is stopped.";
    throw new CliError(`Could not open ${where}: ${oneLine(err)}.${hint}`);
  }
  return database;
}

/** Runs a parsed command; its output goes to `ctx.output`. */
async function run(command: Exclude<Command, { kind: "help" }>, ctx: CliContext): Promise<void> {
  const { config } = ctx;
  const print = (line: string) => ctx.output.out(`${line}\n`);
  await ctx.withDb(async (db) => {
    if (command.kind === "instance") {
      print(await command.run(db, config, ctx.cwd));
      return;
    }
    if (command.kind === "account-role") {
      print(await runRoleCommand(db, command));
      return;
    }
    if (isTeamCommand(command)) {
      print(await runTeamCommand(db, config, command));
      return;
    }
    if (command.kind === "federation-hosts") {
      print(await runFederationHosts(db));
      return;
    }
    if (command.kind === "account-moderation") {
      print(await runModerationCommand(db, config, command));
      return;
    }
    if (command.kind !== "account-create" && command.kind !== "token-create") {
      print(await runDomainCommand(db, command));
      return;
    }
    if (command.kind === "account-create") {
      const account = await createLocalAccount(db, config.publicUrl, {
        username: command.username,
        password: command.password,
      });
      print(`Created account @${account.username} (id ${account.id})`);
      return;
    }
    const account = await findLocalAccount(db, command.username);
    if (!account) throw new CliError(`No local account named @${command.username}`);
    const member = command.member ? await findLocalAccount(db, command.member) : undefined;
    if (command.member && !member) throw new CliError(`No local account named @${command.member}`);
    if (member && !(await roleOn(db, member.id, account.id)))
      throw new CliError(`@${member.username} is not on the team of @${account.username}`);
    const app =
      (await findAppByName(db, CLI_APP_NAME)) ??
      (
        await createApp(db, {
          name: CLI_APP_NAME,
          redirectUris: OOB_REDIRECT_URI,
          scopes: DEFAULT_TOKEN_SCOPES,
        })
      ).app;
    const { token } = await createAccessToken(db, {
      appId: app.id,
      accountId: account.id,
      scopes: command.scopes,
      grantedByAccountId: member?.id,
    });
    print(token);
  });
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split("\n")[0].slice(0, 300) || "unknown error";
}

/**
 * Runs `fn`, turning the failures a user should read into one line on stderr and exit code 1.
 * Resolves with the exit code.
 */
export async function reportingFailures(
  output: CliOutput,
  fn: () => Promise<number | undefined>,
): Promise<number> {
  try {
    return (await fn()) ?? 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof AppError || err instanceof ConfigError) {
      output.err(`tern: ${err.message}\n`);
      return 1;
    }
    output.err(`tern: unexpected error: ${oneLine(err)}\n`);
    return 1;
  }
}

/** Parses argv; `help` is printed here (it needs no database) and answers null. */
export function parseCommandLine(
  argv: string[],
  output: CliOutput,
): Exclude<Command, { kind: "help" }> | null {
  const command = parseCommand(argv);
  if (command.kind !== "help") return command;
  output.out(USAGE);
  return null;
}

/** Parses and runs one command line; resolves with its exit code. */
export function executeCommandLine(argv: string[], ctx: CliContext): Promise<number> {
  return reportingFailures(ctx.output, async () => {
    const command = parseCommandLine(argv, ctx.output);
    if (command) await run(command, ctx);
    return 0;
  });
}
