import { type Column, getTableColumns, type SQL, sql, type Table } from "drizzle-orm";
import { remembered } from "../lib/memo.ts";

/**
 * Rows of several tables side by side in one result, each column under a prefixed name, turned
 * back into the objects `db.select().from(table)` gives. Cheaper than building each row as JSON
 * in SQL (`json-row.ts`): on a page of 40 statuses, building their authors as JSON cost PostgreSQL
 * several times the rest of the statement. Values are mapped by the column as drizzle maps a
 * select's (both drivers parse a raw statement's values the way they parse a select's).
 */

interface Layout {
  /** `alias."column" as "prefix_key", ...`, per alias and prefix. */
  sql: Map<string, SQL>;
  fields: { key: string; column: Column; name: string }[];
}

const layouts = new WeakMap<Table, Map<string, Layout>>();

function layout(table: Table, prefix: string): Layout {
  const byPrefix = layouts.get(table) ?? new Map<string, Layout>();
  layouts.set(table, byPrefix);
  return remembered(byPrefix, prefix, () => ({
    sql: new Map(),
    fields: Object.entries(getTableColumns(table)).map(([key, column]) => ({
      key,
      column,
      name: `${prefix}_${key}`,
    })),
  }));
}

/** Every column of `table` (named `alias` in the query) as `"prefix_key"`. */
export function flatColumns(table: Table, alias: string, prefix: string): SQL {
  const { sql: byAlias, fields } = layout(table, prefix);
  return remembered(byAlias, alias, () =>
    sql.raw(fields.map((f) => `${alias}."${f.column.name}" as "${f.name}"`).join(", ")),
  );
}

/**
 * The row `flatColumns(table, _, prefix)` selected, as drizzle's select would return it; null when
 * `presentKey` (a not-null column, e.g. the key of a left-joined table) is null.
 */
export function fromFlatRow<T>(
  table: Table,
  row: Record<string, unknown>,
  prefix: string,
  presentKey?: string,
): T | null {
  const { fields } = layout(table, prefix);
  if (presentKey !== undefined && row[`${prefix}_${presentKey}`] == null) return null;
  const out: Record<string, unknown> = {};
  for (const { key, column, name } of fields) {
    const value = row[name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as T;
}
