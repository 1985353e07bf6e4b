/** Starts the process: config, assemble, listen, signals and graceful shutdown (see main.js). */
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { healthRoutes } from "./api/health.ts";
import { startCliSocket } from "./cli/cli-socket.ts";
import { ConfigError, loadConfig } from "./config/index.ts";
import { logger, setupLogging } from "./lib/logger.ts";
import { assemble } from "./server.ts";
import { attachWebSocket } from "./streaming/websocket.ts";

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
  // A worker serves only /health, so that container and orchestrator probes work in every role.
  const handler =
    config.role === "worker" ? healthRoutes({ ...tern, db: tern.database.db }) : tern.app;
  const server = serve({ fetch: handler.fetch, port: config.port }, (info) =>
    log.info("Tern ({role}) listening on port {port} as {url}", {
      role: config.role,
      port: info.port,
      url: config.publicUrl,
    }),
  );

  // The streaming API's WebSocket shares the port (the `upgrade` of /api/v1/streaming).
  if (tern.streaming) attachWebSocket(server as Server, tern.streaming, tern.database.db);

  // On the embedded database, `tern` cannot open it next to us: it sends its commands here.
  const cliSocket =
    tern.database.kind === "pglite" && config.role !== "worker"
      ? await startCliSocket({ db: tern.database.db, config })
      : null;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("{signal}: shutting down", { signal });
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
    // Stop taking requests, finish the ones in flight, then the worker hands back its jobs.
    // Open streams never end by themselves: closed first, so that the server can finish.
    await tern.streaming?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await cliSocket?.close();
    await tern.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

await main();
