/**
 * The composer's form: what it holds (parsed from a POST, a draft or the defaults) and its markup.
 * Field names are those of `POST /api/v1/statuses`, so a draft saved here opens in any client.
 */
import { z } from "zod";
import { visibilities } from "../../db/schema/statuses.ts";
import { escapeHtml } from "../../lib/html.ts";
import type { ContentType } from "../../services/statuses/local.ts";
import { csrfField } from "../form-page.ts";

const text = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => v ?? "");

export const composeFields = z.object({
  csrf_token: z.string().max(200).optional(),
  action: z.enum(["post", "schedule", "draft", "preview"]).optional(),
  status: text(10_000),
  content_type: z.enum(["text/plain", "text/markdown"]).optional(),
  title: text(1_000),
  spoiler_text: text(10_000),
  visibility: z.enum(visibilities).optional(),
  language: text(20),
  description: text(1_500),
  scheduled_at: text(40),
  draft_id: z
    .string()
    .regex(/^\d{1,19}$|^$/)
    .optional(),
  media_ids: z
    .union([z.array(z.string().regex(/^\d{1,19}$/)).max(4), z.string().regex(/^\d{1,19}$|^$/)])
    .optional()
    .transform((v) => (Array.isArray(v) ? v : v ? [v] : [])),
});
export type ComposeFields = z.infer<typeof composeFields>;

export interface ComposeState {
  status: string;
  contentType: ContentType;
  title: string;
  spoilerText: string;
  visibility: string;
  language: string;
  scheduledAt: string;
  draftId?: string;
  /** Uploads already made (kept across a preview or a reopened draft). */
  media: { id: string; description: string | null; previewUrl: string | null }[];
}

/** The draft's stored parameters: the API's names, as `POST /api/v1/drafts` keeps them. */
export function draftParams(s: ComposeState): Record<string, unknown> {
  return {
    status: s.status,
    content_type: s.contentType,
    ...(s.title ? { title: s.title } : {}),
    ...(s.spoilerText ? { spoiler_text: s.spoilerText } : {}),
    visibility: s.visibility,
    ...(s.language ? { language: s.language } : {}),
    media_ids: s.media.map((m) => m.id),
  };
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** A draft's parameters back into the form (whatever a client stored, read leniently). */
export function stateOfDraft(
  params: Record<string, unknown>,
  media: ComposeState["media"],
  draftId: string,
  fallbackType: ContentType,
): ComposeState {
  const type = str(params.content_type);
  return {
    status: str(params.status),
    contentType: type === "text/markdown" || type === "text/plain" ? type : fallbackType,
    title: str(params.title),
    spoilerText: str(params.spoiler_text),
    visibility: (visibilities as readonly string[]).includes(str(params.visibility))
      ? str(params.visibility)
      : "public",
    language: str(params.language),
    scheduledAt: "",
    draftId,
    media,
  };
}

const option = (value: string, label: string, current: string) =>
  `<option value="${escapeHtml(value)}"${value === current ? " selected" : ""}>${escapeHtml(label)}</option>`;

export function composeForm(s: ComposeState, csrfToken: string, previewHtml?: string): string {
  const media = s.media
    .map(
      (m) =>
        `<li>${m.previewUrl ? `<img src="${escapeHtml(m.previewUrl)}" alt="${escapeHtml(m.description ?? "")}" width="80">` : ""} ${escapeHtml(m.description || "(no alt text)")}<input type="hidden" name="media_ids" value="${escapeHtml(m.id)}"></li>`,
    )
    .join("");
  return `<form method="post" action="/studio" enctype="multipart/form-data" class="card" id="composer">
${csrfField(csrfToken)}${s.draftId ? `<input type="hidden" name="draft_id" value="${escapeHtml(s.draftId)}">` : ""}
<p><label>Title (optional; a long post with a title federates as an article)<br><input name="title" maxlength="200" value="${escapeHtml(s.title)}" style="width:100%"></label></p>
<p><label>Content warning (optional)<br><input name="spoiler_text" value="${escapeHtml(s.spoilerText)}" style="width:100%"></label></p>
<p><label>Text<br><textarea name="status" rows="8" style="width:100%">${escapeHtml(s.status)}</textarea></label></p>
<p><label>Written in <select name="content_type">${option("text/plain", "Plain text", s.contentType)}${option("text/markdown", "Markdown", s.contentType)}</select></label>
<label>Visibility <select name="visibility">${option("public", "Public", s.visibility)}${option("unlisted", "Unlisted", s.visibility)}${option("private", "Followers only", s.visibility)}${option("direct", "Mentioned people only", s.visibility)}</select></label>
<label>Language <input name="language" size="5" maxlength="20" placeholder="en" value="${escapeHtml(s.language)}"></label></p>
${media ? `<ul>${media}</ul>` : ""}
<p><label>Image, video or audio <input type="file" name="file" accept="image/*,video/*,audio/*"></label><br>
<label>Alt text<br><input name="description" maxlength="1500" style="width:100%"></label></p>
<p><label>Schedule at (UTC) <input type="datetime-local" name="scheduled_at" value="${escapeHtml(s.scheduledAt)}"></label></p>
<p><button type="submit" name="action" value="post">Post now</button>
<button type="submit" name="action" value="schedule">Schedule</button>
<button type="submit" name="action" value="draft">Save draft</button>
<button type="submit" name="action" value="preview" id="preview-button">Preview</button></p>
</form>
<section class="card" id="preview"${previewHtml === undefined ? " hidden" : ""}><h2>Preview</h2><div class="content" id="preview-body">${previewHtml ?? ""}</div></section>`;
}

/** Progressive enhancement: Preview fetches the rendering instead of reloading the page. */
export const PREVIEW_SCRIPT = `(() => {
  const form = document.getElementById("composer");
  const button = document.getElementById("preview-button");
  const box = document.getElementById("preview");
  const out = document.getElementById("preview-body");
  button.addEventListener("click", async (event) => {
    event.preventDefault();
    const body = new URLSearchParams();
    for (const name of ["csrf_token", "status", "content_type"]) body.set(name, form.elements[name].value);
    const res = await fetch("/studio/preview", { method: "POST", body, credentials: "same-origin" });
    out.innerHTML = res.ok ? await res.text() : "<p>The preview could not be made.</p>";
    box.hidden = false;
  });
})();`;
