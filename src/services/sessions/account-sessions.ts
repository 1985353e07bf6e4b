/**
 * What a person sees on /settings/sessions: the browsers signed in to their account and the
 * apps holding a token, each revocable on its own; and the sign-out-everywhere of a password
 * change.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accessTokens, oauthApps, webSessions } from "../../db/schema/index.ts";
import { notFound } from "../../lib/errors.ts";
import { publishEvent } from "../events/publish.ts";

export interface SessionRow {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
}

export interface TokenRow {
  id: string;
  appName: string | null;
  appWebsite: string | null;
  scopes: string;
  createdAt: Date;
}

/** At most this many of each are listed (newest first). */
const LIST_LIMIT = 200;

export async function listWebSessions(db: Tx, accountId: string): Promise<SessionRow[]> {
  return db
    .select({
      id: webSessions.id,
      userAgent: webSessions.userAgent,
      ip: webSessions.ip,
      createdAt: webSessions.createdAt,
      lastUsedAt: webSessions.lastUsedAt,
    })
    .from(webSessions)
    .where(eq(webSessions.accountId, accountId))
    .orderBy(desc(webSessions.lastUsedAt))
    .limit(LIST_LIMIT);
}

/** The account's live tokens with their app (Tern keeps no per-token last use). */
export async function listAccountTokens(db: Tx, accountId: string): Promise<TokenRow[]> {
  return db
    .select({
      id: accessTokens.id,
      appName: oauthApps.name,
      appWebsite: oauthApps.website,
      scopes: accessTokens.scopes,
      createdAt: accessTokens.createdAt,
    })
    .from(accessTokens)
    .leftJoin(oauthApps, eq(oauthApps.id, accessTokens.appId))
    .where(and(eq(accessTokens.accountId, accountId), isNull(accessTokens.revokedAt)))
    .orderBy(desc(accessTokens.id))
    .limit(LIST_LIMIT);
}

/** Signs one of the account's own browsers out; anyone else's session is a 404. */
export async function revokeWebSessionOf(db: Tx, accountId: string, id: string): Promise<void> {
  const gone = await db
    .delete(webSessions)
    .where(and(eq(webSessions.id, id), eq(webSessions.accountId, accountId)))
    .returning({ id: webSessions.id });
  if (gone.length === 0) throw notFound();
}

/** Revokes one of the account's own tokens (its streams close too); anyone else's is a 404. */
export async function revokeTokenOf(db: Tx, accountId: string, id: string): Promise<void> {
  const gone = await db
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(accessTokens.id, id),
        eq(accessTokens.accountId, accountId),
        isNull(accessTokens.revokedAt),
      ),
    )
    .returning({ id: accessTokens.id });
  if (gone.length === 0) throw notFound();
  await publishEvent(db, { t: "token_revoked", id });
}

/** Every live token of the account, revoked at once (password change). */
export async function revokeAllTokensOf(db: Tx, accountId: string): Promise<number> {
  const gone = await db
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(accessTokens.accountId, accountId), isNull(accessTokens.revokedAt)))
    .returning({ id: accessTokens.id });
  for (const { id } of gone) await publishEvent(db, { t: "token_revoked", id });
  return gone.length;
}
