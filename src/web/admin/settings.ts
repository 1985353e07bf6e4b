/**
 * `/admin/settings`: the instance's name, descriptions, contact, rules, registration mode and
 * thumbnail. Everything is written to `instance_settings` / `instance_rules`, which
 * /api/v1/instance and /api/v2/instance read on every request, so a change shows at once.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { readUpload } from "../../api/mastodon/upload.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { registrationModes, setRegistrationMode } from "../../services/accounts/registrations.ts";
import { listRules, readInstanceSettings } from "../../services/instance.ts";
import {
  addRule,
  registrationModeOf,
  removeRule,
  removeThumbnail,
  saveInstanceTexts,
  setThumbnail,
  THUMBNAIL_MAX_BYTES,
  updateRule,
} from "../../services/instance-settings.ts";
import { csrfField, notice } from "../form-page.ts";
import { formAction, formActions, staffId } from "./form-action.ts";
import { adminPage } from "./layout.ts";

const csrf = { csrf_token: z.string().optional() };
const text = (max: number) => z.string().max(max).default("");
const textsForm = z.object({
  ...csrf,
  title: text(200),
  description: text(2_000),
  extended_description: text(20_000),
  contact_email: text(320),
  contact_account: text(100),
});
const registrationsForm = z.object({
  ...csrf,
  mode: z.enum(registrationModes),
  message: text(2_000),
});
const ruleForm = z.object({
  ...csrf,
  id: z.string().max(30).default(""),
  text: text(1_000),
  hint: text(1_000),
});

const MODE_LABELS: Record<(typeof registrationModes)[number], string> = {
  open: "Open: anyone can sign up",
  approval: "Approval: sign-ups wait for a moderator",
  closed: "Closed: nobody can sign up (invites still work)",
};

export function adminSettingsPages(deps: AppDeps): Hono {
  const { db, config } = deps;
  const router = new Hono();

  const render = async (c: Context, message?: { text: string; ok: boolean }, status = 200) => {
    const token = csrfField(c.get("webSession")?.csrfToken ?? "");
    const [s, rules] = await Promise.all([readInstanceSettings(db), listRules(db)]);
    const mode = registrationModeOf(s.registrations);
    const input = (name: string, label: string, value: string | undefined, type = "text") =>
      `<p><label>${label}<br><input type="${type}" name="${name}" value="${escapeHtml(value ?? "")}"></label></p>`;
    const area = (name: string, label: string, value: string | undefined, rows = 3) =>
      `<p><label>${label}<br><textarea name="${name}" rows="${rows}" cols="60">${escapeHtml(value ?? "")}</textarea></label></p>`;
    const ruleRows = rules
      .map(
        (r, i) => `<li><form method="post" action="/admin/settings/rules/update">${token}
<input type="hidden" name="id" value="${r.id}">
<label>Rule ${i + 1}<br><input name="text" value="${escapeHtml(r.text)}" size="60" required></label>
<label>Hint<br><input name="hint" value="${escapeHtml(r.hint)}" size="40"></label>
<button type="submit">Save</button></form>
<form method="post" action="/admin/settings/rules/remove">${token}<input type="hidden" name="id" value="${r.id}"><button type="submit" aria-label="Remove rule ${i + 1}">Remove</button></form></li>`,
      )
      .join("\n");
    const modes = registrationModes
      .map(
        (m) =>
          `<label><input type="radio" name="mode" value="${m}"${m === mode ? " checked" : ""}> ${escapeHtml(MODE_LABELS[m])}</label><br>`,
      )
      .join("\n");
    const thumbnail = s.thumbnailUrl
      ? `<p><img src="${escapeHtml(s.thumbnailUrl)}" alt="The server's thumbnail" width="300"></p>
<form method="post" action="/admin/settings/thumbnail/remove">${token}<button type="submit">Remove the thumbnail</button></form>`
      : "<p>No thumbnail yet: apps show the default picture.</p>";
    const body = `${message ? notice(message.text, message.ok ? "ok" : "error") : ""}
<section class="card"><h2>About this server</h2>
<form method="post" action="/admin/settings">${token}
${input("title", "Server name", s.title)}
${area("description", "Short description", s.description)}
${area("extended_description", "Extended description (about page)", s.extendedDescription, 8)}
${input("contact_email", "Contact e-mail", s.contactEmail, "email")}
${input("contact_account", "Contact account (a local username)", s.contactAccount)}
<p><button type="submit">Save</button></p></form></section>
<section class="card"><h2>Registrations</h2>
<form method="post" action="/admin/settings/registrations">${token}
<fieldset><legend>Who may sign up</legend>${modes}</fieldset>
${area("message", "Message shown when sign-ups are closed", s.registrations?.message ?? "")}
<p><button type="submit">Save registrations</button></p></form></section>
<section class="card"><h2>Rules</h2>
<ol id="rules">${ruleRows}</ol>
<form method="post" action="/admin/settings/rules/add">${token}
<p><label>New rule<br><input name="text" size="60" required></label>
<label>Hint<br><input name="hint" size="40"></label>
<button type="submit">Add rule</button></p></form></section>
<section class="card"><h2>Thumbnail</h2>${thumbnail}
<form method="post" action="/admin/settings/thumbnail" enctype="multipart/form-data">${token}
<p><label>Picture (JPEG, PNG, GIF or WebP; cropped to 1200×630)<br><input type="file" name="thumbnail" accept="image/*" required></label>
<button type="submit">Upload</button></p></form></section>`;
    return adminPage(c, deps, { title: "Settings", body }, status);
  };

  const action = formActions(deps, (c, message, status) => render(c, message, status));

  router.get("/admin/settings", (c) => render(c));
  router.post(
    "/admin/settings",
    action(textsForm, async (f, c) => {
      await saveInstanceTexts(
        db,
        {
          title: f.title,
          description: f.description,
          extendedDescription: f.extended_description,
          contactEmail: f.contact_email,
          contactAccount: f.contact_account,
        },
        staffId(c),
      );
      return "Saved.";
    }),
  );
  router.post(
    "/admin/settings/registrations",
    action(registrationsForm, async (f, c) => {
      await setRegistrationMode(db, f.mode, f.message, staffId(c));
      return `Registrations are now ${f.mode}.`;
    }),
  );
  router.post(
    "/admin/settings/rules/add",
    action(ruleForm, async (f, c) => {
      await addRule(db, staffId(c), f.text, f.hint);
      return "Rule added.";
    }),
  );
  router.post(
    "/admin/settings/rules/update",
    action(ruleForm, async (f, c) => {
      await updateRule(db, staffId(c), f.id, f.text, f.hint);
      return "Rule saved.";
    }),
  );
  router.post(
    "/admin/settings/rules/remove",
    action(ruleForm, async (f, c) => {
      await removeRule(db, staffId(c), f.id);
      return "Rule removed.";
    }),
  );
  router.post(
    "/admin/settings/thumbnail",
    formAction(
      deps,
      async (c) => {
        const upload = await readUpload(c, THUMBNAIL_MAX_BYTES);
        const file = upload.files.get("thumbnail");
        return { csrf_token: upload.fields.csrf_token, file };
      },
      async ({ file }, c) => {
        if (!file?.byteLength) throw new AppError(422, "Choose a picture to upload");
        await setThumbnail(db, config, staffId(c), file);
        return "Thumbnail uploaded.";
      },
      (c, message, status) => render(c, message, status),
    ),
  );
  router.post(
    "/admin/settings/thumbnail/remove",
    action(z.object(csrf), async (_, c) => {
      await removeThumbnail(db, config, staffId(c));
      return "Thumbnail removed.";
    }),
  );
  return router;
}
