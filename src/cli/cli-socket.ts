/**
 * `tern` next to a server running on the embedded database. PGlite is one process's database, so
 * the CLI cannot open it while `npm start` holds it; instead the server listens on a Unix socket
 * in DATA_DIR and runs the command lines sent there, in-process, on its own database, with the
 * very functions `tern` would run (commands.ts), streaming the output and exit code back.
 *
 * Who may use it: whoever may connect to DATA_DIR/tern.sock, which is created with mode 0600
 * (only the user the server runs as, as for the database files themselves). No TCP listener.
 *
 * Protocol: see socket-client.ts.
 */
import { lstatSync, rmSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";
import { logger } from "../lib/logger.ts";
import { type CliOutput, executeCommandLine } from "./commands.ts";
import { cliSocketPath } from "./socket-client.ts";

const log = logger("cli", "socket");
/** A command line is a few arguments: anything longer is not one. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** A client that connects and says nothing is let go after this. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Unix socket paths are limited to ~108 bytes (sun_path). */
const MAX_SOCKET_PATH = 100;

export interface CliSocketServer {
  path: string;
  close(): Promise<void>;
}

/**
 * Starts listening on DATA_DIR/tern.sock. Call it only while holding the embedded database's lock
 * (after openDatabase): then a socket file found there is stale (a server that was killed) and
 * is removed. Resolves with null when the path cannot be used (too long, or not a socket).
 */
export async function startCliSocket(deps: {
  db: Db;
  config: Config;
}): Promise<CliSocketServer | null> {
  const path = cliSocketPath(deps.config.dataDir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    log.warn("DATA_DIR is too long a path for {path}: tern cannot reach this server", { path });
    return null;
  }
  if (!removeStaleSocket(path)) return null;
  const server = createServer((socket) => serveOne(socket, deps));
  // Mode 0600 from the first moment: the socket is bound inside listen(), under this umask.
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  await chmod(path, 0o600);
  log.info("tern commands are taken on {path}", { path });
  return {
    path,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          rmSync(path, { force: true });
          resolve();
        }),
      ),
  };
}

/** True when the path is free (a leftover socket removed); false when something else is there. */
function removeStaleSocket(path: string): boolean {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return true; // nothing there
  }
  if (!isSocket) {
    log.warn("{path} exists and is not a socket: tern cannot reach this server", { path });
    return false;
  }
  rmSync(path, { force: true });
  return true;
}

function serveOne(socket: Socket, deps: { db: Db; config: Config }) {
  let buffer = "";
  let started = false;
  socket.setEncoding("utf8");
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
    if (!started) socket.destroy();
  });
  socket.on("error", () => {}); // a client gone away mid-answer: the command still finishes
  socket.on("data", (chunk: string) => {
    if (started) return;
    buffer += chunk;
    if (buffer.length > MAX_REQUEST_BYTES) return socket.destroy();
    const end = buffer.indexOf("\n");
    if (end < 0) return;
    started = true;
    socket.setTimeout(0);
    void answer(socket, buffer.slice(0, end), deps);
  });
}

async function answer(socket: Socket, line: string, deps: { db: Db; config: Config }) {
  const send = (message: object) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  };
  const request = parseRequest(line);
  if (!request) {
    send({ err: "tern: the server did not understand the request\n" });
    send({ exit: 1 });
    socket.end();
    return;
  }
  const output: CliOutput = {
    out: (text) => send({ out: text }),
    err: (text) => send({ err: text }),
  };
  const code = await executeCommandLine(request.argv, {
    config: deps.config,
    cwd: request.cwd,
    output,
    withDb: (fn) => fn(deps.db),
  });
  send({ exit: code });
  socket.end();
}

function parseRequest(line: string): { argv: string[]; cwd: string } | null {
  try {
    const value = JSON.parse(line) as { argv?: unknown; cwd?: unknown };
    const { argv, cwd } = value;
    if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) return null;
    if (typeof cwd !== "string" || !cwd.startsWith("/")) return null;
    return { argv, cwd };
  } catch {
    return null;
  }
}
