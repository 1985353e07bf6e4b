import { createHash } from "node:crypto";
import { inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { jobParts } from "../db/schema/index.ts";
import { storableJson } from "../lib/storable-json.ts";

/*
 * Fields that many messages of one enqueue carry alike are stored once, in `job_parts`, and the
 * jobs point at them: Fedify puts the whole activity and both signing keys (about 6 KB) into each
 * of a fan-out's deliveries, so 1,000 followers' inboxes wrote and read back 6 MB of one and the
 * same JSON. A message's own fields stay in `jobs.payload`; the claim merges the part back in.
 */

/** A message's own fields, and the hash of the part it shares (null: it shares none). */
interface SplitMessage {
  own: unknown;
  part: string | null;
}

interface Part {
  hash: string;
  body: Record<string, unknown>;
}

const isObject = (v: unknown): v is object => typeof v === "object" && v !== null;

/**
 * Splits `messages` into their own fields and the parts they share. Only object-valued fields are
 * shared; the part of each distinct combination of field values (by identity: Fedify hands every
 * delivery of one fan-out the same activity and keys objects) is serialized and hashed once.
 */
export function splitShared(
  messages: readonly unknown[],
  fields: readonly string[],
): { split: SplitMessage[]; parts: Part[] } {
  const parts = new Map<string, Part>();
  // Per distinct tuple of field values: a nested WeakMap keyed by each value in turn.
  const memo = new WeakMap<object, unknown>();
  const split = messages.map((message): SplitMessage => {
    if (!isObject(message)) return { own: message, part: null };
    const record = message as Record<string, unknown>;
    const shared = fields.filter((f) => isObject(record[f]));
    if (shared.length === 0) return { own: message, part: null };
    let level = memo;
    for (const f of shared.slice(0, -1)) {
      let next = level.get(record[f] as object) as WeakMap<object, unknown> | undefined;
      if (!next) {
        next = new WeakMap();
        level.set(record[f] as object, next);
      }
      level = next;
    }
    const last = record[shared[shared.length - 1]] as object;
    let part = level.get(last) as Part | undefined;
    if (!part) {
      part = makePart(Object.fromEntries(shared.map((f) => [f, record[f]])));
      level.set(last, part);
    }
    parts.set(part.hash, part);
    const own = { ...record };
    for (const f of shared) delete own[f];
    return { own, part: part.hash };
  });
  return { split, parts: [...parts.values()] };
}

function makePart(fields: Record<string, unknown>): Part {
  // A peer's NUL or lone surrogate would fail the insert (jsonb cannot hold them).
  const body = storableJson(fields);
  return { hash: createHash("sha256").update(JSON.stringify(body)).digest("hex"), body };
}

/**
 * Stores parts (a part already there is only touched, so the sweep leaves it alone). It runs
 * before the jobs that point at it are inserted; the foreign key refuses a job whose part is gone.
 */
export async function storeParts(db: Db, parts: readonly Part[]): Promise<void> {
  if (parts.length === 0) return;
  await db
    .insert(jobParts)
    .values(parts.map((p) => ({ hash: p.hash, body: p.body })))
    .onConflictDoUpdate({ target: jobParts.hash, set: { touchedAt: sql`now()` } });
}

/** Parts stay immutable once written, so a process keeps the ones it used last. */
const CACHED_PARTS = 32;

/** The claim side: merges each claimed job's part back into its payload. */
export class PartReader {
  readonly #db: Db;
  readonly #cache = new Map<string, Record<string, unknown>>();

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Whole messages for claimed rows: at most one statement for the parts not cached, and the
   * shared objects are the same for every job of a part (read-only to their handlers).
   */
  async merge(rows: readonly { payload: unknown; part: string | null }[]): Promise<unknown[]> {
    const missing = [
      ...new Set(rows.flatMap((r) => (r.part && !this.#cache.has(r.part) ? [r.part] : []))),
    ];
    if (missing.length > 0) {
      const found = await this.#db
        .select({ hash: jobParts.hash, body: jobParts.body })
        .from(jobParts)
        .where(inArray(jobParts.hash, missing));
      for (const f of found) this.remember(f.hash, f.body as Record<string, unknown>);
    }
    return rows.map((r) => {
      if (!r.part) return r.payload;
      const body = this.#cache.get(r.part);
      // The foreign key keeps a referenced part; without it the handler sees the fields missing.
      return body ? { ...(r.payload as object), ...body } : r.payload;
    });
  }

  /** Also called by the producer for the parts it stored: its own claims then read none back. */
  remember(hash: string, body: Record<string, unknown>): void {
    this.#cache.set(hash, body);
    if (this.#cache.size > CACHED_PARTS) this.#cache.delete(this.#cache.keys().next().value!);
  }
}

/** Parts no job points at and no enqueue used for an hour (run by the worker's sweep). */
export async function sweepJobParts(db: Db): Promise<void> {
  await db.execute(sql`
    delete from job_parts p
    where p.touched_at < now() - interval '1 hour'
      and not exists (select 1 from jobs j where j.part = p.hash)`);
}
