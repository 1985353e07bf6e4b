import { Hono } from "hono";
import { z } from "zod";
import { quotePolicies, visibilities } from "../../../db/schema/statuses.ts";
import type { AppDeps } from "../../../deps.ts";
import { resolveRemoteAccount } from "../../../federation/resolve.ts";
import { isId } from "../../../lib/ids.ts";
import {
  createDraft,
  deleteDraft,
  getDraft,
  listDrafts,
  publishDraft,
  updateDraft,
} from "../../../services/drafts/drafts.ts";
import { parseBody, readBody } from "../body.ts";
import { serializeDraft } from "../entities/draft.ts";
import { serializeScheduledStatus } from "../entities/scheduled-status.ts";
import { serializeBundles } from "../entities/status.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";
import { idParam } from "./lists.ts";
import { statusBody, statusInputOf } from "./statuses.ts";

const text = (max: number) => z.string().max(max).nullish();
const flag = z.union([z.boolean(), z.string().max(5)]).nullish();
const idString = z
  .union([z.string(), z.number().int()])
  .transform(String)
  .refine(isId, "must be an id");

/**
 * A draft's parameters: those of `POST /api/v1/statuses`, checked loosely (types and sizes) since
 * a draft may be unfinished; the full checks run when it is published. Parameters this list does
 * not name (ones the posting API gains later) are kept if they are plain values.
 */
const draftParams = z
  .object({
    status: text(20_000),
    spoiler_text: text(10_000),
    visibility: z.enum(visibilities).nullish(),
    sensitive: flag,
    language: text(16),
    in_reply_to_id: idString.nullish(),
    quoted_status_id: idString.nullish(),
    quote_approval_policy: z.enum(quotePolicies).nullish(),
    media_ids: z.array(idString).max(4, "at most 4 media").nullish(),
    poll: z
      .object({
        options: z.array(z.string().max(1_000)).max(10).optional(),
        expires_in: z.union([z.number(), z.string().max(12)]).optional(),
        multiple: flag,
        hide_totals: flag,
      })
      .strict()
      .nullish(),
    scheduled_at: text(64),
  })
  .catchall(
    z.union([
      z.string().max(20_000),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(z.string().max(1_000)).max(100),
    ]),
  );

/** `POST /:id/publish`: `scheduled_at` to schedule it; absent, the draft's own; null, now. */
const publishBody = z.object({ scheduled_at: z.union([z.string().max(64), z.null()]).optional() });

/** /api/v1/tern/drafts: server-side drafts (Tern's own API, see the README). */
export function draftsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const resolveMention = (handle: string) => resolveRemoteAccount(deps.federation, deps, handle);

  app.get("/", requireScope("read:statuses"), async (c) => {
    const rows = await listDrafts(db, currentAccount(c).id, readPage(c));
    setLinkHeader(
      c,
      rows.map((r) => r.id),
      config.publicUrl,
    );
    return c.json(rows.map(serializeDraft));
  });

  app.get("/:id", requireScope("read:statuses"), async (c) => {
    return c.json(
      serializeDraft(await getDraft(db, currentAccount(c).id, idParam(c.req.param("id")))),
    );
  });

  app.post("/", requireScope("write:statuses"), async (c) => {
    const params = await readBody(c, draftParams);
    return c.json(serializeDraft(await createDraft(db, currentAccount(c).id, params)));
  });

  app.put("/:id", requireScope("write:statuses"), async (c) => {
    const id = idParam(c.req.param("id"));
    const params = await readBody(c, draftParams);
    return c.json(serializeDraft(await updateDraft(db, currentAccount(c).id, id, params)));
  });

  app.delete("/:id", requireScope("write:statuses"), async (c) => {
    await deleteDraft(db, currentAccount(c).id, idParam(c.req.param("id")));
    return c.json({});
  });

  // Posts it (a Status) or schedules it (a ScheduledStatus), with every check of posting.
  app.post("/:id/publish", requireScope("write:statuses"), async (c) => {
    const me = currentAccount(c);
    const draft = await getDraft(db, me.id, idParam(c.req.param("id")));
    const asked = await readBody(c, publishBody);
    const params =
      asked.scheduled_at === undefined
        ? draft.params
        : { ...draft.params, scheduled_at: asked.scheduled_at };
    const body = parseBody(statusBody, params);
    const input = { ...statusInputOf(body), resolveMention };
    const schedule = body.scheduled_at
      ? { at: body.scheduled_at, applicationId: c.var.auth?.appId }
      : undefined;
    const published = await publishDraft(db, config, me, draft, input, schedule);
    if (published.kind === "scheduled")
      return c.json(serializeScheduledStatus(published.scheduled));
    return c.json((await serializeBundles(db, [published.bundle], config.publicUrl, me.id))[0]);
  });

  return app;
}
