import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import WebSocket from "ws";
import { attachWebSocket, type StreamingLimits } from "../../src/streaming/websocket.ts";
import type { TestTern } from "./tern.ts";

/** A streaming event as a WebSocket client reads it. */
export interface WsEvent {
  stream?: string[];
  event?: string;
  payload?: string;
  error?: string;
  status?: number;
}

/** The in-process test Tern on a real loopback port, with the WebSocket upgrade attached. */
export async function listen(
  t: TestTern,
  limits: StreamingLimits = { heartbeatMs: 30_000, maxBufferedBytes: 1 << 20 },
): Promise<{ http: string; ws: string; close(): Promise<void> }> {
  const { promise, resolve } = Promise.withResolvers<AddressInfo>();
  const server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
    resolve(info),
  );
  const { port } = await promise;
  const detach = attachWebSocket(
    server as import("node:http").Server,
    t.streaming!,
    t.database.db,
    limits,
  );
  return {
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    async close() {
      detach();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A real `ws` client that keeps every message it receives, and waits for the ones a test wants. */
export class WsReader {
  readonly messages: WsEvent[] = [];
  readonly socket: WebSocket;
  private waiters: (() => void)[] = [];
  closed = false;

  constructor(url: string, token: string) {
    this.socket = new WebSocket(url, [token]);
    this.socket.on("message", (data) => {
      this.messages.push(JSON.parse(String(data)) as WsEvent);
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once("open", () => resolve());
      this.socket.once("error", reject);
    });
  }

  subscribe(stream: string, extra: Record<string, string> = {}): void {
    this.socket.send(JSON.stringify({ type: "subscribe", stream, ...extra }));
  }

  /**
   * Waits until the server has read every message sent so far: it answers an unknown stream with
   * an error, in order, so once that error is here the subscriptions before it are in place.
   */
  async synced(): Promise<void> {
    const errors = this.messages.filter((m) => m.error).length;
    this.subscribe("sync-probe");
    await this.next(() => this.messages.filter((m) => m.error).length > errors);
  }

  /** The first message matching `match` (already received or still to come). */
  async next(match: (m: WsEvent) => boolean, timeoutMs = 10_000): Promise<WsEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.closed) throw new Error("socket closed");
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching message; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, left).unref();
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** A Server-Sent Events reader over fetch: parses `event:` / `data:` blocks as they arrive. */
export class SseReader {
  readonly events: { event: string; data: string }[] = [];
  readonly status: number;
  /** The server ended the stream (or close() did). */
  ended = false;
  private controller = new AbortController();

  private constructor(status: number) {
    this.status = status;
  }

  static async open(url: string): Promise<SseReader> {
    const reader = new SseReader(0);
    const res = await fetch(url, { signal: reader.controller.signal });
    (reader as { status: number }).status = res.status;
    if (res.ok && res.body) void reader.pump(res.body);
    return reader;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event) this.events.push({ event, data: data ?? "" });
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
  }

  async next(match: (e: { event: string; data: string }) => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching event; got ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.controller.abort();
  }
}
