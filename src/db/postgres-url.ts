/**
 * Where a `DATABASE_URL` connects. postgres.js reads host and port from the URL only, so a Unix
 * socket is named as libpq names it, by its directory in the `host` query parameter
 * (`postgres://tern@localhost/tern?host=/var/run/postgresql`): that parameter is taken out of the
 * URL (PostgreSQL would refuse it as a setting) and the socket's path given beside it. On one
 * machine a socket costs about half the system time of a loopback TCP connection per statement.
 */
export function postgresConnection(databaseUrl: string): { url: string; path?: string } {
  const url = new URL(databaseUrl);
  const dir = url.searchParams.get("host");
  if (!dir?.startsWith("/")) return { url: databaseUrl };
  url.searchParams.delete("host");
  return { url: url.toString(), path: `${dir.replace(/\/+$/, "")}/.s.PGSQL.${url.port || 5432}` };
}

/** postgres.js's arguments for `databaseUrl` with `options`: `postgres(...postgresArgs(url, o))`. */
export function postgresArgs<O extends object>(
  databaseUrl: string,
  options: O,
): [string, O & { path?: string }] {
  const { url, path } = postgresConnection(databaseUrl);
  return [url, path ? { ...options, path } : options];
}
