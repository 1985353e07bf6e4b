import type { Context, Next } from "hono";
import { readAtMost } from "../lib/body.ts";

/** Bodies larger than this are left to the routers' own size checks (they answer 413). */
const MAX_CHECKED_BYTES = 1024 * 1024;

export function hasNul(text: string): boolean {
  return text.includes("\u0000") || /\\u0000|%00/i.test(text);
}

/**
 * PostgreSQL text cannot hold a NUL character, so a NUL anywhere in a client's input would fail
 * deep in a query. No legitimate Mastodon client sends one: such requests are refused up front,
 * in the query string or in a JSON or form body, with a 400 that says why. Only text is looked
 * at: the file parts of a multipart upload are binary and hold NUL bytes as a matter of course
 * (the upload readers check the text fields of larger multipart bodies themselves).
 */
export function nulGuard() {
  return async (c: Context, next: Next) => {
    const refuse = () => c.json({ error: "Request contains a NUL character" }, 400);
    if (hasNul(new URL(c.req.url).search)) return refuse();
    if (c.req.raw.body && Number(c.req.header("content-length") ?? "0") <= MAX_CHECKED_BYTES) {
      const bytes = await readAtMost(c.req.raw.clone().body, MAX_CHECKED_BYTES);
      if (bytes !== null && (await bodyHasNul(bytes, c.req.header("content-type") ?? "")))
        return refuse();
    }
    return next();
  };
}

/** A NUL in a body's text: the whole of a JSON or urlencoded body, a multipart body's text fields. */
async function bodyHasNul(bytes: Uint8Array<ArrayBuffer>, contentType: string): Promise<boolean> {
  if (!/^multipart\/form-data/i.test(contentType.trim()))
    return hasNul(Buffer.from(bytes).toString("utf8"));
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    return false; // Not a valid form: the router answers 400 for it.
  }
  for (const [name, value] of form.entries())
    if (hasNul(name) || (typeof value === "string" && hasNul(value))) return true;
  return false;
}
