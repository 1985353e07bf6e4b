import type { Db } from "../db/client.ts";
import { ownsList } from "../services/events/audience.ts";
import { hasScope } from "../services/oauth/scopes.ts";
import { findAccessToken } from "../services/oauth/tokens.ts";
import { parseStream, StreamError, type Subscription, scopeOf } from "./streams.ts";

/** Who opened a stream: a user's token with at least one scope a stream needs. */
export interface StreamAuth {
  accountId: string;
  tokenId: string;
  scopes: string[];
}

/**
 * The token of a streaming request, where clients put it: `Authorization: Bearer`, the
 * `Sec-WebSocket-Protocol` header (browsers cannot set headers on a WebSocket), or the
 * `access_token` query parameter (nor on an EventSource).
 */
export function streamToken(headers: {
  authorization?: string | null;
  protocol?: string | null;
  query?: string | null;
}): string | undefined {
  const bearer = /^\s*Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  if (bearer) return bearer[1];
  const protocol = headers.protocol?.split(",")[0]?.trim();
  if (protocol) return protocol;
  return headers.query || undefined;
}

/** The token's user, or undefined: a 401 before any stream opens (or socket upgrades). */
export async function authenticateStream(
  db: Db,
  token: string | undefined,
): Promise<StreamAuth | undefined> {
  if (!token) return undefined;
  const found = await findAccessToken(db, token);
  // A sign-up waiting for approval streams nothing, as it may call nothing.
  if (!found?.account || found.pending) return undefined;
  const { scopes } = found;
  if (!hasScope(scopes, "read:statuses") && !hasScope(scopes, "read:notifications"))
    return undefined;
  return { accountId: found.account.id, tokenId: found.token.id, scopes };
}

/** A stream the client asked for, if its token may read it; StreamError says why not. */
export async function allowedStream(
  db: Db,
  auth: StreamAuth,
  stream: string,
  params: { tag?: string; list?: string },
): Promise<Subscription> {
  const sub = parseStream(stream, params);
  if (!hasScope(auth.scopes, scopeOf(sub.name)))
    throw new StreamError(`Access token does not have the required scopes for ${stream}`);
  if (sub.name === "list" && !(await ownsList(db, auth.accountId, sub.arg!)))
    throw new StreamError("List not found");
  return sub;
}
