import { z } from "zod";
import { isId } from "../../lib/ids.ts";
import { focusParam } from "./v1/media.ts";

/**
 * `media_ids[]` of a post or edit. Forms send `media_ids[]=` for "none", so empty strings are
 * dropped; absent (or null) means "not said", which on an edit keeps the post's media.
 */
export const mediaIdsParam = z
  .union([z.array(z.string()), z.string()])
  .nullish()
  .transform((v) =>
    v == null ? undefined : (Array.isArray(v) ? v : [v]).filter((id) => id !== ""),
  )
  .refine((ids) => ids === undefined || ids.every(isId), "must be media ids");

/** `media_attributes[]` of an edit: alt text and focus of media the post keeps (Mastodon 4). */
export const mediaAttributesParam = z
  .array(
    z
      .object({
        id: z.string().refine(isId, "must be a media id"),
        description: z.string().max(10_000).nullish(),
        focus: focusParam.nullish(),
      })
      .strict(),
  )
  .max(4)
  .nullish()
  .transform((list) =>
    list?.map((a) => ({
      id: a.id,
      description: a.description ?? undefined,
      focus: a.focus ?? undefined,
    })),
  );
