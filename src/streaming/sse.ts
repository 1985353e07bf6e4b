import { Hono } from "hono";
import type { Db } from "../db/client.ts";
import type { StreamClient, StreamingHub } from "./hub.ts";
import { allowedStream, authenticateStream, streamToken } from "./session.ts";
import { SSE_PATHS, StreamError } from "./streams.ts";
import { DEFAULT_LIMITS, type StreamingLimits } from "./websocket.ts";

const encoder = new TextEncoder();

/**
 * Mastodon's Server-Sent Events streaming: GET /api/v1/streaming/<stream> answers an endless
 * text/event-stream (`event:` and `data:` lines), with a comment line as heartbeat.
 */
export function sseRoutes(
  db: Db,
  hub: StreamingHub | null,
  limits: StreamingLimits = DEFAULT_LIMITS,
): Hono {
  const app = new Hono();
  app.get("/health", (c) => c.text("OK"));
  app.get("/:path{.+}", async (c) => {
    const name = SSE_PATHS[`/${c.req.param("path")}`];
    if (!name || !hub) return c.json({ error: "Unknown stream type" }, 404);
    const auth = await authenticateStream(
      db,
      streamToken({
        authorization: c.req.header("authorization"),
        query: c.req.query("access_token"),
      }),
    );
    if (!auth) return c.json({ error: "Error: Missing access token" }, 401);
    const media = c.req.query("only_media") === "true" || c.req.query("only_media") === "1";
    const stream = media && name.startsWith("public") ? `${name}:media` : name;
    let sub: Awaited<ReturnType<typeof allowedStream>>;
    try {
      sub = await allowedStream(db, auth, stream, {
        tag: c.req.query("tag"),
        list: c.req.query("list"),
      });
    } catch (error) {
      if (error instanceof StreamError) return c.json({ error: error.message }, 400);
      throw error;
    }
    let client: StreamClient | undefined;
    let beat: NodeJS.Timeout | undefined;
    const end = () => {
      clearInterval(beat);
      if (client) hub.remove(client);
    };
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          let open = true;
          const write = (text: string) => {
            if (!open) return;
            // A reader that falls this far behind is dropped rather than buffered without bound.
            if ((controller.desiredSize ?? 0) < -limits.maxBufferedBytes) return client?.close();
            controller.enqueue(encoder.encode(text));
          };
          client = {
            ...auth,
            subs: new Map(),
            send: (_stream, event, payload) => write(`event: ${event}\ndata: ${payload ?? ""}\n\n`),
            close() {
              if (!open) return;
              open = false;
              end();
              // The reader may have gone already (then the stream is cancelled, not closable).
              try {
                controller.close();
              } catch {}
            },
          };
          hub.add(client);
          hub.subscribe(client, sub);
          write(":)\n\n");
          beat = setInterval(() => write(":thump\n\n"), limits.heartbeatMs);
        },
        cancel: end,
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
    );
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  });
  return app;
}
