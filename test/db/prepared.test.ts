import { describe, expect, it } from "vitest";
import { shouldPrepare } from "../../src/db/prepared.ts";

describe("which statements are named (prepared once per connection)", () => {
  it("names fixed shapes: a one-row insert, a function call, a select", () => {
    expect(
      shouldPrepare('insert into "kv" ("key", "value") values ($1, $2) on conflict do nothing'),
    ).toBe(true);
    expect(shouldPrepare("select pg_notify($1, $2)")).toBe(true);
    expect(shouldPrepare('select "id" from "statuses" where "uri" = $1 limit $2')).toBe(true);
    expect(shouldPrepare("select 1 where x = any($1)")).toBe(true);
  });

  it("never names shapes that grow with the data: parameter lists and multi-row values", () => {
    expect(shouldPrepare("delete from jobs where id in ($1, $2, $3)")).toBe(false);
    expect(shouldPrepare("select * from t where a IN ($1::int, $2::int)")).toBe(false);
    expect(shouldPrepare('insert into "jobs" ("id", "queue") values ($1, $2), ($3, $4)')).toBe(
      false,
    );
    expect(shouldPrepare('insert into "t" ("a", "b") values (default, $1), (default, $2)')).toBe(
      false,
    );
  });
});
