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
    if (!(storage instanceof LocalDiskStorage) || !type || !storage.pathOf(key))
      return c.json({ error: "Not found" }, 404);
    const bytes = await storage.get(key);
    if (!bytes) return c.json({ error: "Not found" }, 404);
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Cache-Control": "public, max-age=31536000, immutable",
      "Content-Disposition": "inline",
      "X-Content-Type-Options": "nosniff",
      "Accept-Ranges": "bytes",
    };
    const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header("range") ?? "");
    if (!range) return c.body(bytes, 200, { ...headers, "Content-Length": String(bytes.length) });
    const size = bytes.length;
    const start = range[1] === "" ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    const end =
      range[1] === "" || range[2] === "" ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start > end || start >= size)
      return c.body(null, 416, { ...headers, "Content-Range": `bytes */${size}` });
    return c.body(bytes.subarray(start, end + 1), 206, {
      ...headers,
      "Content-Range": `bytes ${start}-${end}/${size}`,
      "Content-Length": String(end - start + 1),
    });
  });
  return app;
}
