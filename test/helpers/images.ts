import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { pngChunk } from "../../src/web/static.ts";

/** Real image files, made by sharp in the test (no binary fixtures to trust). */

/** A landscape JPEG stored sideways: EXIF orientation 6 (rotate 90°) and a GPS position. */
export async function jpegWithExif(width = 400, height = 200): Promise<Uint8Array> {
  // Left half red, right half blue: after rotation the top is red, the bottom blue.
  const left = await sharp({
    create: { width: width / 2, height, channels: 3, background: "#ff0000" },
  })
    .png()
    .toBuffer();
  const bytes = await sharp({ create: { width, height, channels: 3, background: "#0000ff" } })
    .composite([{ input: left, left: 0, top: 0 }])
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: "TernCam" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 24/1" },
    })
    .toBuffer();
  return new Uint8Array(bytes);
}

export async function png(width: number, height: number, noise = false): Promise<Uint8Array> {
  if (noise) {
    const raw = Buffer.alloc(width * height * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    return new Uint8Array(
      await sharp(raw, { raw: { width, height, channels: 3 } })
        .png()
        .toBuffer(),
    );
  }
  const bytes = await sharp({ create: { width, height, channels: 4, background: "#33aa55cc" } })
    .png()
    .toBuffer();
  return new Uint8Array(bytes);
}

/** A two-frame animated GIF. */
export async function animatedGif(): Promise<Uint8Array> {
  const frame = (colour: string) =>
    sharp({ create: { width: 40, height: 30, channels: 3, background: colour } })
      .png()
      .toBuffer();
  const frames = await Promise.all([frame("#ff0000"), frame("#00ff00")]);
  const bytes = await sharp(frames, { join: { animated: true } })
    .gif({ delay: [100, 100], loop: 0 })
    .toBuffer();
  return new Uint8Array(bytes);
}

/** A few hundred bytes claiming 50,000 × 50,000 pixels: a decompression bomb. */
export function pngBomb(): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50_000, 0);
  ihdr.writeUInt32BE(50_000, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk("IHDR", ihdr),
      pngChunk("IDAT", deflateSync(Buffer.alloc(1000))),
      pngChunk("IEND", Buffer.alloc(0)),
    ]),
  );
}

/** The first bytes of an MP4 file (enough to be recognised as video). */
export function mp4Header(): Uint8Array {
  const bytes = Buffer.alloc(64);
  bytes.writeUInt32BE(32, 0);
  bytes.write("ftypisom", 4, "ascii");
  return new Uint8Array(bytes);
}

export function formWith(file: Uint8Array, fields: Record<string, string> = {}, name = "file") {
  const form = new FormData();
  form.append(name, new Blob([file as Uint8Array<ArrayBuffer>]), "upload.bin");
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}
