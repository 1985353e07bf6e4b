import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Db } from "../db/client.ts";
import { logger } from "../lib/logger.ts";
import type { StreamClient, StreamingHub } from "./hub.ts";
import { allowedStream, authenticateStream, type StreamAuth, streamToken } from "./session.ts";
import { StreamError } from "./streams.ts";

const log = logger("streaming", "ws");

export interface StreamingLimits {
  /** Ping (WebSocket) or comment line (SSE) this often; a socket that missed a pong is cut. */
  heartbeatMs: number;
  /** A client that lets more than this many bytes pile up unread is dropped, not buffered. */
  maxBufferedBytes: number;
}

export const DEFAULT_LIMITS: StreamingLimits = { heartbeatMs: 30_000, maxBufferedBytes: 1 << 20 };

const PATH = "/api/v1/streaming";

/**
 * Serves Mastodon's WebSocket streaming API on the HTTP server's `upgrade` event (same port as
 * the API). The token is checked before the upgrade: a bad one is a plain 401, no socket.
 */
export function attachWebSocket(
  server: Server,
  hub: StreamingHub,
  db: Db,
  limits: StreamingLimits = DEFAULT_LIMITS,
): () => void {
  // The token sent as subprotocol is echoed back, as browsers insist on (and Mastodon does).
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024,
    handleProtocols: (protocols) => [...protocols][0] ?? false,
  });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== PATH && url.pathname !== `${PATH}/`) return refuse(socket, 404);
    const token = streamToken({
      authorization: req.headers.authorization,
      protocol: req.headers["sec-websocket-protocol"],
      query: url.searchParams.get("access_token"),
    });
    authenticateStream(db, token).then(
      (auth) => {
        if (!auth) return refuse(socket, 401);
        wss.handleUpgrade(req, socket, head, (ws) => open(ws, auth, url, hub));
      },
      (error) => {
        log.error("Upgrade failed: {error}", { error });
        refuse(socket, 500);
      },
    );
  };
  server.on("upgrade", onUpgrade);
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on("connection", (ws) => {
    alive.set(ws, true);
    ws.on("pong", () => alive.set(ws, true));
  });
  const beat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, limits.heartbeatMs);
  beat.unref();

  function open(ws: WebSocket, auth: StreamAuth, url: URL, hub: StreamingHub): void {
    const client: StreamClient = {
      ...auth,
      subs: new Map(),
      send(stream, event, payload) {
        if (ws.readyState !== ws.OPEN) return;
        // A client that does not read is cut off rather than buffered without bound.
        if (ws.bufferedAmount > limits.maxBufferedBytes) return ws.terminate();
        ws.send(JSON.stringify({ stream, event, ...(payload === undefined ? {} : { payload }) }));
      },
      close: () => ws.close(1000),
    };
    hub.add(client);
    wss.emit("connection", ws);
    ws.on("close", () => hub.remove(client));
    const request = async (type: unknown, msg: Record<string, unknown>) => {
      try {
        const sub = await allowedStream(db, auth, String(msg.stream ?? ""), {
          tag: typeof msg.tag === "string" ? msg.tag : undefined,
          list: typeof msg.list === "string" ? msg.list : undefined,
        });
        if (ws.readyState !== ws.OPEN) return;
        if (type === "subscribe") hub.subscribe(client, sub);
        else hub.unsubscribe(client, sub);
      } catch (error) {
        if (!(error instanceof StreamError)) throw error;
        // The socket stays: the client may subscribe to something else.
        ws.send(JSON.stringify({ error: error.message, status: 400 }));
      }
    };
    // `?stream=user` opens one stream right away (Mastodon's older clients do so).
    const initial = url.searchParams.get("stream");
    // Messages are handled one after the other: answers (and errors) keep their order.
    let queue: Promise<void> = Promise.resolve();
    const handle = (work: () => Promise<void> | void) => {
      queue = queue.then(work).catch((error) => log.error("Message failed: {error}", { error }));
    };
    if (initial)
      handle(() =>
        request("subscribe", {
          stream: initial,
          tag: url.searchParams.get("tag") ?? undefined,
          list: url.searchParams.get("list") ?? undefined,
        }),
      );
    ws.on("message", (data) => handle(() => onMessage(data)));
    const onMessage = async (data: unknown) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return ws.send(JSON.stringify({ error: "Invalid JSON", status: 400 }));
      }
      if (typeof msg !== "object" || msg === null) return;
      const { type } = msg as { type?: unknown };
      if (type !== "subscribe" && type !== "unsubscribe")
        return ws.send(JSON.stringify({ error: `Unknown message type: ${type}`, status: 400 }));
      await request(type, msg as Record<string, unknown>);
    };
  }

  return () => {
    clearInterval(beat);
    server.off("upgrade", onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}

function refuse(socket: Duplex, status: 401 | 404 | 500): void {
  const text = { 401: "Unauthorized", 404: "Not Found", 500: "Internal Server Error" }[status];
  const body = JSON.stringify({ error: text });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
}
