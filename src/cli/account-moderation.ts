import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";
import {
  type AdminAccountRow,
  approveAccount,
  findAdminAccountByAcct,
  listAdminAccounts,
} from "../services/admin/accounts.ts";
import { moderateAccount, unsuspendAccount } from "../services/admin/moderation.ts";

/** `tern account list|suspend|unsuspend|approve ...`, parsed. */
export type ModerationCommand =
  | { kind: "account-moderation"; action: "list"; only?: "pending" | "suspended" | "remote" }
  | { kind: "account-moderation"; action: "suspend" | "unsuspend" | "approve"; acct: string };

export const MODERATION_USAGE = `  tern account list [--pending|--suspended|--remote]
      List accounts (newest first, at most 1000): local ones, or only those waiting for
      approval, suspended ones or remote ones.
  tern account suspend|unsuspend|approve <username|@user@host>
      Suspend an account (its tokens and sessions end at once), lift a suspension, or approve
      a sign-up waiting for approval.
`;

const ACTIONS = ["list", "suspend", "unsuspend", "approve"] as const;

/** True for the argv this file handles (`tern account <one of ACTIONS>`). */
export const isModerationCommand = (argv: string[]) =>
  argv[0] === "account" && (ACTIONS as readonly string[]).includes(argv[1] ?? "");

/** Throws a plain Error with the reason for bad input (the CLI prints it). */
export function parseModerationCommand(argv: string[]): ModerationCommand {
  const [, action, ...rest] = argv;
  if (action === "list") {
    const flags = rest.map((a) => a.replace(/^--/, ""));
    const unknown = rest.find((a) => !["--pending", "--suspended", "--remote"].includes(a));
    if (unknown) throw new Error(`${unknown} is not an option of tern account list`);
    if (flags.length > 1) throw new Error("Give at most one of --pending, --suspended, --remote");
    return {
      kind: "account-moderation",
      action: "list",
      only: flags[0] as "pending" | "suspended" | "remote" | undefined,
    };
  }
  const [acct, ...extra] = rest;
  if (!acct || acct.startsWith("-"))
    throw new Error(`Usage: tern account ${action} <username|@user@host>`);
  if (extra.length > 0) throw new Error(`Unexpected argument: ${extra[0]}`);
  return {
    kind: "account-moderation",
    action: action as "suspend" | "unsuspend" | "approve",
    acct,
  };
}

function line(r: AdminAccountRow): string {
  const name = r.account.domain
    ? `@${r.account.username}@${r.account.domain}`
    : `@${r.account.username}`;
  const marks = [
    r.user && !r.user.approved ? "pending" : "",
    r.account.suspendedAt ? "suspended" : "",
    r.account.silencedAt ? "silenced" : "",
    r.user && r.user.role !== "user" ? r.user.role : "",
  ].filter(Boolean);
  return `${r.account.id}\t${name}\t${marks.join(",") || "active"}`;
}

export async function runModerationCommand(
  db: Db,
  config: Config,
  command: ModerationCommand,
): Promise<string> {
  if (command.action === "list") {
    const filter =
      command.only === "remote"
        ? { origin: "remote" as const }
        : { origin: "local" as const, status: command.only };
    const rows = await listAdminAccounts(db, filter, { limit: 1000 });
    return rows.length ? rows.map(line).join("\n") : "No accounts.";
  }
  const row = await findAdminAccountByAcct(db, command.acct, config.host);
  const name = line(row).split("\t")[1];
  if (command.action === "approve") {
    await approveAccount(db, row, null, config);
    return `${name} is approved`;
  }
  if (command.action === "suspend") {
    await moderateAccount(db, null, row.account, { type: "suspend" });
    return `${name} is suspended`;
  }
  await unsuspendAccount(db, row.account, null);
  return `${name} is no longer suspended`;
}
