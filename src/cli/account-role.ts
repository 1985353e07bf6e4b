import type { Db } from "../db/client.ts";
import { type UserRole, userRoles } from "../db/schema/index.ts";
import { setRole } from "../services/accounts/roles.ts";

/** `tern account role <username> <user|moderator|admin>`, parsed. */
export interface RoleCommand {
  kind: "account-role";
  username: string;
  role: UserRole;
}

export const ROLE_USAGE = `  tern account role <username> <user|moderator|admin>
      Set a local account's role (moderators and admins are notified of reports).
`;

/** Throws a plain Error with the reason for bad input (the CLI prints it). */
export function parseRoleCommand(argv: string[]): RoleCommand {
  const [, , username, role, ...extra] = argv;
  if (!username || !role)
    throw new Error("Usage: tern account role <username> <user|moderator|admin>");
  const option = [username, role, ...extra].find((a) => a.startsWith("-"));
  if (option) throw new Error(`${option} is not an option of tern account role`);
  if (extra.length > 0) throw new Error(`Unexpected argument: ${extra[0]}`);
  if (!(userRoles as readonly string[]).includes(role))
    throw new Error("The role must be user, moderator or admin");
  return { kind: "account-role", username: username.replace(/^@/, ""), role: role as UserRole };
}

export async function runRoleCommand(db: Db, command: RoleCommand): Promise<string> {
  await setRole(db, command.username, command.role);
  const article = command.role === "admin" ? "an" : "a";
  return `@${command.username} is now ${article} ${command.role}`;
}
