import type { Federation } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import type { Db } from "../db/client.ts";
import { logger } from "../lib/logger.ts";
import type { FedContext } from "./context.ts";
import { cachedKvStore } from "./kv-cache.ts";

const log = logger("federation", "inbox-guard");

/** Fedify's key cache: `[...kvPrefixes.publicKey, keyId]`, null meaning "no usable key". */
const KEY_CACHE_PREFIX = ["_fedify", "publicKey"] as const;
/** As long as Fedify itself remembers an unusable key (its `unavailableKeyTtl` default). */
const UNUSABLE_KEY_TTL = Temporal.Duration.from({ minutes: 10 });

/**
 * Fedify 2.3.6 caches "no usable key" when a key document is not a key (a TypeError), but a
 * `publicKeyPem` that is not ASN.1 (AsnError from pkijs) or that WebCrypto refuses escapes from
 * the inbox: a 500 on every POST signed with it, and a new fetch of the key each time. Such an
 * error is answered 401 here, and the same negative cache entry Fedify writes is written for the
 * request's keyId, so the next POST is refused without fetching the key again.
 */
function isKeyDecodingError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "AsnError" || error.name === "DataError" || error.name === "NotSupportedError"
  );
}

/** The keyIds a request's signature names (draft-cavage `keyId`, RFC 9421 `keyid`). */
function signatureKeyIds(headers: Headers): string[] {
  const text = `${headers.get("signature") ?? ""},${headers.get("signature-input") ?? ""}`;
  return [...text.matchAll(/keyid="([^"]+)"/gi)].map((m) => m[1]).filter((k) => URL.canParse(k));
}

/** `federation.fetch`, answering 401 for a POST whose signing key could not be decoded. */
export function refusingUndecodableKeys(
  federation: Federation<FedContext>,
  db: Db,
): Federation<FedContext>["fetch"] {
  return async (request, options) => {
    try {
      return await federation.fetch(request, options);
    } catch (error) {
      const refusal = await refuseUndecodableKey(error, request, db);
      if (refusal) return refusal;
      throw error;
    }
  };
}

async function refuseUndecodableKey(
  error: unknown,
  request: Request,
  db: Db,
): Promise<Response | null> {
  if (request.method !== "POST" || !isKeyDecodingError(error)) return null;
  const keyIds = signatureKeyIds(request.headers);
  if (keyIds.length === 0) return null;
  const kv = cachedKvStore(db);
  for (const keyId of keyIds)
    await kv.set([...KEY_CACHE_PREFIX, new URL(keyId).href], null, { ttl: UNUSABLE_KEY_TTL });
  log.info("Refused a POST signed with an undecodable key {keyIds}: {error}", { keyIds, error });
  return Response.json({ error: "The signing key cannot be used" }, { status: 401 });
}
