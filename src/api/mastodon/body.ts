import type { Context } from "hono";
import type { z } from "zod";
import { readAtMost } from "../../lib/body.ts";
import { AppError } from "../../lib/errors.ts";

/** Largest request body the client API reads (media uploads, when they come, get their own cap). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a request body as Mastodon clients send it (JSON, urlencoded or multipart form) and
 * validates it. Form keys like `ids[]` or `poll[options][]` become arrays. Bad input is a 4xx
 * with a reason: 400 for a body that cannot be read, 422 for one that does not validate.
 */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  return parseBody(schema, await readRaw(c));
}

/** Validates a body already read (a saved draft being published): 422 naming what is wrong. */
export function parseBody<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    throw new AppError(422, `Validation failed: ${where}${issue.message}`);
  }
  return parsed.data;
}

/** Validates query parameters the same way (arrays from repeated `key[]`). */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const url = new URL(c.req.url);
  const parsed = schema.safeParse(formToObject([...url.searchParams.entries()]));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(400, `Invalid query parameter ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

async function readRaw(c: Context): Promise<unknown> {
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) throw new AppError(413, "Request body is too large");
  const contentType = c.req.header("content-type") ?? "";
  const type = contentType.split(";")[0].trim().toLowerCase();
  // Read at most MAX_BODY_BYTES whatever the headers say (a chunked body has no length).
  const bytes = await readCapped(c);
  if (type === "application/json" || type.endsWith("+json")) {
    const text = new TextDecoder().decode(bytes);
    if (text.trim() === "") return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new AppError(400, "Request body is not valid JSON");
    }
  }
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
    } catch {
      throw new AppError(400, "Request body is not a valid form");
    }
    const entries: [string, string][] = [];
    for (const [k, v] of form.entries()) if (typeof v === "string") entries.push([k, v]);
    return formToObject(entries);
  }
  if (new TextDecoder().decode(bytes).trim() === "") return {};
  throw new AppError(415, `Unsupported content type: ${type || "(none)"}`);
}

/** The body's bytes, or a 413 as soon as there are more than MAX_BODY_BYTES of them. */
async function readCapped(c: Context): Promise<Uint8Array<ArrayBuffer>> {
  const req = c.req.raw;
  if (req.bodyUsed) {
    // Someone read it already through Hono, which keeps a copy.
    const cached = new Uint8Array(await c.req.arrayBuffer());
    if (cached.byteLength > MAX_BODY_BYTES) throw new AppError(413, "Request body is too large");
    return cached;
  }
  const bytes = await readAtMost(req.body, MAX_BODY_BYTES);
  if (bytes === null) throw new AppError(413, "Request body is too large");
  return bytes;
}

const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * `a=1&b[]=2&b[]=3&c[d]=4` -> `{a: "1", b: ["2","3"], c: {d: "4"}}`; enough for Mastodon's forms.
 */
export function formToObject(entries: [string, string][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const parts = key.replace(/\]/g, "").split("[");
    // `__proto__[x]=1` would otherwise write to Object.prototype for the whole process.
    if (parts.some((p) => UNSAFE_KEYS.has(p))) continue;
    let node: Record<string, unknown> = out;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const last = i === parts.length - 1;
      if (part === "") continue;
      const nextIsArray = parts[i + 1] === "" && i + 1 === parts.length - 1;
      if (last) {
        node[part] = value;
      } else if (nextIsArray) {
        const arr = Array.isArray(node[part]) ? (node[part] as unknown[]) : [];
        arr.push(value);
        node[part] = arr;
        break;
      } else {
        if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
        node = node[part] as Record<string, unknown>;
      }
    }
  }
  return out;
}
