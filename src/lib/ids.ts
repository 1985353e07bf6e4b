import { randomInt } from "node:crypto";

/**
 * Time-sortable 64-bit ids, Mastodon style: milliseconds since the Unix epoch in the high 48 bits,
 * a per-millisecond sequence (random start) in the low 16. Shown to clients as decimal strings.
 */
let lastMs = 0n;
let seq = 0n;

export function newId(now: number = Date.now()): string {
  let ms = BigInt(now);
  if (ms <= lastMs) {
    ms = lastMs;
    seq = (seq + 1n) & 0xffffn;
    if (seq === 0n) ms = lastMs + 1n; // sequence exhausted: borrow the next millisecond
  } else {
    seq = BigInt(randomInt(0, 0x8000));
  }
  lastMs = ms;
  return ((ms << 16n) | seq).toString();
}

/** The smallest id that could have been minted at `ms`; for comparing ids with times. */
export function idAtTime(ms: number): string {
  return (BigInt(ms) << 16n).toString();
}

/** True when `s` is a decimal id that fits a signed 64-bit integer. */
export function isId(s: string): boolean {
  return /^\d{1,19}$/.test(s) && BigInt(s) <= 9223372036854775807n;
}

/** Orders decimal ids by value (oldest first): for `sort`, as PostgreSQL orders the bigints. */
export const compareIds = (a: string, b: string): number =>
  BigInt(a) < BigInt(b) ? -1 : a === b ? 0 : 1;
