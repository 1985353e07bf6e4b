import { and, asc, eq, lt, notExists } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { accessTokens, authorizationCodes, oauthApps } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { randomSecret, safeEqual, sha256Hex } from "./crypto.ts";
import { invalidClient } from "./errors.ts";
import { formatScopes, parseScopes, storedScopes } from "./scopes.ts";

export type OAuthApp = typeof oauthApps.$inferSelect;

/** The out-of-band redirect: the code is shown to the user instead of being sent anywhere. */
export const OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob";

const MAX_NAME = 100;
const MAX_URI = 2000;
const MAX_REDIRECT_URIS = 10;
/** Schemes a browser would run or read locally instead of handing to an app. */
const FORBIDDEN_SCHEMES = new Set(["javascript:", "data:", "vbscript:", "file:", "blob:"]);

export interface CreateAppInput {
  name: string;
  /** As sent: one string (newline separated) or an array. */
  redirectUris: string | string[];
  /** Space separated; default "read", as Mastodon. */
  scopes?: string;
  website?: string | null;
}

/** A registered app, plus its client secret in the clear: the only time it is known. */
export interface CreatedApp {
  app: OAuthApp;
  clientSecret: string;
}

/**
 * Registers a client app. The client secret is stored as its SHA-256 only, like tokens: it is
 * shown once, in the registration answer, and never needed in the clear again.
 */
export async function createApp(db: Tx, input: CreateAppInput): Promise<CreatedApp> {
  const name = input.name.trim();
  if (name === "" || name.length > MAX_NAME) {
    throw new AppError(422, `client_name must be 1-${MAX_NAME} characters`);
  }
  const redirectUris = parseRedirectUris(input.redirectUris);
  const scopes = parseScopes(input.scopes, "read");
  const website = parseWebsite(input.website);
  const clientSecret = randomSecret(32);
  const [app] = await db
    .insert(oauthApps)
    .values({
      id: newId(),
      name,
      website,
      redirectUris: redirectUris.join("\n"),
      scopes: formatScopes(scopes),
      clientId: randomSecret(32),
      clientSecret: sha256Hex(clientSecret),
    })
    .returning();
  return { app, clientSecret };
}

/** Splits and checks redirect URIs: absolute, no fragment (RFC 6749 §3.1.2), no script schemes. */
export function parseRedirectUris(input: string | string[]): string[] {
  const list = (Array.isArray(input) ? input : [input])
    .flatMap((s) => s.split(/\r?\n/))
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new AppError(422, "redirect_uris must not be empty");
  if (list.length > MAX_REDIRECT_URIS) {
    throw new AppError(422, `At most ${MAX_REDIRECT_URIS} redirect_uris are allowed`);
  }
  for (const uri of list) {
    if (uri === OOB_REDIRECT_URI) continue;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new AppError(422, "redirect_uris must be absolute URIs");
    }
    if (uri.length > MAX_URI) throw new AppError(422, "redirect_uris entry is too long");
    if (url.hash || uri.includes("#")) {
      throw new AppError(422, "redirect_uris must not contain a fragment");
    }
    if (FORBIDDEN_SCHEMES.has(url.protocol)) {
      throw new AppError(422, `redirect_uris must not use the ${url.protocol} scheme`);
    }
  }
  return [...new Set(list)];
}

function parseWebsite(website: string | null | undefined): string | null {
  const w = website?.trim();
  if (!w) return null;
  if (w.length > MAX_URI) throw new AppError(422, "website is too long");
  try {
    const url = new URL(w);
    if (url.protocol === "http:" || url.protocol === "https:") return w;
  } catch {
    // fall through
  }
  throw new AppError(422, "website must be an http(s) URL");
}

export function appRedirectUris(app: OAuthApp): string[] {
  return app.redirectUris.split("\n").filter((s) => s !== "");
}

export function appScopes(app: OAuthApp): string[] {
  return storedScopes(app.scopes);
}

export async function getApp(db: Tx, id: string): Promise<OAuthApp> {
  const [app] = await db.select().from(oauthApps).where(eq(oauthApps.id, id));
  if (!app) throw notFound();
  return app;
}

export async function findAppByClientId(db: Tx, clientId: string): Promise<OAuthApp | undefined> {
  if (clientId === "" || clientId.length > 200) return undefined;
  const [app] = await db.select().from(oauthApps).where(eq(oauthApps.clientId, clientId));
  return app;
}

/** The oldest app with this exact name; for apps Tern registers for itself (the CLI). */
export async function findAppByName(db: Tx, name: string): Promise<OAuthApp | undefined> {
  const [app] = await db
    .select()
    .from(oauthApps)
    .where(eq(oauthApps.name, name))
    .orderBy(asc(oauthApps.id))
    .limit(1);
  return app;
}

export interface AuthenticatedClient {
  app: OAuthApp;
  /** False for a public client that sent only its client_id (auth method "none"). */
  secretVerified: boolean;
}

/**
 * Identifies the client at the token and revocation endpoints. A missing secret is allowed here
 * (public clients); each grant decides whether that is enough. A wrong secret never is.
 */
export async function authenticateClient(
  db: Tx,
  clientId: string | undefined,
  clientSecret: string | undefined,
): Promise<AuthenticatedClient> {
  if (!clientId) throw invalidClient("client_id is missing");
  const app = await findAppByClientId(db, clientId);
  if (!app) throw invalidClient();
  if (clientSecret === undefined || clientSecret === "") return { app, secretVerified: false };
  if (!safeEqual(sha256Hex(clientSecret), app.clientSecret)) throw invalidClient();
  return { app, secretVerified: true };
}

/** An app nobody signed in with within a day was most likely a script's or a bot's. */
export const UNUSED_APP_TTL_MS = 24 * 60 * 60_000;

/**
 * Deletes apps registered more than `olderThanMs` ago that never got an authorization code or
 * a token: anyone may register apps anonymously, so unused ones would pile up (Mastodon's
 * ApplicationsVacuum does the same after a day). Run now and then by the worker.
 */
export async function sweepUnusedApps(db: Tx, olderThanMs = UNUSED_APP_TTL_MS): Promise<number> {
  const gone = await db
    .delete(oauthApps)
    .where(
      and(
        lt(oauthApps.createdAt, new Date(Date.now() - olderThanMs)),
        notExists(
          db
            .select({ id: accessTokens.id })
            .from(accessTokens)
            .where(eq(accessTokens.appId, oauthApps.id)),
        ),
        notExists(
          db
            .select({ app: authorizationCodes.appId })
            .from(authorizationCodes)
            .where(eq(authorizationCodes.appId, oauthApps.id)),
        ),
      ),
    )
    .returning({ id: oauthApps.id });
  return gone.length;
}
