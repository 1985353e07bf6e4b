import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/**
 * Reading request bodies without trusting their size. A chunked body has no Content-Length, so
 * the only safe way to cap it is to count bytes while streaming and stop at the cap: buffering
 * first (`request.text()`) let a 256 MiB POST lift the process past a gigabyte before any check.
 */

/** The stream's bytes, or null as soon as there are more than `limit` of them. */
export async function readAtMost(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: a tee branch's cancel settles only when the other branch is done too.
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * A request's body, or null past `limit`, as `readAtMost` reads it; on @hono/node-server straight
 * from Node's IncomingMessage (`env.incoming`) while nobody has started reading it. Asking for
 * `c.req.raw.body` makes the adapter turn its light request into a full WHATWG Request with a
 * web stream, for a body that is then read whole anyway.
 */
export function readBodyAtMost(
  request: Request,
  env: unknown,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.readableDidRead || incoming.readableEnded)
    return readAtMost(request.body, limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = () => {
      incoming.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        // The rest stays unread: the caller answers 413 and closes the connection.
        settle();
        incoming.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      settle();
      const out = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        out.set(chunk, offset);
        offset += chunk.byteLength;
      }
      resolve(out);
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    const onClose = () => onError(new Error("The client closed the connection mid-body"));
    incoming.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

/**
 * Headers for a 413 sent before the body was read to its end: the rest of the body is still on
 * the wire, so the connection is closed after the answer. A keep-alive client then opens a new
 * connection for its next request instead of finding this one cut under it.
 */
export const CLOSE_CONNECTION = { Connection: "close" } as const;

/**
 * Node's server destroys a `Connection: close` socket as soon as the answer is flushed. With body
 * bytes still unread, the kernel then answers the client with a reset, which can reach it before
 * it has read the 413 (it sees EPIPE instead of the answer). So the socket is half-closed and,
 * for `ms`, left reading (Node discards the rest of the body): the client reads the 413, stops
 * sending and closes its end. `env` is what @hono/node-server passes to the app; elsewhere
 * (tests calling app.fetch) there is no socket and nothing to do.
 */
export function lingerBeforeClose(env: unknown, ms = 2_000): void {
  const socket = (env as { incoming?: { socket?: Socket } } | undefined)?.incoming?.socket;
  if (!socket || socket.destroyed) return;
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), ms).unref();
  };
}
