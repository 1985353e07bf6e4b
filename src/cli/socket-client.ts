/**
 * The CLI's end of DATA_DIR/tern.sock (the server's is cli-socket.ts). Light on purpose: a
 * forwarded command loads none of Tern's services here, only this and the configuration.
 *
 * Protocol: one JSON line `{"argv": [...], "cwd": "..."}` from the CLI; JSON lines back,
 * `{"out": "..."}`, `{"err": "..."}`, and last `{"exit": <code>}`.
 */
import { createConnection } from "node:net";
import { join } from "node:path";

export const CLI_SOCKET = "tern.sock";
export const cliSocketPath = (dataDir: string) => join(dataDir, CLI_SOCKET);

/** Where a command's output goes: the terminal, or a socket back to the terminal. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/**
 * The CLI's side: sends the command line to the server holding the embedded database and copies
 * what comes back to `output`. Resolves with the exit code, or null when nobody answers on the
 * socket (no server listening there).
 */
export function sendToServer(
  dataDir: string,
  argv: string[],
  cwd: string,
  output: CliOutput,
): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = createConnection(cliSocketPath(dataDir));
    let connected = false;
    let buffer = "";
    let exit: number | null = null;
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      connected = true;
      socket.write(`${JSON.stringify({ argv, cwd })}\n`);
    });
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        let message: { out?: unknown; err?: unknown; exit?: unknown };
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof message.out === "string") output.out(message.out);
        if (typeof message.err === "string") output.err(message.err);
        if (typeof message.exit === "number") exit = message.exit;
      }
    });
    socket.on("error", () => {}); // "close" follows and decides
    socket.on("close", () => {
      if (!connected) return resolve(null);
      if (exit === null) output.err("tern: the server closed the connection before the end\n");
      resolve(exit ?? 1);
    });
  });
}
