/**
 * `/studio/accounts/:id`: an account's team and its log, for anyone holding a role on it.
 * Owners (and the account itself) add members by username, change roles, remove members and
 * transfer ownership; every other member sees the list read-only and may leave. The rules (at
 * least one owner, tokens and acting revoked on removal, the audit row) are the teams service's;
 * a member without the role gets its 403 on every one of these POSTs.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { readBody } from "../../api/mastodon/body.ts";
import { teamRoles } from "../../db/schema/index.ts";
import type { AppDeps } from "../../deps.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import { type Account, getAccount } from "../../services/accounts/accounts.ts";
import { type AccessRole, mayManage, roleOn } from "../../services/teams/access.ts";
import {
  addMember,
  changeRole,
  leaveAccount,
  listMembers,
  parseRole,
  removeMember,
  transferOwnership,
} from "../../services/teams/members.ts";
import { csrfField, notice } from "../form-page.ts";
import { csrfOk } from "../session.ts";
import { ROLE_TEXT } from "./accounts.ts";
import { postButton, studioPage } from "./layout.ts";
import { teamLog } from "./team-log.ts";

const memberForm = z.object({
  csrf_token: z.string().max(200).optional(),
  username: z.string().max(100).optional(),
  role: z.string().max(20).optional(),
});

const roleSelect = (selected = "editor") =>
  `<select name="role" aria-label="Role">${teamRoles.map((r) => `<option value="${r}"${r === selected ? " selected" : ""}>${r}</option>`).join("")}</select>`;

export function teamPages(deps: AppDeps): Hono {
  const { db } = deps;
  const router = new Hono();

  /** The account of the path and the login's role on it: 404 unknown, 403 no role at all. */
  const load = async (c: Context): Promise<{ account: Account; role: AccessRole }> => {
    const id = c.req.param("id") ?? "";
    const account = isId(id) ? await getAccount(db, id).catch(() => undefined) : undefined;
    if (!account || account.domain !== null || account.suspendedAt)
      throw notFound("There is no such account here");
    const role = await roleOn(db, c.get("webSession")!.account.id, account.id);
    if (!role) throw new AppError(403, "You hold no role on this account");
    return { account, role };
  };

  const show = async (c: Context, message?: string, ok = false, status = 200) => {
    const session = c.get("webSession")!;
    const { account, role } = await load(c);
    const manage = mayManage(role);
    const base = `/studio/accounts/${account.id}`;
    const members = await listMembers(db, account.id);
    const csrf = csrfField(session.csrfToken);
    const rows = members
      .map((m) => {
        const name = escapeHtml(m.account.username);
        const who = `<input type="hidden" name="username" value="${name}">`;
        const actions = manage
          ? `<form method="post" action="${base}/role" style="display:inline">${csrf}${who}${roleSelect(m.role)} <button type="submit" aria-label="Change role of @${name}">Change role</button></form>
<form method="post" action="${base}/remove" style="display:inline">${csrf}${who}<button type="submit" aria-label="Remove @${name}">Remove</button></form>`
          : "";
        return `<tr data-member="${name}"><td>@${name}${m.account.id === session.account.id ? " (you)" : ""}</td><td>${escapeHtml(m.role)}</td><td>${actions}</td></tr>`;
      })
      .join("\n");
    const list = members.length
      ? `<table><thead><tr><th>Member</th><th>Role</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
      : "<p>No members: only the account itself acts as it.</p>";
    const roles = `<ul>${teamRoles.map((r) => `<li><strong>${r}</strong>: ${escapeHtml(ROLE_TEXT[r] ?? "")}</li>`).join("")}</ul>`;
    const manageForms = manage
      ? `<form class="card" method="post" action="${base}/members"><h2>Add a member</h2>${csrf}
<label>Username (someone with an account on this server) <input name="username" required maxlength="30"></label>
<label>Role ${roleSelect()}</label> <button type="submit">Add member</button>${roles}</form>
${role === "self" ? "" : `<form class="card" method="post" action="${base}/transfer"><h2>Transfer ownership</h2>${csrf}<p>They become an owner; you stay on the team as an editor.</p><label>New owner's username <input name="username" required maxlength="30"></label> <button type="submit">Transfer ownership</button></form>`}`
      : `<p>Your role (${escapeHtml(role)}) lets you see the team; only owners change it.</p>${roles}`;
    const leave =
      role === "self"
        ? ""
        : `<div class="card">${postButton(`${base}/leave`, "Leave this team", session.csrfToken)}</div>`;
    const body = `${notice(message, ok ? "ok" : "error")}<div class="card"><p>Your role: <strong>${escapeHtml(role)}</strong> (${escapeHtml(ROLE_TEXT[role] ?? "")}). <a href="/studio/accounts">All accounts</a></p>${list}</div>
${manageForms}${leave}
${await teamLog(db, account.id, base, c.req.query("max_id"))}`;
    return studioPage(c, deps, { title: `Team of @${account.username}`, body }, status);
  };

  router.get("/studio/accounts/:id", (c) => show(c));

  /** A team change from a form: CSRF first, then the service; its 404/422 shown on the page. */
  const change = (run: (c: Context, input: z.infer<typeof memberForm>) => Promise<string>) => {
    return async (c: Context) => {
      const input = await readBody(c, memberForm);
      if (!csrfOk(c, deps, input.csrf_token)) throw new AppError(403, "Invalid CSRF token");
      await load(c);
      let to: string;
      try {
        to = await run(c, input);
      } catch (err) {
        if (!(err instanceof AppError) || (err.status !== 404 && err.status !== 422)) throw err;
        return show(c, err.message, false, err.status);
      }
      return c.redirect(to, 303);
    };
  };
  const actor = (c: Context) => c.get("webSession")!.account;
  const id = (c: Context) => c.req.param("id") ?? "";
  const username = (input: { username?: string }) =>
    (input.username ?? "").trim().replace(/^@/, "");
  const back = (c: Context) => `/studio/accounts/${id(c)}`;

  router.post(
    "/studio/accounts/:id/members",
    change(async (c, input) => {
      await addMember(db, actor(c), id(c), username(input), parseRole(input.role ?? ""));
      return back(c);
    }),
  );
  router.post(
    "/studio/accounts/:id/role",
    change(async (c, input) => {
      await changeRole(db, actor(c), id(c), username(input), parseRole(input.role ?? ""));
      return back(c);
    }),
  );
  router.post(
    "/studio/accounts/:id/remove",
    change(async (c, input) => {
      await removeMember(db, actor(c), id(c), username(input));
      // An owner who removed itself has no team page left to see.
      return (await roleOn(db, actor(c).id, id(c))) ? back(c) : "/studio/accounts";
    }),
  );
  router.post(
    "/studio/accounts/:id/transfer",
    change(async (c, input) => {
      await transferOwnership(db, actor(c), id(c), username(input));
      return back(c);
    }),
  );
  router.post(
    "/studio/accounts/:id/leave",
    change(async (c) => {
      await leaveAccount(db, actor(c), id(c));
      return "/studio/accounts";
    }),
  );

  return router;
}
