import { Activity } from "@fedify/vocab";

/**
 * Fedify 2.3.6 parses every inbox POST without an object proof twice, from the same JSON object:
 * `verifyObject(Activity, json)` parses it to look for proofs (none: it answers null), then, once
 * the HTTP signature verified, `Activity.fromJsonLd(json)` parses it again, each parse a full
 * JSON-LD expansion (about 0.5 ms). Both pass the request's own document loader; only the context
 * loader is wrapped anew, to word its errors. So the second parse of the same object with the same
 * document loader and base URL is answered with the first's result. Nothing is verified by a
 * parse: the signature and key-owner checks run on the result as before. Entries live as long as
 * the JSON object (a request's); a failed parse is not kept.
 */
type FromJsonLd = (json: unknown, options?: ParseOptions) => Promise<Activity>;
interface ParseOptions {
  documentLoader?: unknown;
  baseUrl?: URL;
}
interface Parsed {
  documentLoader: unknown;
  baseUrl: string | undefined;
  activity: Promise<Activity>;
}
const parsed = new WeakMap<object, Parsed>();
let installed = false;

/** Wraps `Activity.fromJsonLd` (once per process); subclasses' own parsers are left alone. */
export function rememberParsedActivities(): void {
  if (installed) return;
  installed = true;
  const cls = Activity as unknown as { fromJsonLd: FromJsonLd };
  const original = cls.fromJsonLd;
  cls.fromJsonLd = function (this: unknown, json, options) {
    if (this !== Activity || json === null || typeof json !== "object")
      return original.call(this, json, options);
    const seen = parsed.get(json);
    const baseUrl = options?.baseUrl?.href;
    if (seen && seen.documentLoader === options?.documentLoader && seen.baseUrl === baseUrl)
      return seen.activity;
    const activity = original.call(this, json, options);
    const entry = { documentLoader: options?.documentLoader, baseUrl, activity };
    parsed.set(json, entry);
    activity.catch(() => {
      if (parsed.get(json) === entry) parsed.delete(json);
    });
    return activity;
  };
}
