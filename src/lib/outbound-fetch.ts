import { assertPublicUrl, type LookupAll } from "./address-guard.ts";
import { sendOverHttp } from "./http-send.ts";

/**
 * Every request Tern makes to another server goes through `globalThis.fetch`: Fedify's deliveries
 * (sendActivity, doubleKnock), its document loaders and WebFinger all call the global and set no
 * time-out of their own. A peer that accepts a connection and never answers would hold a worker
 * slot for as long as undici's 5-minute defaults allow. So Tern wraps the global once:
 *
 * - one overall deadline per request (connect, headers and reading the body), combined with any
 *   signal the caller passed;
 * - unless private addresses are allowed, the address guard on the URL of every request and of
 *   every redirect hop (names resolved, every address checked);
 * - our User-Agent on every request that has none: Fedify names one on its document loaders but
 *   none on deliveries, which then said `User-Agent: node` (servers log and block by it).
 */
export interface OutboundOptions {
  timeoutMs: number;
  allowPrivateAddresses: boolean;
  /** Name resolution for the guard; the system resolver unless a test injects one. */
  lookupAll?: LookupAll;
  /** Sent as User-Agent by every request that does not name one itself. */
  userAgent?: string;
  /** Hosts (with port) nothing may be fetched from or sent to: the server's blocked domains. */
  refuseHost?: (host: string) => Promise<boolean>;
}

/** A request to a host the server blocks: refused before any connection. */
export class RefusedHostError extends Error {}

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Wraps `base` with the deadline and the guard; `options` is read on every call. */
export function createOutboundFetch(
  base: typeof fetch,
  options: () => OutboundOptions,
): typeof fetch {
  return async (input, init) => {
    const { timeoutMs, allowPrivateAddresses, lookupAll, userAgent, refuseHost } = options();
    const refuse = async (url: string | URL) => {
      const host = URL.canParse(url) ? new URL(url).host : null;
      if (host && refuseHost && (await refuseHost(host)))
        throw new RefusedHostError(`${host} is blocked`);
    };
    await refuse(input instanceof Request ? input.url : input);
    const callerSignals = [init?.signal, input instanceof Request ? input.signal : undefined];
    const signal = AbortSignal.any([
      ...callerSignals.filter((s): s is AbortSignal => s != null),
      AbortSignal.timeout(timeoutMs),
    ]);
    const headers = new Headers(
      init?.headers ?? (input instanceof Request ? input.headers : undefined),
    );
    if (userAgent && !headers.has("user-agent")) headers.set("user-agent", userAgent);
    const method = (
      init?.method ?? (input instanceof Request ? input.method : "GET")
    ).toUpperCase();
    const safeToReplay = method === "GET" || method === "HEAD";
    if (method === "POST" && input instanceof Request && init?.body == null) {
      // A delivery: never redirected (its body cannot be replayed to another hop, see below).
      if (!allowPrivateAddresses) await assertPublicUrl(input.url, lookupAll);
      return sendOverHttp(input, headers, signal);
    }
    // The caller's Request is handed on as it is, not re-wrapped: wrapped, one hung delivery in
    // test/federation/hanging-peers.test.ts kept running past its deadline (cause not found).
    if (allowPrivateAddresses) return base(input, { ...init, headers, signal });
    const request = new Request(input, { ...init, headers, signal });
    await assertPublicUrl(request.url, lookupAll);
    if (request.redirect !== "follow" || !safeToReplay) {
      // A body cannot be replayed to the next hop here; such callers (Fedify's doubleKnock) follow
      // redirects themselves with redirect: "manual", and each hop comes through this wrapper.
      return base(request, request.redirect === "follow" ? { redirect: "manual" } : undefined);
    }
    // Follow redirects by hand so that every hop is checked before it is connected to.
    let current = new Request(request, { redirect: "manual" });
    for (let hop = 0; ; hop++) {
      const response = await base(current);
      const location = response.headers.get("location");
      if (!REDIRECT_STATUSES.has(response.status) || !location || hop >= MAX_REDIRECTS) {
        return response;
      }
      await response.body?.cancel();
      const next = new URL(location, current.url);
      await refuse(next);
      await assertPublicUrl(next, lookupAll);
      current = new Request(next, {
        method: current.method,
        headers: current.headers,
        redirect: "manual",
        signal,
      });
    }
  };
}

interface Installed {
  original: typeof fetch;
  /** One entry per live installer; the newest one's options apply. */
  installers: { options: OutboundOptions }[];
}
const SLOT = Symbol.for("tern.outboundFetch");
type GlobalWithSlot = typeof globalThis & { [SLOT]?: Installed };

/**
 * Installs the wrapper on `globalThis.fetch`. Tests assemble many Terns in one process: each call
 * adds its options and the newest apply (one process runs one configuration at a time). The
 * returned release drops this call's options; when the last is released the original fetch is
 * back, so a closed Tern's options (its blocklist reads a closed database) never outlive it.
 */
export function installOutboundFetch(options: OutboundOptions): () => void {
  const g = globalThis as GlobalWithSlot;
  const installed = g[SLOT] ?? wrapGlobalFetch(g);
  const entry = { options };
  installed.installers.push(entry);
  return () => {
    const at = installed.installers.indexOf(entry);
    if (at >= 0) installed.installers.splice(at, 1);
    if (installed.installers.length === 0 && g[SLOT] === installed) {
      g.fetch = installed.original;
      delete g[SLOT];
    }
  };
}

function wrapGlobalFetch(g: GlobalWithSlot): Installed {
  const installed: Installed = { original: g.fetch, installers: [] };
  g[SLOT] = installed;
  g.fetch = createOutboundFetch(installed.original, () => installed.installers.at(-1)!.options);
  return installed;
}
