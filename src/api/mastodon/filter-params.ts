import { z } from "zod";
import { filterActions, filterContexts } from "../../db/schema/index.ts";
import type { KeywordChange } from "../../services/filters/filters.ts";

/** Parameters the v1 and v2 filter endpoints share, read as Mastodon reads them. */

export const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0", "on", "off", ""])])
  .transform((v) => v === true || v === "true" || v === "1" || v === "on");

// `context[]=home&context[]=public`, or one `context=home`; an unknown context is a 422 naming it.
export const contexts = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .pipe(
    z.array(
      z.enum(filterContexts, {
        error: (issue) =>
          `unknown context ${JSON.stringify(issue.input)} (one of ${filterContexts.join(", ")})`,
      }),
    ),
  );

// Seconds; an empty value (or null) means "never expires", as Mastodon's forms send it.
export const expiresIn = z
  .union([
    z.literal(""),
    z.null(),
    z.coerce
      .number()
      .int()
      .min(1)
      .max(10 * 365 * 86_400),
  ])
  .transform((v) => (v === "" || v === null ? null : v));

export const action = z.enum(filterActions);

const keywordAttribute = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String).optional(),
    keyword: z.string().optional(),
    whole_word: flag.optional(),
    _destroy: flag.optional(),
  })
  .strict();

/**
 * `keywords_attributes[]`: a JSON array, or from a form `keywords_attributes[0][keyword]=…`
 * (an object keyed by position).
 */
export const keywordsAttributes = z
  .union([z.array(keywordAttribute), z.record(z.string(), keywordAttribute)])
  .transform((v): KeywordChange[] =>
    (Array.isArray(v) ? v : Object.values(v)).map((k) => ({
      id: k.id,
      keyword: k.keyword,
      wholeWord: k.whole_word,
      destroy: k._destroy,
    })),
  );
