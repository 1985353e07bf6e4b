import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { mediaStorage } from "../lib/storage/index.ts";
import { LocalDiskStorage } from "../lib/storage/local.ts";

const CONTENT_TYPES: Record<string, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  mp4: "video/mp4",
  webm: "video/webm",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
};

/** A file read from disk as a web stream, `start` to `end` inclusive. */
const streamOf = (path: string, start: number, end: number) =>
  Readable.toWeb(
    createReadStream(path, { start, end: Math.max(start, end) }),
  ) as ReadableStream<Uint8Array>;

/**
 * Files of the local-disk storage at /media/<key>. Keys never change meaning (a new picture gets
 * a new key), so they are cached for a year. `nosniff` and the fixed type per extension keep a
 * browser from running an upload as a page; ranges let players seek in audio and video.
 * With S3 storage the bucket serves them and this answers 404.
 */
export function mediaFileRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.on(["GET", "HEAD"], "/media/:dir/:file", async (c) => {
    const storage = mediaStorage(deps.config);
    const key = `${c.req.param("dir")}/${c.req.param("file")}`;
    const type = CONTENT_TYPES[key.split(".").pop() ?? ""];
    // Uploads still waiting for processing (upload.bin) are not served.
    const path = storage instanceof LocalDiskStorage ? storage.pathOf(key) : null;
    if (!type || !path) return c.json({ error: "Not found" }, 404);
    // Streamed from disk, never read whole: a player seeking in a 99 MiB video asks for many
    // ranges.
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : null),
      () => null,
    );
    if (size === null) return c.json({ error: "Not found" }, 404);
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Cache-Control": "public, max-age=31536000, immutable",
      "Content-Disposition": "inline",
      "X-Content-Type-Options": "nosniff",
      "Accept-Ranges": "bytes",
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header("range") ?? "");
    const send = (status: 200 | 206, start: number, end: number, extra = {}) => {
      const all = { ...headers, ...extra, "Content-Length": String(end - start + 1) };
      return c.req.method === "HEAD"
        ? c.body(null, status, all)
        : c.body(streamOf(path, start, end), status, all);
    };
    if (!range) return send(200, 0, size - 1);
    const start = range[1] === "" ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    const end =
      range[1] === "" || range[2] === "" ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start > end || start >= size)
      return c.body(null, 416, { ...headers, "Content-Range": `bytes */${size}` });
    return send(206, start, end, { "Content-Range": `bytes ${start}-${end}/${size}` });
  });
  return app;
}
