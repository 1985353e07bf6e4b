/**
 * `/studio`: the composer. Posting now, scheduling and drafts go through the services the API
 * uses (createLocalStatus, scheduleStatus, drafts), as the account the session acts as. Preview
 * renders the text exactly as a post would be (mentions, hashtags, Markdown), without saving.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import { readUpload } from "../../api/mastodon/upload.ts";
import type { AppDeps } from "../../deps.ts";
import { resolveRemoteAccount } from "../../federation/resolve.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { localUserOf, setDefaultContentType } from "../../services/accounts/profile.ts";
import { createDraft, getDraft, publishDraft, updateDraft } from "../../services/drafts/drafts.ts";
import { createMedia, ownMedia, VIDEO_MAX_BYTES } from "../../services/media/media.ts";
import { scheduleStatus } from "../../services/scheduled/scheduled.ts";
import type { WebSession } from "../../services/sessions/web-sessions.ts";
import {
  type ContentType,
  createLocalStatus,
  type StatusInput,
} from "../../services/statuses/local.ts";
import { renderStatusText } from "../../services/statuses/mentions.ts";
import { notice } from "../form-page.ts";
import { csrfOk } from "../session.ts";
import { recordStudioAction } from "./audit.ts";
import {
  type ComposeFields,
  type ComposeState,
  composeFields,
  composeForm,
  draftParams,
  PREVIEW_SCRIPT,
  stateOfDraft,
} from "./compose-form.ts";
import { assertMayPost, fromUtcMinutes, studioPage } from "./layout.ts";

const EXPIRED = "This form expired or was sent from another site. Reload the page and try again.";
const previewFields = z.object({
  csrf_token: z.string().max(200).optional(),
  status: z.string().max(10_000).optional(),
  content_type: z.enum(["text/plain", "text/markdown"]).optional(),
});
const settingFields = z.object({
  csrf_token: z.string().max(200).optional(),
  default_content_type: z.enum(["text/plain", "text/markdown"]),
});

export function composePages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const router = new Hono();
  const resolveMention = (handle: string) => resolveRemoteAccount(deps.federation, deps, handle);

  const defaultType = async (c: Context): Promise<ContentType> =>
    (await localUserOf(db, c.get("webSession")!.acting.account.id))?.defaultContentType ??
    "text/plain";

  const render = async (
    c: Context,
    state: ComposeState,
    opts: { message?: string; ok?: boolean; preview?: string; status?: number } = {},
  ) => {
    const session = c.get("webSession")!;
    const fallback = await defaultType(c);
    const setting = `<form method="post" action="/studio/settings" class="card">${`<input type="hidden" name="csrf_token" value="${escapeHtml(session.csrfToken)}">`}
<label>Default for new posts of @${escapeHtml(session.acting.account.username)} <select name="default_content_type">${["text/plain", "text/markdown"].map((v) => `<option value="${v}"${v === fallback ? " selected" : ""}>${v === "text/plain" ? "Plain text" : "Markdown"}</option>`).join("")}</select></label>
<button type="submit">Save default</button></form>`;
    const body = `${notice(opts.message, opts.ok ? "ok" : "error")}${composeForm(state, session.csrfToken, opts.preview)}${setting}`;
    return studioPage(c, deps, { title: "Compose", body, script: PREVIEW_SCRIPT }, opts.status);
  };

  const preview = (text: string, type: ContentType) =>
    renderStatusText(db, config, text, undefined, type).then((r) => r.html);

  router.get("/studio", async (c) => {
    assertMayPost(c);
    const accountId = c.get("webSession")!.acting.account.id;
    const fallback = await defaultType(c);
    const draftId = c.req.query("draft");
    if (draftId && /^\d{1,19}$/.test(draftId)) {
      const draft = await getDraft(db, accountId, draftId);
      const media = draft.media.map((m) => ({
        id: m.id,
        description: m.description,
        previewUrl: m.previewUrl ?? m.url,
      }));
      return render(c, stateOfDraft(draft.params, media, draft.id, fallback));
    }
    if (draftId) throw new AppError(404, "Record not found");
    return render(c, emptyState(fallback));
  });

  router.post("/studio/preview", async (c) => {
    const input = await readBody(c, previewFields);
    if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, EXPIRED);
    assertMayPost(c);
    const html = await preview(input.status ?? "", input.content_type ?? (await defaultType(c)));
    return c.body(html, 200, {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
  });

  router.post("/studio/settings", async (c) => {
    const input = await readBody(c, settingFields);
    if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, EXPIRED);
    assertMayPost(c);
    await setDefaultContentType(
      db,
      c.get("webSession")!.acting.account.id,
      input.default_content_type,
    );
    return c.redirect("/studio", 303);
  });

  router.post("/studio", async (c) => {
    const upload = await readUpload(c, VIDEO_MAX_BYTES);
    const parsed = composeFields.safeParse(upload.fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(422, `${issue.path.join(".") || "form"}: ${issue.message}`);
    }
    const fields = parsed.data;
    if (!csrfOk(c, deps, fields.csrf_token)) throw new AppError(403, EXPIRED);
    assertMayPost(c);
    const session = c.get("webSession")!;
    const acting = session.acting.account;
    const state = await stateOf(c, fields);
    try {
      const file = upload.files.get("file");
      if (file?.byteLength) {
        const { media } = await createMedia(db, config, acting.id, file, {
          description: fields.description || undefined,
        });
        state.media.push({
          id: media.id,
          description: media.description,
          previewUrl: media.previewUrl ?? media.url,
        });
      }
      const action = fields.action ?? "post";
      if (action === "preview")
        return render(c, state, { preview: await preview(state.status, state.contentType) });
      if (action === "draft") {
        const params = draftParams(state);
        const draft = state.draftId
          ? await updateDraft(db, acting.id, state.draftId, params)
          : await createDraft(db, acting.id, params);
        await recordStudioAction(db, session, state.draftId ? "draft.update" : "draft.create", {
          draftId: draft.id,
        });
        return render(c, { ...state, draftId: draft.id }, { message: "Draft saved.", ok: true });
      }
      const input: StatusInput = { ...statusInput(state), resolveMention };
      let at: Date | undefined;
      if (action === "schedule") {
        at = fromUtcMinutes(state.scheduledAt);
        if (!at)
          throw new AppError(422, "Validation failed: choose a time to schedule the post at");
      }
      if (state.draftId) {
        const draft = await getDraft(db, acting.id, state.draftId);
        const done = await publishDraft(db, config, acting, draft, input, at ? { at } : undefined);
        return done.kind === "status"
          ? posted(c, session, done.bundle.status)
          : scheduled(c, session, done.scheduled.id, done.scheduled.scheduledAt);
      }
      if (at) {
        const made = await scheduleStatus(db, config, acting, input, at);
        return scheduled(c, session, made.id, made.scheduledAt);
      }
      const bundle = await createLocalStatus(db, config, acting, input);
      return posted(c, session, bundle.status);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 422) throw err;
      return render(c, state, { message: err.message, status: 422 });
    }
  });

  const posted = async (
    c: Context,
    session: WebSession,
    status: { id: string; url: string | null; uri: string },
  ) => {
    await recordStudioAction(db, session, "status.create", { statusId: status.id });
    const fallback = await defaultType(c);
    const link = status.url ?? status.uri;
    return render(c, emptyState(fallback), { message: `Posted: ${link}`, ok: true });
  };
  const scheduled = async (c: Context, session: WebSession, id: string, at: Date) => {
    await recordStudioAction(db, session, "status.schedule", { scheduledStatusId: id });
    return render(c, emptyState(await defaultType(c)), {
      message: `Scheduled for ${at.toISOString().slice(0, 16).replace("T", " ")} UTC.`,
      ok: true,
    });
  };

  /** The form as posted; uploads it names are checked to be the acting account's. */
  const stateOf = async (c: Context, f: ComposeFields): Promise<ComposeState> => {
    const accountId = c.get("webSession")!.acting.account.id;
    const media = [];
    for (const id of f.media_ids) {
      const m = await ownMedia(db, accountId, id);
      media.push({ id: m.id, description: m.description, previewUrl: m.previewUrl ?? m.url });
    }
    return {
      status: f.status,
      contentType: f.content_type ?? (await defaultType(c)),
      title: f.title,
      spoilerText: f.spoiler_text,
      visibility: f.visibility ?? "public",
      language: f.language,
      scheduledAt: f.scheduled_at,
      draftId: f.draft_id || undefined,
      media,
    };
  };

  return router;
}

const emptyState = (contentType: ContentType): ComposeState => ({
  status: "",
  contentType,
  title: "",
  spoilerText: "",
  visibility: "public",
  language: "",
  scheduledAt: "",
  media: [],
});

function statusInput(s: ComposeState): StatusInput {
  if (s.language && !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$/.test(s.language))
    throw new AppError(422, "Validation failed: language must be an ISO 639 language code");
  return {
    status: s.status,
    contentType: s.contentType,
    title: s.title || undefined,
    spoilerText: s.spoilerText || undefined,
    visibility: s.visibility as StatusInput["visibility"],
    language: s.language || undefined,
    mediaIds: s.media.map((m) => m.id),
  };
}
