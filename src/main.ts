import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "./config/index.ts";
import { logger, setupLogging } from "./lib/logger.ts";
import { assemble } from "./server.ts";

const log = logger("main");
/** A process that has not stopped by then exits anyway. */
const SHUTDOWN_LIMIT_MS = 25_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  await setupLogging(config.logLevel);
  const tern = await assemble(config);
  const server =
    config.role === "worker"
      ? null
      : serve({ fetch: tern.app.fetch, port: config.port }, (info) =>
          log.info("Tern ({role}) listening on port {port} as {url}", {
            role: config.role,
            port: info.port,
            url: config.publicUrl,
          }),
        );
  if (!server) log.info("Tern worker started for {url}", { url: config.publicUrl });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("{signal}: shutting down", { signal });
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await tern.worker?.stop();
    await tern.database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

await main();
