import type { Context } from "hono";

/** Lines gathered into chunks of about this size before they are sent. */
const CHUNK_CHARS = 64 * 1024;

/**
 * A CSV download streamed from `lines` (an export reading page by page): memory stays flat
 * however many rows there are. Served as an attachment named like Mastodon's.
 */
export function csvResponse(c: Context, lines: AsyncIterable<string>, fileName: string): Response {
  const encoder = new TextEncoder();
  const iterator = lines[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = "";
      while (chunk.length < CHUNK_CHARS) {
        const next = await iterator.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return c.body(body, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${fileName}"`,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
}
