/**
 * DATABASE_URL names a Unix socket as libpq does, by its directory in `host`: postgres.js is
 * given the socket's path and a URL without the parameter (PostgreSQL would refuse `host` as a
 * setting at connect time). Any other URL is passed on untouched.
 */
import { expect, it } from "vitest";
import { postgresArgs, postgresConnection } from "../../src/db/postgres-url.ts";

it("takes a socket directory out of the URL and names the socket of the URL's port", () => {
  expect(postgresConnection("postgres://tern@localhost/tern?host=/var/run/postgresql")).toEqual({
    url: "postgres://tern@localhost/tern",
    path: "/var/run/postgresql/.s.PGSQL.5432",
  });
  expect(
    postgresConnection("postgresql://tern:secret@localhost:5433/tern?host=/tmp/&sslmode=disable"),
  ).toEqual({
    url: "postgresql://tern:secret@localhost:5433/tern?sslmode=disable",
    path: "/tmp/.s.PGSQL.5433",
  });
});

it("passes a TCP URL on as it is, a host parameter that is no directory included", () => {
  for (const url of [
    "postgres://postgres@127.0.0.1:5432/postgres",
    "postgres://tern@db/tern?host=db.internal",
  ])
    expect(postgresConnection(url)).toEqual({ url });
  expect(postgresArgs("postgres://a@b/c", { max: 1 })).toEqual(["postgres://a@b/c", { max: 1 }]);
  expect(postgresArgs("postgres://a@b/c?host=/s", { max: 1 })).toEqual([
    "postgres://a@b/c",
    { max: 1, path: "/s/.s.PGSQL.5432" },
  ]);
});
