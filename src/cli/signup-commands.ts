/**
 * `tern registrations open|approval|closed` and `tern invite create`: who may join the server.
 * Parsed here; run by tern.ts on the opened database like the other instance commands.
 */
import { parseArgs } from "node:util";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { accounts, localUsers } from "../db/schema/index.ts";
import { AppError } from "../lib/errors.ts";
import { findLocalAccount } from "../services/accounts/accounts.ts";
import { createInvite, inviteUrl } from "../services/accounts/invites.ts";
import {
  type RegistrationMode,
  registrationModes,
  setRegistrationMode,
} from "../services/accounts/registrations.ts";
import type { InstanceCommand } from "./instance-commands.ts";

export const SIGNUP_USAGE = `  tern registrations open|approval|closed [--message <text>]
      Who may sign up: anyone, anyone once a moderator approves, or only with an invite.
  tern invite create [--max-uses N] [--expires-days D] [--account <username>] [--autofollow]
      Make an invite link (by the oldest admin unless --account) and print it.
`;

/** Throws a plain Error with the reason for bad input (the CLI prints it). */
export function parseSignupCommand(argv: string[]): InstanceCommand {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      message: { type: "string" },
      "max-uses": { type: "string" },
      "expires-days": { type: "string" },
      account: { type: "string" },
      autofollow: { type: "boolean" },
    },
  });
  const [group, action, ...extra] = positionals;
  if (extra.length > 0) throw new Error(`Unexpected argument: ${extra[0]}`);
  const only = (...allowed: string[]) => {
    const wrong = Object.keys(values).find((k) => !allowed.includes(k));
    if (wrong) throw new Error(`--${wrong} is not an option of tern ${group}`);
  };
  if (group === "registrations") {
    if (!(registrationModes as readonly string[]).includes(action ?? ""))
      throw new Error("Usage: tern registrations open|approval|closed [--message <text>]");
    only("message");
    const mode = action as RegistrationMode;
    return async (db) => {
      await setRegistrationMode(db, mode, values.message);
      return `Registrations are now ${mode}`;
    };
  }
  if (action !== "create")
    throw new Error(`Unknown command: invite ${action ?? ""}. Run "tern help".`);
  only("max-uses", "expires-days", "account", "autofollow");
  const whole = (name: string, v: string | undefined) => {
    if (v === undefined) return null;
    if (!/^[0-9]{1,6}$/.test(v)) throw new Error(`--${name} must be a whole number`);
    return Number(v);
  };
  const maxUses = whole("max-uses", values["max-uses"]);
  const expiresDays = whole("expires-days", values["expires-days"]);
  return async (db, config) => {
    const inviterId = await inviter(db, values.account);
    const invite = await createInvite(db, inviterId, {
      maxUses,
      expiresDays,
      autofollow: values.autofollow ?? false,
    });
    return inviteUrl(config.publicUrl, invite);
  };
}

async function inviter(db: Db, username: string | undefined): Promise<string> {
  if (username !== undefined) {
    const account = await findLocalAccount(db, username.replace(/^@/, ""));
    if (!account) throw new AppError(404, `No local account named @${username}`);
    return account.id;
  }
  const [admin] = await db
    .select({ id: accounts.id })
    .from(localUsers)
    .innerJoin(accounts, eq(accounts.id, localUsers.accountId))
    .where(and(eq(localUsers.role, "admin"), isNull(accounts.suspendedAt)))
    .orderBy(asc(localUsers.createdAt))
    .limit(1);
  if (!admin) throw new AppError(404, "No admin account yet: give one with --account <username>");
  return admin.id;
}
