import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** Mastodon's documented entity examples (docs.joinmastodon.org, kept in the shared fixtures). */
const FIXTURES = new URL("../fixtures/mastodon-docs/entities", import.meta.url).pathname;

export function documentedExample(
  entity: string,
  file = "01-example.json",
): Record<string, unknown> {
  return JSON.parse(readFileSync(`${FIXTURES}/${entity}/${file}`, "utf8"));
}

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/**
 * Every key of the documented example is in `ours`, with the same JSON type, recursively (the
 * first element of non-empty arrays on both sides). `nullable` lists keys (by name or dotted
 * path) that Mastodon documents as nullable: ours may be null where the example has a value.
 */
export function shapeProblems(
  ours: unknown,
  documented: unknown,
  nullable: string[] = [],
  path = "",
): string[] {
  const problems: string[] = [];
  const name = path.split(".").pop() ?? "";
  const k1 = kind(ours);
  const k2 = kind(documented);
  if (k2 === "null" || k1 === k2) {
    // same type (or the example has null: any type of ours is fine)
  } else if (k1 === "null" && (nullable.includes(name) || nullable.includes(path))) {
    return problems;
  } else {
    return [`${path || "(root)"}: ${k1} where Mastodon documents ${k2}`];
  }
  if (k2 === "object" && k1 === "object") {
    const o = ours as Record<string, unknown>;
    for (const [key, value] of Object.entries(documented as Record<string, unknown>)) {
      const p = path ? `${path}.${key}` : key;
      if (!(key in o)) problems.push(`${p}: missing`);
      else problems.push(...shapeProblems(o[key], value, nullable, p));
    }
  } else if (k2 === "array" && k1 === "array") {
    const a = ours as unknown[];
    const d = documented as unknown[];
    if (a.length > 0 && d.length > 0)
      problems.push(...shapeProblems(a[0], d[0], nullable, `${path}[]`));
  }
  return problems;
}

/** Drops a dotted path from a parsed example (for keys Mastodon documents as optional). */
function dropPath(doc: Record<string, unknown>, path: string): void {
  const parts = path.split(".");
  let node: unknown = doc;
  for (const p of parts.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[p];
  if (node && typeof node === "object")
    delete (node as Record<string, unknown>)[parts[parts.length - 1]];
}

/**
 * Fails with the list of differences, so one run shows them all. `optional`: dotted paths of
 * the example that ours may leave out (documented as optional, or explained where used).
 */
export function expectDocumentedShape(
  ours: unknown,
  entity: string,
  nullable: string[] = [],
  opts: { optional?: string[]; file?: string } = {},
): void {
  const doc = documentedExample(entity, opts.file);
  for (const path of opts.optional ?? []) dropPath(doc, path);
  expect(shapeProblems(ours, doc, nullable)).toEqual([]);
}

/** Nullable fields of Status and Account (docs.joinmastodon.org/entities/...). */
export const STATUS_NULLABLE = [
  "in_reply_to_id",
  "in_reply_to_account_id",
  "language",
  "application",
  "card",
  "poll",
  "reblog",
  "quote",
  "edited_at",
  "url",
  "last_status_at",
  "verified_at",
];

/** `{ error: "..." }`, the body Mastodon answers every failure with. */
export async function expectError(res: Response, status: number | number[]): Promise<string> {
  const text = await res.text();
  const allowed = Array.isArray(status) ? status : [status];
  expect(allowed, `status ${res.status}: ${text}`).toContain(res.status);
  const body = JSON.parse(text) as { error?: unknown };
  expect(typeof body.error, text).toBe("string");
  return body.error as string;
}

/** Absolute `Link` header targets by rel, as a path the test server can be asked for. */
export function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get("link") ?? "").split(",")) {
    const m = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part.trim());
    if (m) {
      const url = new URL(m[1]);
      expect(url.origin).toBe("https://tern.test");
      out[m[2]] = `${url.pathname}${url.search}`;
    }
  }
  return out;
}
