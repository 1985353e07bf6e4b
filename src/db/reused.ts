import type { Tx } from "./client.ts";

/** What drizzle's select, insert, update and delete builders offer. */
interface Preparable<R> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> };
}

/**
 * A hot statement that drizzle builds once per database handle instead of on every call, its
 * values given as `sql.placeholder(name)`: building a select of every column of `accounts`
 * takes ~150 µs of CPU, an insert into `statuses` ~160 µs, running either a few. Kept per
 * handle because a prepared query runs on the handle it was built on; the database is long-lived
 * (built once), a transaction is not (built again in each: no gain there, and no harm).
 */
export function reused<R, V extends Record<string, unknown>>(
  name: string,
  build: (db: Tx) => Preparable<R>,
): (db: Tx, values: V) => Promise<R> {
  const built = new WeakMap<Tx, ReturnType<Preparable<R>["prepare"]>>();
  return (db, values) => {
    let query = built.get(db);
    if (!query) {
      query = build(db).prepare(name);
      built.set(db, query);
    }
    return query.execute(values);
  };
}
