import { type Column, getTableColumns, type SQL, sql, type Table } from "drizzle-orm";
import { remembered } from "../lib/memo.ts";

/**
 * Whole rows as JSON inside one statement (a page's statuses with their authors, mentions, media
 * and polls in one round trip instead of one per kind), turned back into the objects drizzle's
 * `select()` gives. Values that JSON would change are sent as text and mapped by the column as
 * the driver's text would be: 64-bit ids (a JSON number loses digits past 2^53) and timestamps.
 */

const AS_TEXT = new Set(["bigint", "timestamp", "date", "numeric"]);

function sentAsText(column: Column): boolean {
  const type = column.getSQLType();
  return [...AS_TEXT].some((t) => type.startsWith(t));
}

function isJson(column: Column): boolean {
  return column.getSQLType().startsWith("json");
}

/** Built once per table and alias: the text never changes. */
const built = new WeakMap<Table, Map<string, SQL>>();

/**
 * `json_build_object('fieldName', alias.column, ...)` for every column of `table` (`alias`: how
 * the table is named in the query). `json`, not `jsonb`: PostgreSQL builds it several times
 * faster and the client parses both alike. PostgreSQL takes at most 100 arguments a call, so a
 * table of more than 50 columns is built in `jsonb` chunks joined with `||`.
 */
export function jsonRow(table: Table, alias: string): SQL {
  const byAlias = built.get(table) ?? new Map<string, SQL>();
  built.set(table, byAlias);
  return remembered(byAlias, alias, () => buildJsonRow(table, alias));
}

function buildJsonRow(table: Table, alias: string): SQL {
  const parts = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const ref = `${alias}."${column.name}"`;
    return `'${key}', ${sentAsText(column) ? `${ref}::text` : ref}`;
  });
  if (parts.length <= 50) return sql.raw(`json_build_object(${parts.join(", ")})`);
  const chunks: string[] = [];
  for (let i = 0; i < parts.length; i += 40)
    chunks.push(`jsonb_build_object(${parts.slice(i, i + 40).join(", ")})`);
  return sql.raw(`(${chunks.join(" || ")})`);
}

/** The object `jsonRow` built, as `db.select().from(table)` would have returned it. */
export function fromJsonRow<T>(table: Table, json: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[key];
    out[key] =
      value === null || value === undefined || isJson(column)
        ? (value ?? null)
        : column.mapFromDriverValue(value);
  }
  return out as T;
}

/**
 * A list of ids as ONE bound parameter (`= any(...)`): the statement's text is the same for 1 id
 * or 40, so it plans once when prepared. Ids are decimal digits only (checked).
 */
export function idArray(ids: readonly string[]): SQL {
  for (const id of ids) if (!/^\d+$/.test(id)) throw new Error(`not an id: ${id}`);
  return sql`${`{${ids.join(",")}}`}::bigint[]`;
}
