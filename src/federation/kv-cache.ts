import { randomUUID } from "node:crypto";
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import { sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.ts";
import { logger } from "../lib/logger.ts";
import { storableJson } from "../lib/storable-json.ts";
import { encode, PgKvStore, sameJson } from "./kv-store.ts";
import { isKeyDocument, markKeyDocument, rememberParsedKeys } from "./parsed-keys.ts";

const log = logger("federation", "kv-cache");

/**
 * Which of Fedify's KV keys are read from memory, and for how long at most. Only keys whose
 * staleness costs an extra request and never a wrong accept:
 * - a host's circuit state: a stale "closed" sends one more delivery to a failing host, a stale
 *   state fails its compare-and-swap (which always goes to the database) and is dropped;
 * - the signature spec a host answered to: a stale one costs one more knock;
 * - public keys (and "no usable key"): Fedify retries a signature that fails against a cached key
 *   with a freshly fetched one; a key that changes here is announced to every other process
 *   (NOTIFY) before it could verify anything there, and an Update of an actor forgets its keys.
 * `absent`: a missing row is remembered too (a healthy host has no circuit row).
 * Never cached: inbox idempotence (de-duplication across processes), nonces, remote documents.
 */
interface Rule {
  ttlMs: number;
  absent: boolean;
  /** Changes are announced to other processes, which drop their copy. */
  shared: boolean;
}
const RULES: Record<string, Rule> = {
  circuit: { ttlMs: 60_000, absent: true, shared: false },
  httpMessageSignaturesSpec: { ttlMs: 10 * 60_000, absent: true, shared: false },
  publicKey: { ttlMs: 5 * 60_000, absent: false, shared: true },
};
const ruleFor = (key: KvKey): Rule | undefined =>
  key[0] === "_fedify" && key.length > 2 ? RULES[key[1] as string] : undefined;

/** Channel on which processes sharing a database announce changed keys. */
const CHANNEL = "tern_kv";
/** Far fewer than NOTIFY's 8,000-byte cap; a longer key is announced as "drop every key". */
const MAX_ANNOUNCED = 4_000;
const MAX_ENTRIES = 10_000;
const CHANGES_KEPT = 1_000;

interface Entry {
  value: unknown;
  expires: number;
  /** The row itself expires: a set without ttl is a change even if the value is the same. */
  rowExpires: boolean;
}

/**
 * Fedify's KvStore with a bounded in-process read cache (LRU, TTL) in front of the `kv` table for
 * the keys above. Writes go through to the database first. Of a 1-post fan-out, Fedify read each
 * host's circuit twice and its signature spec once, and wrote the spec back unchanged: four
 * statements per destination, now none once warm.
 */
export class CachedKvStore implements KvStore {
  readonly #store: PgKvStore;
  readonly #db: Db;
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  /**
   * Bumped by every change; `#changed` says which key changed when (the last CHANGES_KEPT), and
   * `#unsureBefore` which generations may have changed any key: a read that raced a change of its
   * key does not cache what it read.
   */
  #generation = 0;
  readonly #changed = new Map<string, number>();
  #unsureBefore = 0;
  readonly #self = randomUUID();
  #listening = false;

  constructor(db: Db, opts: { maxEntries?: number } = {}) {
    this.#db = db;
    this.#store = new PgKvStore(db);
    this.#max = opts.maxEntries ?? MAX_ENTRIES;
    rememberParsedKeys();
  }

  /** How many entries are held (for tests and benches). */
  get size(): number {
    return this.#entries.size;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const rule = ruleFor(key);
    if (!rule) return this.#store.get<T>(key);
    const k = encode(key);
    const hit = this.#fresh(k);
    if (hit) return copy(hit.value) as T | undefined;
    const generation = this.#generation;
    const row = await this.#store.getEntry(key);
    if ((row || rule.absent) && this.#unchangedSince(k, generation))
      this.#remember(k, rule, row?.value, row?.expiresAt ?? null);
    return row?.value as T | undefined;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const rule = ruleFor(key);
    if (!rule) return this.#store.set(key, value, options);
    const k = encode(key);
    const stored = structuredClone(storableJson(value));
    const hit = this.#fresh(k);
    // Fedify writes a host's signature spec back after each delivery, unchanged.
    if (!options?.ttl && hit && !hit.rowExpires && sameJson(hit.value, stored)) return;
    await this.#change(k, rule, () => this.#store.set(key, value, options));
    const expiresAt = options?.ttl ? new Date(Date.now() + options.ttl.total("millisecond")) : null;
    this.#remember(k, rule, stored, expiresAt);
  }

  async delete(key: KvKey): Promise<void> {
    const rule = ruleFor(key);
    if (!rule) return this.#store.delete(key);
    const k = encode(key);
    await this.#change(k, rule, () => this.#store.delete(key));
    if (rule.absent) this.#remember(k, rule, undefined, null);
  }

  async cas(
    key: KvKey,
    expectedValue: unknown,
    newValue: unknown,
    options?: KvStoreSetOptions,
  ): Promise<boolean> {
    const rule = ruleFor(key);
    if (!rule) return this.#store.cas(key, expectedValue, newValue, options);
    const k = encode(key);
    let swapped = false;
    await this.#change(k, rule, async () => {
      swapped = await this.#store.cas(key, expectedValue, newValue, options);
    });
    // A failed swap means our copy was stale: it stays dropped, the next read asks the database.
    if (swapped && (newValue !== undefined || rule.absent)) {
      const expiresAt =
        newValue !== undefined && options?.ttl
          ? new Date(Date.now() + options.ttl.total("millisecond"))
          : null;
      this.#remember(k, rule, structuredClone(storableJson(newValue)), expiresAt);
    }
    return swapped;
  }

  list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    return this.#store.list(prefix);
  }

  sweep(): Promise<void> {
    return this.#store.sweep();
  }

  /**
   * Forgets every cached public key whose id starts with `actorId` (`…#main-key`, `…/main-key`),
   * here, in the database and in every other process: after an Update of the actor, its keys are
   * fetched again, so a key it rotated away from no longer verifies anything. `keyIds`: the keys
   * its new document lists, wherever they live.
   */
  async forgetKeysOf(actorId: string, keyIds: string[] = []): Promise<void> {
    for (const keyId of keyIds) await this.delete(["_fedify", "publicKey", keyId]);
    const prefix = JSON.stringify(["_fedify", "publicKey", actorId]).slice(0, -2);
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    this.#changedAll();
    this.#evict(prefix);
    await this.#db.execute(sql`delete from kv where key like ${pattern}`);
    this.#changedAll();
    await this.#announce(prefix);
  }

  /**
   * Drops what other processes announce they changed. Until the first LISTEN answers, and while
   * it reconnects, the TTLs above bound how stale a copy can be.
   */
  async listen(listen: Database["listen"]): Promise<void> {
    if (this.#listening) return;
    this.#listening = true;
    await listen(CHANNEL, (payload) => {
      try {
        const { by, prefix } = JSON.parse(payload) as { by: string; prefix: string };
        if (by === this.#self) return;
        this.#changedAll();
        this.#evict(prefix);
      } catch {
        this.#changedAll();
        this.#evict("");
      }
    });
  }

  async #change(k: string, rule: Rule, write: () => Promise<unknown>): Promise<void> {
    this.#changedKey(k);
    this.#entries.delete(k);
    try {
      await write();
    } finally {
      this.#changedKey(k);
    }
    if (rule.shared) await this.#announce(k);
  }

  async #announce(prefix: string): Promise<void> {
    const payload = JSON.stringify({
      by: this.#self,
      prefix: prefix.length > MAX_ANNOUNCED ? "" : prefix,
    });
    try {
      await this.#db.execute(sql`select pg_notify(${CHANNEL}, ${payload})`);
    } catch (error) {
      log.warning("Could not announce a changed key: {error}", { error: String(error) });
    }
  }

  #changedKey(k: string): void {
    this.#generation++;
    this.#changed.delete(k);
    this.#changed.set(k, this.#generation);
    if (this.#changed.size > CHANGES_KEPT) {
      const [oldest, at] = this.#changed.entries().next().value as [string, number];
      this.#changed.delete(oldest);
      this.#unsureBefore = at;
    }
  }

  #changedAll(): void {
    this.#generation++;
    this.#unsureBefore = this.#generation;
  }

  #unchangedSince(k: string, generation: number): boolean {
    if (generation === this.#generation) return true;
    return this.#unsureBefore <= generation && (this.#changed.get(k) ?? 0) <= generation;
  }

  #evict(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }

  #fresh(k: string): Entry | undefined {
    const hit = this.#entries.get(k);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.#entries.delete(k);
      return undefined;
    }
    // Least recently used first: a hit moves to the end.
    this.#entries.delete(k);
    this.#entries.set(k, hit);
    return hit;
  }

  #remember(k: string, rule: Rule, value: unknown, rowExpiresAt: Date | null): void {
    const expires = Math.min(Date.now() + rule.ttlMs, rowExpiresAt?.getTime() ?? Infinity);
    if (value !== null && typeof value === "object" && rule === RULES.publicKey)
      markKeyDocument(value);
    this.#entries.delete(k);
    this.#entries.set(k, { value, expires, rowExpires: rowExpiresAt !== null });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}

/** A cached key document is handed out as is (its parsed key is kept by it); the rest copied. */
function copy(value: unknown): unknown {
  if (value === null || typeof value !== "object" || isKeyDocument(value)) return value;
  return structuredClone(value);
}

const stores = new WeakMap<Db, CachedKvStore>();

/** The one cached KV store of a database handle in this process (Fedify's, the inbox's, …). */
export function cachedKvStore(db: Db): CachedKvStore {
  let store = stores.get(db);
  if (!store) {
    store = new CachedKvStore(db);
    stores.set(db, store);
  }
  return store;
}
