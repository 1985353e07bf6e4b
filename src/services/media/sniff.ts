/**
 * What a file really is, from its first bytes (never from its name or the Content-Type the client
 * sent, which a client sets to anything).
 */
export type Sniffed =
  | { kind: "image"; format: "jpeg" | "png" | "gif" | "webp" | "heif" }
  | { kind: "video" | "audio"; mime: string };

const ascii = (bytes: Uint8Array, start: number, end: number) =>
  String.fromCharCode(...bytes.subarray(start, end));

const HEIF_BRANDS = new Set(["avif", "avis", "heic", "heix", "hevc", "hevx", "mif1", "msf1"]);

export function sniff(bytes: Uint8Array): Sniffed | null {
  if (bytes.length < 12) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return { kind: "image", format: "jpeg" };
  if (ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") return { kind: "image", format: "png" };
  if (ascii(bytes, 0, 4) === "GIF8") return { kind: "image", format: "gif" };
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP")
    return { kind: "image", format: "webp" };
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WAVE")
    return { kind: "audio", mime: "audio/wave" };
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "AVI ")
    return { kind: "video", mime: "video/x-msvideo" };
  if (ascii(bytes, 4, 8) === "ftyp") {
    const brand = ascii(bytes, 8, 12);
    if (HEIF_BRANDS.has(brand)) return { kind: "image", format: "heif" };
    if (brand.startsWith("M4A")) return { kind: "audio", mime: "audio/mp4" };
    return { kind: "video", mime: brand === "qt  " ? "video/quicktime" : "video/mp4" };
  }
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3)
    return { kind: "video", mime: "video/webm" };
  if (ascii(bytes, 0, 4) === "OggS") return { kind: "audio", mime: "audio/ogg" };
  if (ascii(bytes, 0, 4) === "fLaC") return { kind: "audio", mime: "audio/flac" };
  if (ascii(bytes, 0, 3) === "ID3" || (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0))
    return { kind: "audio", mime: "audio/mpeg" };
  return null;
}
