#!/usr/bin/env -S node --liftoff-only
/**
 * Tern's admin CLI: `npx tern help`. It reads the same environment as the server (DATABASE_URL,
 * DATA_DIR, PUBLIC_URL, ...), migrates the database if needed, does one thing and exits.
 *
 * With PostgreSQL it opens the database itself, next to any number of servers. With the embedded
 * PGlite database (no DATABASE_URL) only one process may open DATA_DIR: when a running server
 * holds it, the command line is sent to that server (DATA_DIR/tern.sock, see cli-socket.ts),
 * which runs it on its database and sends back the same output and exit code.
 */
import { type Config, loadConfig } from "../config/index.ts";
import { embeddedDatabaseOwner } from "../db/lock.ts";
import { type CliOutput, sendToServer } from "./socket-client.ts";

const output: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

async function main(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  const config = tryLoadConfig();
  const owner = config && !config.databaseUrl ? embeddedDatabaseOwner(config.dataDir) : null;
  // A server holds the embedded database: it parses and runs the line (help and usage errors
  // too), so nothing of Tern but this file and the configuration is loaded here.
  if (config && owner !== null && owner !== process.pid) {
    const code = await sendToServer(config.dataDir, argv, cwd, output);
    if (code !== null) return code;
  }
  const { CliError, executeCommandLine, openForCli, parseCommandLine, reportingFailures } =
    await import("./commands.ts");
  return reportingFailures(output, async () => {
    // Usage errors and help need no database: answered before the configuration is checked.
    if (!parseCommandLine(argv, output)) return 0;
    const checked = config ?? loadConfig(); // throws the ConfigError to report
    if (owner !== null && owner !== process.pid)
      throw new CliError(
        `The embedded database in ${checked.dataDir} is in use by process ${owner}, which ` +
          "does not take tern commands: stop the Tern server first, or set DATABASE_URL to use " +
          "PostgreSQL with several processes",
      );
    return executeCommandLine(argv, {
      config: checked,
      cwd,
      output,
      async withDb(fn) {
        const database = await openForCli(checked);
        try {
          return await fn(database.db);
        } finally {
          await database.close();
        }
      },
    });
  });
}

function tryLoadConfig(): Config | null {
  try {
    return loadConfig();
  } catch {
    return null;
  }
}

process.exitCode = await main(process.argv.slice(2));
