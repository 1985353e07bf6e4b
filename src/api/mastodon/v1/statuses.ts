import { Hono } from "hono";
import { z } from "zod";
import { quotePolicies, visibilities } from "../../../db/schema/statuses.ts";
import type { AppDeps } from "../../../deps.ts";
import { resolveRemoteAccount } from "../../../federation/resolve.ts";
import { AppError, notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { scheduleStatus } from "../../../services/scheduled/scheduled.ts";
import { getStatusContext } from "../../../services/statuses/context.ts";
import {
  type ContentType,
  contentTypes,
  createLocalStatus,
  deleteLocalStatus,
  editLocalStatus,
  getVisibleStatus,
  ownStatus,
  type StatusInput,
} from "../../../services/statuses/local.ts";
import { readBody } from "../body.ts";
import { serializeScheduledStatus } from "../entities/scheduled-status.ts";
import { serializeBundles } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { ViewerFilters } from "../filtering.ts";
import { mediaAttributesParam, mediaIdsParam } from "../media-params.ts";
import { currentAccount, requireScope, scopeIfToken } from "../middleware/auth.ts";

// Forms send booleans as strings; JSON clients send real ones.
const boolish = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0", ""]).transform((v) => v === "true" || v === "1"),
]);
const optionalText = z
  .string()
  .max(10_000)
  .nullish()
  .transform((v) => v ?? undefined);

/** `scheduled_at`: an ISO 8601 time to publish at; absent, null or "" posts now. */
const scheduledAtParam = z
  .union([z.string().max(64), z.null()], { error: "must be an ISO 8601 date-time" })
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const at = Date.parse(v);
    if (Number.isNaN(at)) {
      ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date-time" });
      return z.NEVER;
    }
    return new Date(at);
  });

/**
 * `poll[options][]`, `poll[expires_in]`, `poll[multiple]`, `poll[hide_totals]` (JSON or form);
 * absent, null or "" is no poll. Unknown poll keys are a 422 naming them; the rules (2 to 4
 * options of at most 50 characters, 5 minutes to a month) are the service's.
 */
const pollParam = z
  .preprocess(
    (v) => (v === "" ? null : v),
    z
      .object({
        options: z
          .union([z.array(z.string().max(1_000)).max(100), z.string().max(1_000)], {
            error: "must be a list of options",
          })
          .transform((v) => (Array.isArray(v) ? v : [v])),
        expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)], {
          error: "must be a number of seconds",
        }),
        multiple: boolish.nullish(),
        hide_totals: boolish.nullish(),
      })
      .strict()
      .nullish(),
  )
  .transform((v) =>
    v
      ? {
          options: v.options,
          expiresIn: v.expires_in,
          multiple: v.multiple ?? false,
          hideTotals: v.hide_totals ?? false,
        }
      : undefined,
  );

/** The body of `POST /api/v1/statuses` (drafts are published through it too). */
export const statusBody = z.object({
  // Optional when media is attached (a photo without words); blank otherwise is a 422.
  status: z
    .string({ error: "status is required" })
    .max(10_000)
    .nullish()
    .transform((v) => v ?? ""),
  visibility: z
    .enum(visibilities)
    .nullish()
    .transform((v) => v ?? undefined),
  spoiler_text: optionalText,
  sensitive: boolish.nullish().transform((v) => v ?? undefined),
  in_reply_to_id: z
    .string()
    .nullish()
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || isId(v), "must be a status id"),
  // "" means "not said" (Mastodon then guesses), as null does.
  language: z
    .union([
      z.literal(""),
      z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$/, "must be an ISO 639 language code"),
    ])
    .nullish()
    .transform((v) => v || undefined),
  quoted_status_id: z
    .string()
    .nullish()
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || isId(v), "must be a status id"),
  quote_approval_policy: z
    .enum(quotePolicies, { error: "must be public, followers or nobody" })
    .nullish()
    .transform((v) => v ?? undefined),
  media_ids: mediaIdsParam,
  media_attributes: mediaAttributesParam,
  poll: pollParam,
  scheduled_at: scheduledAtParam,
  // Tern: `text/plain` (Mastodon's) or `text/markdown`; "" or null is the default.
  content_type: z
    .string()
    .max(100)
    .nullish()
    .transform((raw, ctx) => {
      const v = raw?.trim().toLowerCase() || undefined;
      if (v === undefined || (contentTypes as readonly string[]).includes(v))
        return v as ContentType | undefined;
      ctx.addIssue({
        code: "custom",
        message: `${v} is not supported (text/plain or text/markdown)`,
      });
      return z.NEVER;
    }),
  // Tern: a long post's title; such a post federates as an Article.
  title: z
    .string()
    .max(1_000)
    .nullish()
    .transform((v) => v ?? undefined),
});
export type StatusBody = z.infer<typeof statusBody>;

