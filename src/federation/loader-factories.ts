import type { Federation } from "@fedify/fedify";
import { withStaticContexts } from "./static-contexts.ts";

type Factory = (opts?: Record<string, unknown>) => unknown;
const KEYS = new Set(["allowPrivateAddress", "userAgent"]);
const MAX = 64;

/** Options made only of what the key below captures: a boolean and a user agent. */
function plainKey(opts: Record<string, unknown> | undefined): string | null {
  if (opts === undefined) return "";
  for (const [k, v] of Object.entries(opts)) {
    if (!KEYS.has(k)) return null;
    if (v !== undefined && typeof v === "object" && v !== null) {
      if (Object.values(v).some((x) => typeof x === "object" || typeof x === "function"))
        return null;
    } else if (typeof v === "function") return null;
  }
  return JSON.stringify(opts);
}

/**
 * Fedify 2.3.6 builds two new document loaders for every context it makes (each inbox POST,
 * each delivery, each dispatcher call): `kvCache()` over the network loader, which constructs a
 * `URLPattern` with the polyfill each time, about 0.6 ms apiece on the development machine. The
 * loaders keep no state of their own (the cache is the KV store), so one per distinct options
 * does the same work. Loader factories cannot be passed in beside `allowPrivateAddress` and
 * `userAgent`, so the built federation's own factories are wrapped; should a Fedify upgrade
 * rename them, this does nothing. Context loaders also mark Fedify's bundled contexts static
 * (static-contexts.ts), so jsonld keeps them processed.
 */
export function memoizeLoaderFactories(federation: Federation<unknown>): void {
  const impl = federation as unknown as Record<string, unknown>;
  for (const name of ["documentLoaderFactory", "contextLoaderFactory"]) {
    const original = impl[name];
    if (typeof original !== "function") continue;
    const made = new Map<string, unknown>();
    impl[name] = (opts?: Record<string, unknown>) => {
      const key = plainKey(opts);
      const make = () => {
        const loader = (original as Factory)(opts);
        return name === "contextLoaderFactory" ? withStaticContexts(loader as never) : loader;
      };
      if (key === null) return make();
      let loader = made.get(key);
      if (loader === undefined) {
        loader = make();
        if (made.size >= MAX) made.clear();
        made.set(key, loader);
      }
      return loader;
    };
  }
}
