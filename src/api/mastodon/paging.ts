import type { Context } from "hono";
import { z } from "zod";
import { isId } from "../../lib/ids.ts";
import { remembered } from "../../lib/memo.ts";
import type { Page } from "../../services/paging.ts";
import { readQuery } from "./body.ts";

const idParam = z.string().refine(isId, "must be a numeric id").optional();

const pageSchema = (max: number, fallback: number) =>
  z.object({
    max_id: idParam,
    since_id: idParam,
    min_id: idParam,
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .catch(fallback)
      .default(fallback)
      .transform((n) => Math.min(n, max)),
  });

/** Built once per (max, fallback): building a zod schema costs more than parsing with it. */
const pageSchemas = new Map<string, z.ZodType<z.infer<ReturnType<typeof pageSchema>>>>();

/** Reads max_id / since_id / min_id / limit as Mastodon does (limit clamped, not refused). */
export function readPage(c: Context, max = 40, fallback = 20): Page {
  const key = `${max}/${fallback}`;
  const schema = remembered(pageSchemas, key, () => pageSchema(max, fallback).passthrough());
  const q = readQuery(c, schema);
  return { maxId: q.max_id, sinceId: q.since_id, minId: q.min_id, limit: q.limit };
}

/**
 * Sets the `Link` header clients page with: `next` for older items (max_id = oldest id here),
 * `prev` for newer ones (min_id = newest id here). Ids are those the list is ordered by.
 */
export function setLinkHeader(c: Context, ids: string[], publicUrl: string): void {
  if (ids.length === 0) return;
  const url = new URL(c.req.url);
  const base = `${publicUrl}${url.pathname}`;
  const keep = [...url.searchParams.entries()].filter(
    ([k]) => !["max_id", "min_id", "since_id"].includes(k),
  );
  const link = (key: string, id: string) => {
    const params = new URLSearchParams(keep);
    params.set(key, id);
    return `${base}?${params}`;
  };
  c.header(
    "Link",
    `<${link("max_id", ids[ids.length - 1])}>; rel="next", <${link("min_id", ids[0])}>; rel="prev"`,
  );
}
