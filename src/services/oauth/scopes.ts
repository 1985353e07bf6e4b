import { OAuthError } from "./errors.ts";

/** Mastodon's granular scopes. */
export const READ_SCOPES = [
  "read:accounts",
  "read:blocks",
  "read:bookmarks",
  "read:favourites",
  "read:filters",
  "read:follows",
  "read:lists",
  "read:mutes",
  "read:notifications",
  "read:search",
  "read:statuses",
] as const;

export const WRITE_SCOPES = [
  "write:accounts",
  "write:blocks",
  "write:bookmarks",
  "write:conversations",
  "write:favourites",
  "write:filters",
  "write:follows",
  "write:lists",
  "write:media",
  "write:mutes",
  "write:notifications",
  "write:reports",
  "write:statuses",
] as const;

/**
 * Mastodon's admin scopes (`admin:read` and `admin:write` stand for their granular members).
 * Neither `read` nor `write` includes them, as on Mastodon: an app asks for admin access by name,
 * and an admin route needs the scope AND a moderator or admin behind the token.
 */
const ADMIN_RESOURCES = [
  "accounts",
  "reports",
  "domain_allows",
  "domain_blocks",
  "ip_blocks",
  "email_domain_blocks",
  "canonical_email_blocks",
] as const;
export const ADMIN_READ_SCOPES = ADMIN_RESOURCES.map((r) => `admin:read:${r}`);
export const ADMIN_WRITE_SCOPES = ADMIN_RESOURCES.map((r) => `admin:write:${r}`);

/** The legacy `follow` scope: Mastodon defines it as exactly these six. */
const FOLLOW_SCOPES = [
  "read:follows",
  "write:follows",
  "read:blocks",
  "write:blocks",
  "read:mutes",
  "write:mutes",
];

/** Every scope Tern accepts, in the order the metadata document lists them. */
export const SUPPORTED_SCOPES: readonly string[] = [
  "read",
  "write",
  "follow",
  "push",
  "profile",
  ...READ_SCOPES,
  ...WRITE_SCOPES,
  "admin:read",
  "admin:write",
  ...ADMIN_READ_SCOPES,
  ...ADMIN_WRITE_SCOPES,
];

const SUPPORTED = new Set(SUPPORTED_SCOPES);

/**
 * What one scope stands for, as a set of leaves. Umbrella scopes expand to their members, and
 * `profile` (Mastodon: "read your own profile only") is contained in `read:accounts`, so a route
 * guarded by `profile` also admits `read` and `read:accounts` tokens, as Mastodon's does.
 */
function expand(scope: string): string[] {
  switch (scope) {
    case "read":
      return [...READ_SCOPES, "profile"];
    case "write":
      return [...WRITE_SCOPES];
    case "follow":
      return FOLLOW_SCOPES;
    case "admin:read":
      return ADMIN_READ_SCOPES;
    case "admin:write":
      return ADMIN_WRITE_SCOPES;
    case "read:accounts":
      return ["read:accounts", "profile"];
    default:
      return SUPPORTED.has(scope) ? [scope] : [];
  }
}

function expandAll(scopes: readonly string[]): Set<string> {
  return new Set(scopes.flatMap(expand));
}

/**
 * True when the `granted` scopes cover everything `required` stands for: `read` covers
 * `read:statuses`, `follow` covers `write:blocks`, but `read:statuses` does not cover `read`.
 * An unknown `required` scope is never granted.
 */
export function hasScope(granted: readonly string[], required: string): boolean {
  const leaves = expand(required);
  if (leaves.length === 0) return false;
  const have = expandAll(granted);
  return leaves.every((leaf) => have.has(leaf));
}

/** True when every scope in `requested` is covered by `allowed` (e.g. the app's registration). */
export function isScopeSubset(requested: readonly string[], allowed: readonly string[]): boolean {
  const have = expandAll(allowed);
  return requested.every((s) => {
    const leaves = expand(s);
    return leaves.length > 0 && leaves.every((leaf) => have.has(leaf));
  });
}

const MAX_SCOPE_INPUT = 2000;

/**
 * Parses a scope string as clients send it: space separated, or `+` separated when a client
 * built the query by hand (no scope name contains `+`, so splitting on it is safe). Duplicates
 * are dropped. Empty or missing input gives `fallback`. Unknown scopes are a 400 invalid_scope.
 */
export function parseScopes(input: string | undefined | null, fallback = "read"): string[] {
  const text = input?.trim() ? input : fallback;
  if (text.length > MAX_SCOPE_INPUT) {
    throw new OAuthError(400, "invalid_scope", "The requested scope is too long");
  }
  const scopes = [...new Set(text.split(/[\s+]+/).filter((s) => s !== ""))];
  if (scopes.length === 0) throw new OAuthError(400, "invalid_scope", "No scope was requested");
  const unknown = scopes.find((s) => !SUPPORTED.has(s));
  if (unknown !== undefined) {
    throw new OAuthError(400, "invalid_scope", `Unknown scope: ${unknown.slice(0, 100)}`);
  }
  return scopes;
}

/** Scopes as stored and as answered in `scope`: one space-separated string. */
export function formatScopes(scopes: readonly string[]): string {
  return scopes.join(" ");
}

/** Reads a stored scope string back (stored values were validated when written). */
export function storedScopes(text: string): string[] {
  return text.split(" ").filter((s) => s !== "");
}
