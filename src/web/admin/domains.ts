/**
 * `/admin/domains`: the server's domain blocks and allows, with forms to add and remove them.
 * The same services as the admin API and `tern domain` (a suspension queues the purge).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { domainBlockSeverities } from "../../db/schema/index.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import {
  createDomainAllow,
  createDomainBlock,
  deleteDomainAllow,
  deleteDomainBlock,
  listDomainAllowsPage,
  listDomainBlocksPage,
} from "../../services/safety/admin-domains.ts";
import { csrfField, notice } from "../form-page.ts";
import { formActions, staffId } from "./form-action.ts";
import { adminPage } from "./layout.ts";

/** The page lists this many of each (newest first); the API pages through the rest. */
const SHOWN = 200;

const checkbox = z
  .string()
  .optional()
  .transform((v) => v === "on" || v === "true" || v === "1");
const blockForm = z.object({
  csrf_token: z.string().optional(),
  domain: z.string().max(253).default(""),
  severity: z.enum(domainBlockSeverities).default("silence"),
  reject_media: checkbox,
  reject_reports: checkbox,
  public_comment: z.string().max(1000).default(""),
  private_comment: z.string().max(1000).default(""),
  obfuscate: checkbox,
});
const idForm = z.object({ csrf_token: z.string().optional(), id: z.string().max(30) });
const allowForm = z.object({ csrf_token: z.string().optional(), domain: z.string().max(253) });

export function adminDomainPages(deps: AppDeps): Hono {
  const { db } = deps;
  const router = new Hono();

  const render = async (c: Context, message?: { text: string; ok: boolean }, status = 200) => {
    const csrf = csrfField(c.get("webSession")?.csrfToken ?? "");
    const page = { limit: SHOWN };
    const [blocks, allows] = await Promise.all([
      listDomainBlocksPage(db, page),
      listDomainAllowsPage(db, page),
    ]);
    const yes = (b: boolean) => (b ? "yes" : "");
    const blockRows = blocks
      .map(
        (b) => `<tr><td>${escapeHtml(b.domain)}</td><td>${b.severity}</td>
<td>${yes(b.rejectMedia)}</td><td>${yes(b.rejectReports)}</td><td>${yes(b.obfuscate)}</td>
<td>${escapeHtml(b.publicComment ?? "")}</td><td>${escapeHtml(b.privateComment ?? "")}</td>
<td><form method="post" action="/admin/domains/unblock">${csrf}<input type="hidden" name="id" value="${b.id}"><button type="submit" aria-label="Remove the block of ${escapeHtml(b.domain)}">Remove</button></form></td></tr>`,
      )
      .join("\n");
    const allowRows = allows
      .map(
        (a) => `<tr><td>${escapeHtml(a.domain)}</td>
<td><form method="post" action="/admin/domains/disallow">${csrf}<input type="hidden" name="id" value="${a.id}"><button type="submit" aria-label="Remove ${escapeHtml(a.domain)} from the allow-list">Remove</button></form></td></tr>`,
      )
      .join("\n");
    const mode =
      deps.config.federationMode === "allowlist"
        ? "This server federates only with allowed domains (FEDERATION_MODE=allowlist)."
        : "This server federates with every domain that is not suspended (FEDERATION_MODE=blocklist); the allow-list applies only in allowlist mode.";
    const body = `${message ? notice(message.text, message.ok ? "ok" : "error") : ""}
<section class="card"><h2>Domain blocks</h2>
<p>A block covers the domain's subdomains. <b>silence</b> keeps its posts off the public timelines; <b>suspend</b> refuses everything from it, stops deliveries to it and deletes its accounts; <b>noop</b> only records it.</p>
<table id="domain-blocks"><thead><tr><th>Domain</th><th>Severity</th><th>Reject media</th><th>Reject reports</th><th>Obfuscated</th><th>Public comment</th><th>Private comment</th><th></th></tr></thead>
<tbody>${blockRows || '<tr><td colspan="8">No domain is blocked.</td></tr>'}</tbody></table>
<h3>Block a domain</h3>
<form method="post" action="/admin/domains/block">${csrf}
<p><label>Domain<br><input name="domain" required placeholder="spam.example"></label></p>
<p><label>Severity<br><select name="severity"><option value="silence">silence</option><option value="suspend">suspend</option><option value="noop">noop</option></select></label></p>
<p><label><input type="checkbox" name="reject_media"> Reject media files</label>
<label><input type="checkbox" name="reject_reports"> Reject reports</label>
<label><input type="checkbox" name="obfuscate"> Obfuscate the domain in the public list</label></p>
<p><label>Public comment<br><input name="public_comment" maxlength="1000"></label></p>
<p><label>Private comment<br><input name="private_comment" maxlength="1000"></label></p>
<p><button type="submit">Block</button></p></form></section>
<section class="card"><h2>Allowed domains</h2><p>${mode}</p>
<table id="domain-allows"><thead><tr><th>Domain</th><th></th></tr></thead>
<tbody>${allowRows || '<tr><td colspan="2">No domain is on the allow-list.</td></tr>'}</tbody></table>
<form method="post" action="/admin/domains/allow">${csrf}
<p><label>Domain<br><input name="domain" required placeholder="friends.example"></label>
<button type="submit">Allow</button></p></form></section>`;
    return adminPage(c, deps, { title: "Domains", body }, status);
  };

  const action = formActions(deps, (c, message, status) => render(c, message, status));

  router.get("/admin/domains", (c) => render(c));
  router.post(
    "/admin/domains/block",
    action(blockForm, async (f, c) => {
      const result = await createDomainBlock(
        db,
        {
          domain: f.domain,
          severity: f.severity,
          rejectMedia: f.reject_media,
          rejectReports: f.reject_reports,
          publicComment: f.public_comment.trim() || null,
          privateComment: f.private_comment.trim() || null,
          obfuscate: f.obfuscate,
        },
        staffId(c),
      );
      if ("existing" in result)
        throw new AppError(
          422,
          `${result.existing.domain} is already blocked (${result.existing.severity}); remove that block first or make this one stricter`,
        );
      const purge = result.created.severity === "suspend" ? "; its accounts are being purged" : "";
      return `Blocked ${result.created.domain} (${result.created.severity})${purge}.`;
    }),
  );
  router.post(
    "/admin/domains/unblock",
    action(idForm, async (f, c) =>
      (await deleteDomainBlock(db, f.id, staffId(c)))
        ? "Block removed."
        : "That block was already gone.",
    ),
  );
  router.post(
    "/admin/domains/allow",
    action(
      allowForm,
      async (f, c) => `Allowed ${(await createDomainAllow(db, f.domain, staffId(c))).domain}.`,
    ),
  );
  router.post(
    "/admin/domains/disallow",
    action(idForm, async (f, c) =>
      (await deleteDomainAllow(db, f.id, staffId(c)))
        ? "Removed from the allow-list."
        : "It was already gone.",
    ),
  );
  return router;
}
