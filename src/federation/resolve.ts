import type { Federation } from "@fedify/fedify";
import { isActor } from "@fedify/vocab";
import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";
import { logger } from "../lib/logger.ts";
import type { Account } from "../services/accounts/accounts.ts";
import { type FedContext, INSTANCE_ACTOR } from "./context.ts";
import { persistActor } from "./from-ap/actor.ts";

const log = logger("federation", "resolve");
const LOOKUP_TIMEOUT_MS = 10_000;

/**
 * Finds a remote account by handle (`user@host`, through WebFinger) or by actor URL, and stores
 * it. Null when it cannot be found or the server does not answer in time.
 */
export async function resolveRemoteAccount(
  federation: Federation<FedContext>,
  data: { db: Db; config: Config },
  handleOrUrl: string,
): Promise<Account | null> {
  const ctx = federation.createContext(new URL(data.config.publicUrl), data);
  const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const query = /^https?:\/\//.test(handleOrUrl)
    ? handleOrUrl
    : `acct:${handleOrUrl.replace(/^@/, "")}`;
  try {
    const object = await ctx.lookupObject(query, {
      documentLoader,
      signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS),
    });
    if (!object || !isActor(object)) return null;
    return await persistActor(data.db, object, {
      documentLoader,
      allowPrivateAddresses: data.config.allowPrivateAddresses,
    });
  } catch (error) {
    log.info("Could not resolve {query}: {error}", { query, error });
    return null;
  }
}
