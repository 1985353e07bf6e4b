import { CryptographicKey, Multikey } from "@fedify/vocab";

/**
 * Parsed public keys, kept per cached key document. Fedify 2.3.6 rebuilds the signing key of
 * every inbox POST from its KV entry: JSON-LD expansion of the stored document and a fresh
 * `importKey` (its inbox takes no key cache of ours). The KV cache (kv-cache.ts) hands out the
 * same document object for a key until the key changes, is forgotten or expires; parsing that
 * object again gives the key parsed the first time. Any other document (a fetched key, a key
 * embedded in an actor) is parsed as before. When the cached entry is replaced, its document
 * (and with it the parsed key) is dropped: a rotated key is never answered from here.
 */
const keyDocuments = new WeakSet<object>();
const parsed = new WeakMap<object, Map<unknown, Promise<unknown>>>();

export function markKeyDocument(document: object): void {
  keyDocuments.add(document);
}

export function isKeyDocument(value: object): boolean {
  return keyDocuments.has(value);
}

type FromJsonLd = (json: unknown, options?: object) => Promise<unknown>;
let installed = false;

/** Wraps `fromJsonLd` of the two key classes Fedify reads keys from (once per process). */
export function rememberParsedKeys(): void {
  if (installed) return;
  installed = true;
  for (const cls of [CryptographicKey, Multikey] as unknown as { fromJsonLd: FromJsonLd }[]) {
    const original = cls.fromJsonLd;
    cls.fromJsonLd = function (this: unknown, json, options) {
      if (json === null || typeof json !== "object" || !keyDocuments.has(json))
        return original.call(this, json, options);
      const byClass = parsed.get(json) ?? new Map<unknown, Promise<unknown>>();
      parsed.set(json, byClass);
      let key = byClass.get(this);
      if (!key) {
        key = original.call(this, json, options);
        byClass.set(this, key);
        // A document that is not of this class (Fedify then tries the other) may be retried.
        key.catch(() => byClass.delete(this));
      }
      return key;
    };
  }
}
