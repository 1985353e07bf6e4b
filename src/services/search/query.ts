import { AppError } from "../../lib/errors.ts";

/** Longest search query read (Mastodon refuses nothing, but nobody types more; 10,000 is a 422). */
export const MAX_QUERY_LENGTH = 1000;

/**
 * A status search as Mastodon 4.x reads it: free text (with `"quoted phrases"` and `-word`, which
 * PostgreSQL's websearch_to_tsquery understands as they are) and operators. An operator may be
 * negated with `-` (`-has:media`, `-is:reply`, `-from:me`).
 */
export interface StatusQuery {
  text: string;
  from: { acct: string; negated: boolean }[];
  has: { what: "media" | "poll" | "link"; negated: boolean }[];
  is: { what: "reply" | "sensitive"; negated: boolean }[];
  languages: { code: string; negated: boolean }[];
  /** Dates (UTC midnight, ms) the posts must be before / on or after. */
  beforeMs?: number;
  afterMs?: number;
}

const DAY_MS = 86_400_000;
const OPERATOR = /^(-?)(from|has|is|language|before|after|during):(.+)$/i;

/** The query text, trimmed, or a 4xx: empty, or longer than anybody types. */
export function checkQuery(raw: string | undefined): string {
  const q = (raw ?? "").trim();
  if (q === "") throw new AppError(400, "Search query q is missing or empty");
  if (q.length > MAX_QUERY_LENGTH)
    throw new AppError(422, `Search query q is longer than ${MAX_QUERY_LENGTH} characters`);
  return q;
}

function day(value: string, op: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms)) throw new AppError(422, `${op}: expects a date like 2026-12-01`);
  return ms;
}

/**
 * Splits a query into operators and text. Quoted phrases stay whole (an operator inside quotes is
 * text). An operator Tern cannot answer (`has:embed`: no link previews are stored) is a 422
 * naming it rather than silently matching everything; any other `word:word` is plain text.
 */
export function parseStatusQuery(q: string): StatusQuery {
  const out: StatusQuery = { text: "", from: [], has: [], is: [], languages: [] };
  const words: string[] = [];
  for (const token of q.match(/-?"[^"]*"?|\S+/g) ?? []) {
    const m = OPERATOR.exec(token);
    if (!m || token.includes('"')) {
      words.push(token);
      continue;
    }
    const negated = m[1] === "-";
    const op = m[2].toLowerCase();
    const value = m[3];
    const lower = value.toLowerCase();
    if (op === "from") out.from.push({ acct: value.replace(/^@/, ""), negated });
    else if (op === "has") {
      if (lower !== "media" && lower !== "poll" && lower !== "link")
        throw new AppError(
          422,
          `Search operator has:${value} is not supported (media, poll, link)`,
        );
      out.has.push({ what: lower, negated });
    } else if (op === "is") {
      if (lower !== "reply" && lower !== "sensitive")
        throw new AppError(422, `Search operator is:${value} is not supported (reply, sensitive)`);
      out.is.push({ what: lower, negated });
    } else if (op === "language") out.languages.push({ code: lower, negated });
    else if (negated) throw new AppError(422, `Search operator ${op}: cannot be negated`);
    else if (op === "before") out.beforeMs = day(value, op);
    else if (op === "after") out.afterMs = day(value, op) + DAY_MS;
    else {
      out.afterMs = day(value, op);
      out.beforeMs = out.afterMs + DAY_MS;
    }
  }
  out.text = words.join(" ");
  return out;
}
