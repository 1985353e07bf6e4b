import type { Context } from "hono";
import { readAtMost } from "../../lib/body.ts";
import { AppError } from "../../lib/errors.ts";
import { hasNul } from "../nul-guard.ts";
import { formToObject } from "./body.ts";

/** What a multipart upload carries: its text fields (as readBody shapes them) and its files. */
export interface Upload {
  fields: Record<string, unknown>;
  files: Map<string, Uint8Array>;
}

/** Multipart bodies carry some form framing around the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/**
 * Reads a multipart (or urlencoded/JSON, for requests without files) body of at most `maxFileBytes`
 * of file, counting while streaming: a 413 as soon as there is more, whatever Content-Length says.
 * Text fields are checked for NUL here because the NUL guard only reads bodies of up to 1 MiB.
 */
export async function readUpload(c: Context, maxFileBytes: number): Promise<Upload> {
  const limit = maxFileBytes + FORM_OVERHEAD_BYTES;
  const tooLarge = () =>
    new AppError(413, `File is too large (at most ${Math.floor(maxFileBytes / 1024 / 1024)} MiB)`);
  if (Number(c.req.header("content-length") ?? "0") > limit) throw tooLarge();
  const contentType = c.req.header("content-type") ?? "";
  const bytes = await readAtMost(c.req.raw.body, limit);
  if (bytes === null) throw tooLarge();
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (type === "application/json") {
    const text = new TextDecoder().decode(bytes);
    try {
      return { fields: text.trim() ? JSON.parse(text) : {}, files: new Map() };
    } catch {
      throw new AppError(400, "Request body is not valid JSON");
    }
  }
  if (type !== "multipart/form-data" && type !== "application/x-www-form-urlencoded") {
    if (bytes.byteLength === 0) return { fields: {}, files: new Map() };
    throw new AppError(415, `Unsupported content type: ${type || "(none)"}`);
  }
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new AppError(400, "Request body is not a valid form");
  }
  const texts: [string, string][] = [];
  const files = new Map<string, Uint8Array>();
  for (const [name, value] of form.entries()) {
    if (hasNul(name)) throw new AppError(400, "Request contains a NUL character");
    if (typeof value === "string") {
      if (hasNul(value)) throw new AppError(400, "Request contains a NUL character");
      texts.push([name, value]);
    } else {
      if (value.size > maxFileBytes) throw tooLarge();
      files.set(name, new Uint8Array(await value.arrayBuffer()));
    }
  }
  return { fields: formToObject(texts), files };
}