/** What a POST body asks the posting service for (posting now, scheduling, drafts). */
export function statusInputOf(body: StatusBody): StatusInput {
  // Alt text and focus of a new post's media are set on the uploads (PUT /api/v1/media/:id).
  if (body.media_attributes?.length)
    throw new AppError(422, "media_attributes is for editing a status (PUT)");
  return {
    status: body.status,
    visibility: body.visibility,
    spoilerText: body.spoiler_text,
    sensitive: body.sensitive,
    inReplyToId: body.in_reply_to_id,
    language: body.language,
    quotedStatusId: body.quoted_status_id,
    quotePolicy: body.quote_approval_policy,
    mediaIds: body.media_ids,
    poll: body.poll,
    contentType: body.content_type,
    title: body.title,
  };
}

/** /api/v1/statuses: post, read, edit and delete statuses. */
export function statusesRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  // Mentions of remote people not known here yet are looked up by WebFinger, as Mastodon does.
  const resolveMention = (handle: string) => resolveRemoteAccount(deps.federation, deps, handle);
  const one = async (bundle: Parameters<typeof serializeBundles>[1][number], viewerId?: string) =>
    (await serializeBundles(db, [bundle], config.publicUrl, viewerId))[0];
  const idParam = (id: string) => {
    if (!isId(id)) throw notFound();
    return id;
  };

  app.post("/", requireScope("write:statuses"), async (c) => {
    const body = await readBody(c, statusBody);
    const input = { ...statusInputOf(body), resolveMention };
    const idempotencyKey = c.req.header("idempotency-key")?.slice(0, 200);
    // A team member's token: the team audit log records the member (inside the service's write).
    const grantedByAccountId = c.var.auth?.grantedByAccountId;
    // With scheduled_at: a ScheduledStatus, published later by the worker.
    if (body.scheduled_at) {
      const scheduled = await scheduleStatus(
        db,
        config,
        currentAccount(c),
        input,
        body.scheduled_at,
        {
          applicationId: c.var.auth?.appId,
          idempotencyKey,
          grantedByAccountId,
        },
      );
      return c.json(serializeScheduledStatus(scheduled));
    }
    const bundle = await createLocalStatus(db, config, currentAccount(c), {
      ...input,
      idempotencyKey,
      grantedByAccountId,
    });
    // As the author sees it (their quote_approval reads "automatic").
    return c.json(await one(bundle, currentAccount(c).id));
  });

  app.get("/:id", scopeIfToken("read:statuses"), async (c) => {
    const viewer = c.var.auth?.account?.id ?? null;
    const bundle = await getVisibleStatus(db, idParam(c.req.param("id")), viewer);
    return c.json(await one(bundle, viewer ?? undefined));
  });

  // The thread around a status; a token without a user (client credentials) reads as anonymous.
  app.get("/:id/context", scopeIfToken("read:statuses"), async (c) => {
    const viewer = c.var.auth?.account?.id ?? null;
    const { ancestors, descendants } = await getStatusContext(
      db,
      idParam(c.req.param("id")),
      viewer,
    );
    const all = await serializeBundles(
      db,
      [...ancestors, ...descendants],
      config.publicUrl,
      viewer,
    );
    // The viewer's thread filters: hidden posts leave the thread, the others are marked.
    const filters = await ViewerFilters.load(db, viewer, "thread");
    return c.json({
      ancestors: filters.apply(all.slice(0, ancestors.length)),
      descendants: filters.apply(all.slice(ancestors.length)),
    });
  });

  // The source is for editing: only the author may read it (Mastodon: 404 for anyone else).
  app.get("/:id/source", requireScope("read:statuses"), async (c) => {
    const status = await ownStatus(db, currentAccount(c), idParam(c.req.param("id")));
    return c.json({
      id: status.id,
      text: status.source ?? "",
      spoiler_text: status.spoilerText,
      // glitch-soc's field; Tern's title of a long post (null for a short one).
      content_type: status.contentType ?? "text/plain",
      title: status.title,
    });
  });

  app.put("/:id", requireScope("write:statuses"), async (c) => {
    const body = await readBody(
      c,
      statusBody.omit({
        visibility: true,
        in_reply_to_id: true,
        quoted_status_id: true,
        // An edit publishes now; the time of a scheduled post is changed on scheduled_statuses.
        scheduled_at: true,
      }),
    );
    const me = currentAccount(c);
    const bundle = await editLocalStatus(db, config, me, idParam(c.req.param("id")), {
      status: body.status,
      spoilerText: body.spoiler_text,
      sensitive: body.sensitive,
      language: body.language,
      quotePolicy: body.quote_approval_policy,
      mediaIds: body.media_ids,
      mediaAttributes: body.media_attributes,
      poll: body.poll,
      contentType: body.content_type,
      title: body.title,
      resolveMention,
      grantedByAccountId: c.var.auth?.grantedByAccountId,
    });
    return c.json(await one(bundle, me.id));
  });

  app.delete("/:id", requireScope("write:statuses"), async (c) => {
    const bundle = await deleteLocalStatus(db, currentAccount(c), idParam(c.req.param("id")), {
      grantedByAccountId: c.var.auth?.grantedByAccountId,
    });
    return c.json({ ...(await one(bundle)), text: bundle.status.source });
  });

  return app;
}
