/**
 * Default avatar and header images. Mastodon clients expect every account to have both URLs, so
 * accounts without pictures point here. They are solid-colour PNGs built in code: no asset files
 * to ship, and a few hundred bytes each once deflated.
 */
import { crc32, deflateSync } from "node:zlib";
import type { Hono } from "hono";

export const AVATAR_PATH = "/static/avatar.png";
export const HEADER_PATH = "/static/header.png";

export const defaultAvatarUrl = (publicUrl: string) => publicUrl + AVATAR_PATH;
export const defaultHeaderUrl = (publicUrl: string) => publicUrl + HEADER_PATH;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data and the CRC of type and data (also used by tests). */
export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  // The CRC covers the type and the data, not the length.
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGB PNG of one colour. Truecolour rather than a palette: every decoder takes it. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // compression, filter and interlace methods stay 0
  const row = Buffer.alloc(1 + width * 3); // leading 0: filter "None"
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    SIGNATURE,
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw, { level: 9 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

interface Image {
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
}

/** Built on first request, then kept: they never change while the process runs. */
function lazyImage(build: () => Buffer): () => Image {
  let image: Image | undefined;
  return () => {
    if (!image) {
      const buf = build();
      image = {
        bytes: new Uint8Array(
          buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer,
        ),
        etag: `"${crc32(buf).toString(16)}-${buf.length}"`,
      };
    }
    return image;
  };
}

// Mastodon's sizes: 400x400 avatars, 1500x500 headers; muted colours that suit light and dark UIs.
const avatar = lazyImage(() => solidPng(400, 400, [0x9b, 0xa7, 0xb8]));
const header = lazyImage(() => solidPng(1500, 500, [0x5d, 0x6b, 0x82]));

export function registerStatic(app: Hono): void {
  for (const [path, image] of [
    [AVATAR_PATH, avatar],
    [HEADER_PATH, header],
  ] as const) {
    app.get(path, (c) => {
      const { bytes, etag } = image();
      const headers = {
        "Content-Type": "image/png",
        "Cache-Control": "public, max-age=86400",
        ETag: etag,
        "X-Content-Type-Options": "nosniff",
        // Web clients on other origins may fetch it (to draw on a canvas, to cache offline).
        "Access-Control-Allow-Origin": "*",
      };
      if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
      return c.body(bytes, 200, headers);
    });
  }
}
