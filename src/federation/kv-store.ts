import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import { and, eq, gt, isNull, like, lte, or, sql } from "drizzle-orm";
import { type Db, queryRows } from "../db/client.ts";
import { kv } from "../db/schema/index.ts";
import { storableJson, storableJsonText } from "../lib/storable-json.ts";

export const encode = (key: KvKey) => JSON.stringify(key);
/** JSON equality independent of key order (jsonb does not keep it). */
export function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([x], [y]) => (x < y ? -1 : 1))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/**
 * What the jsonb NOT NULL `kv.value` column can hold. Drizzle writes a JS null as SQL NULL, so a
 * JSON null (Fedify's negative key cache stores one for a key it could not use) is written as the
 * jsonb `null`. Fedify caches every remote document it fetches here: a NUL in a peer's actor
 * document would fail each fetch of it, so the cached copy is made storable.
 */
function jsonb(value: unknown) {
  if (value === null) return sql`'null'::jsonb`;
  return storableJson(value) as object;
}

const notExpired = () => or(isNull(kv.expiresAt), gt(kv.expiresAt, sql`now()`));

/** Fedify's KvStore over the `kv` table: keys are JSON arrays, values JSON, optional expiry. */
export class PgKvStore implements KvStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    // A stored JSON null comes back as null (a cached "no such key"), a missing row as undefined.
    return (await this.getEntry(key))?.value as T | undefined;
  }

  // get and set are in plain SQL: they run for every activity the worker processes (Fedify's
  // de-duplication) and every delivery, and drizzle's builders cost more than running them.

  /** The value with its expiry (null: none), or undefined for a missing or expired row. */
  async getEntry(key: KvKey): Promise<{ value: unknown; expiresAt: Date | null } | undefined> {
    const [row] = await queryRows<{ value: unknown; expires_at: Date | string | null }>(
      this.#db,
      sql`select value, expires_at from kv where key = ${encode(key)} and ${notExpired()}`,
    );
    if (!row) return undefined;
    const expiresAt = row.expires_at === null ? null : new Date(row.expires_at);
    return { value: row.value, expiresAt };
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const expiresAt = options?.ttl
      ? new Date(Date.now() + options.ttl.total("millisecond")).toISOString()
      : null;
    await this.#db.execute(sql`
      insert into kv (key, value, expires_at)
      values (${encode(key)}, ${storableJsonText(value)}::jsonb, ${expiresAt}::timestamptz)
      on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`);
  }

  /** Compare-and-swap: sets `newValue` only if the current value equals `expectedValue`. */
  async cas(
    key: KvKey,
    expectedValue: unknown,
    newValue: unknown,
    options?: KvStoreSetOptions,
  ): Promise<boolean> {
    const k = encode(key);
    const expiresAt = options?.ttl ? new Date(Date.now() + options.ttl.total("millisecond")) : null;
    return this.#db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(kv)
        .where(and(eq(kv.key, k), notExpired()))
        .for("update");
      if (!sameJson(row?.value, expectedValue)) return false;
      if (newValue === undefined) {
        await tx.delete(kv).where(eq(kv.key, k));
      } else {
        await tx
          .insert(kv)
          .values({ key: k, value: jsonb(newValue), expiresAt })
          .onConflictDoUpdate({ target: kv.key, set: { value: jsonb(newValue), expiresAt } });
      }
      return true;
    });
  }

  async delete(key: KvKey): Promise<void> {
    await this.#db.delete(kv).where(eq(kv.key, encode(key)));
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const conditions = [notExpired()];
    if (prefix) {
      const exact = encode(prefix);
      // '["a","b"]' is listed under prefix ["a"]: same opening, then a comma instead of "]".
      const pattern = `${exact.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)},%`;
      conditions.push(or(eq(kv.key, exact), like(kv.key, pattern))!);
    }
    const rows = await this.#db
      .select()
      .from(kv)
      .where(and(...conditions));
    for (const row of rows) yield { key: JSON.parse(row.key) as KvKey, value: row.value };
  }

  /** Drops expired entries; run now and then by the worker. */
  async sweep(): Promise<void> {
    await this.#db.delete(kv).where(lte(kv.expiresAt, sql`now()`));
  }
}
