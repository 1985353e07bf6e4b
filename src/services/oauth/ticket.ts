/**
 * The account-choice ticket of the authorize flow. After a correct password, a login that may
 * act for other accounts is asked which one the app gets; the second form must not carry the
 * password again, so it carries this ticket instead: "login L passed its password for this exact
 * request", HMAC-signed with a server secret, good for ten minutes and for nothing else (the
 * purpose is part of what is signed). It binds the request (client, redirect_uri, scopes, state,
 * PKCE) and the browser's CSRF cookie, so it cannot be replayed for another app, other scopes or
 * from another browser.
 */
import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { kv } from "../../db/schema/index.ts";
import { randomSecret, safeEqual } from "./crypto.ts";

/** As long as an authorization code lives (RFC 6749 §4.1.2: at most ten minutes). */
export const TICKET_TTL_MS = 10 * 60 * 1000;
const PURPOSE = "tern/oauth/account-choice/v1";
const SECRET_KEY = JSON.stringify(["tern", "oauth-ticket-secret"]);

/** What a ticket vouches for, besides the login. */
export interface TicketBinding {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  /** The browser's CSRF cookie value. */
  csrf: string;
}

const secrets = new WeakMap<Db, string>();

/**
 * The server's signing secret, made on first use and kept in `kv`, so every web process of the
 * instance shares it (two racing to make it both read the row the first insert wrote).
 */
export async function ticketSecret(db: Db): Promise<string> {
  const cached = secrets.get(db);
  if (cached) return cached;
  const read = async () =>
    (await db.select().from(kv).where(eq(kv.key, SECRET_KEY)))[0]?.value as string | undefined;
  let secret = await read();
  if (!secret) {
    await db
      .insert(kv)
      .values({ key: SECRET_KEY, value: randomSecret(32) })
      .onConflictDoNothing();
    secret = await read();
  }
  if (!secret) throw new Error("the OAuth ticket secret could not be stored");
  secrets.set(db, secret);
  return secret;
}

function mac(secret: string, expires: number, loginId: string, binding: TicketBinding): string {
  // JSON of an array: no field can bleed into the next one.
  const message = JSON.stringify([
    PURPOSE,
    expires,
    loginId,
    binding.clientId,
    binding.redirectUri,
    [...binding.scopes].sort(),
    binding.state ?? null,
    binding.codeChallenge,
    binding.codeChallengeMethod,
    binding.csrf,
  ]);
  return createHmac("sha256", secret).update(message).digest("base64url");
}

/** `expires.loginId.mac`; `now` is for tests that need an old ticket. */
export function signTicket(
  secret: string,
  loginId: string,
  binding: TicketBinding,
  now = Date.now(),
): string {
  const expires = now + TICKET_TTL_MS;
  return `${expires}.${loginId}.${mac(secret, expires, loginId, binding)}`;
}

/** The login the ticket vouches for, or undefined when it is malformed, forged or expired. */
export function checkTicket(
  secret: string,
  ticket: string | undefined,
  binding: TicketBinding,
): string | undefined {
  const match = /^(\d{1,16})\.(\d{1,20})\.([A-Za-z0-9_-]{43})$/.exec(ticket ?? "");
  if (!match) return undefined;
  const expires = Number(match[1]);
  const loginId = match[2];
  if (!safeEqual(match[3], mac(secret, expires, loginId, binding))) return undefined;
  if (expires < Date.now() || expires > Date.now() + TICKET_TTL_MS) return undefined;
  return loginId;
}
