import type { AccessRole } from "./access.ts";
import { mayPost } from "./access.ts";

/**
 * The scopes a token granted by a team member really carries on the account, whatever the app
 * asked for: owners and editors everything but `admin:*` (the instance's admin powers belong to
 * the person, never to a brand account's token); analysts only `read*` (and `push`), so every
 * write route answers 403. No role (the member was removed) means no scopes at all.
 */
export function scopesForRole(scopes: string[], role: AccessRole | undefined): string[] {
  if (role === undefined) return [];
  const noAdmin = scopes.filter((s) => s !== "admin" && !s.startsWith("admin:"));
  if (mayPost(role)) return noAdmin;
  return noAdmin.filter((s) => s === "push" || s === "read" || s.startsWith("read:"));
}
