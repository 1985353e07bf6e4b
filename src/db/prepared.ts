import type { Sql } from "postgres";

/**
 * Named (prepared) statements for what drizzle sends over postgres.js. drizzle sends every
 * statement unnamed unless `.prepare(name)` is called, so PostgreSQL parses and plans it again
 * each time: on a home page the plan cost four times the execution. Named, a statement is parsed
 * once per connection and, after five runs, PostgreSQL keeps a generic plan when it costs no
 * more than the custom ones.
 *
 * Bounded: each connection keeps its statements for its lifetime (postgres.js never evicts), so
 * only the first MAX_PREPARED distinct texts are named, and never texts whose shape changes with
 * the data (a list of parameters `in ($1, $2, ...)` or multi-row `values (…), (…)`), which would
 * pile up one statement per length. Hot paths pass lists as one array parameter (`= any($1)`)
 * instead. A one-row insert `values ($1, $2, …)` or a call `f($1, $2)` keeps its shape: named.
 */
const MAX_PREPARED = 300;
const named = new Set<string>();
const VARIABLE_SHAPE = /\bin \(\$\d+(::[a-z]+)?, \$\d+|\), \((\$\d+|default\b)/i;

export function shouldPrepare(query: string): boolean {
  if (named.has(query)) return true;
  if (named.size >= MAX_PREPARED || VARIABLE_SHAPE.test(query)) return false;
  named.add(query);
  return true;
}

type UnsafeOptions = { prepare?: boolean } & Record<string, unknown>;

/** The postgres.js client drizzle is given: `unsafe` names what `shouldPrepare` allows. */
export function preparing<T extends Sql>(client: T): T {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "unsafe")
        return (query: string, params?: unknown[], options: UnsafeOptions = {}) =>
          target.unsafe(query, params as never, {
            ...options,
            prepare: params !== undefined && params.length > 0 && shouldPrepare(query),
          });
      if (prop === "begin" || prop === "savepoint")
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: Sql) => unknown;
          const start = Reflect.get(target, prop, target) as (...a: unknown[]) => unknown;
          return start.call(target, ...args, (tx: Sql) => fn(preparing(tx)));
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
