import { type Column, getTableColumns, type SQL, sql, type Table } from "drizzle-orm";
import { remembered } from "../lib/memo.ts";

/**
 * Rows of several tables side by side in one result, each table's columns in a run of the row's
 * values (array rows: `queryValues`), turned back into the objects `db.select().from(table)`
 * gives. Cheaper than building each row as JSON in SQL (`json-row.ts`): on a page of 40
 * statuses, building their authors as JSON cost PostgreSQL several times the rest of the
 * statement. Values are mapped by the column as drizzle maps a select's (both drivers parse a raw
 * statement's values the way they parse a select's).
 */

interface Layout {
  /** `alias."column", ...` per alias. */
  sql: Map<string, SQL>;
  fields: { key: string; column: Column }[];
  /** Each field's position in the run, by key. */
  position: Map<string, number>;
  /**
   * An object with every key, copied for each row: V8 keeps an object that gets more than about
   * a dozen properties one keyed store at a time as a hash table (slower to read, several times
   * larger), while a copy of this one keeps its fast layout.
   */
  blank: Record<string, unknown>;
}

const layouts = new WeakMap<Table, Layout>();

function layout(table: Table): Layout {
  const kept = layouts.get(table);
  if (kept) return kept;
  const fields = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, column }));
  const made = {
    sql: new Map(),
    fields,
    position: new Map(fields.map((f, i) => [f.key, i])),
    blank: Object.fromEntries(fields.map((f) => [f.key, null])),
  };
  layouts.set(table, made);
  return made;
}

/** Every column of `table` (named `alias` in the query), in the order `fromFlatValues` reads. */
export function flatColumns(table: Table, alias: string): SQL {
  const { sql: byAlias, fields } = layout(table);
  return remembered(byAlias, alias, () =>
    sql.raw(fields.map((f) => `${alias}."${f.column.name}"`).join(", ")),
  );
}

/** How many values `flatColumns(table, _)` puts in a row. */
export const flatWidth = (table: Table): number => layout(table).fields.length;

/**
 * The row `flatColumns(table, _)` selected at `offset` of `values`, as drizzle's select would
 * return it; null when `presentKey` (a not-null column, e.g. the key of a left-joined table) is
 * null.
 */
export function fromFlatValues<T>(
  table: Table,
  values: readonly unknown[],
  offset: number,
  presentKey?: string,
): T | null {
  const { fields, position, blank } = layout(table);
  if (presentKey !== undefined && values[offset + (position.get(presentKey) ?? 0)] == null)
    return null;
  const out = { ...blank };
  for (let i = 0; i < fields.length; i++) {
    const value = values[offset + i];
    out[fields[i].key] =
      value === null || value === undefined ? null : fields[i].column.mapFromDriverValue(value);
  }
  return out as T;
}
