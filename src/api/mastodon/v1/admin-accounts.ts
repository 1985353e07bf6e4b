import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { AppError, forbidden } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { roleOf } from "../../../services/accounts/roles.ts";
import {
  type AdminAccountFilter,
  approveAccount,
  deleteSuspendedAccount,
  getAdminAccount,
  listAdminAccounts,
  mailModerationAction,
  rejectAccount,
} from "../../../services/admin/accounts.ts";
import {
  ACTION_TYPES,
  enableAccount,
  mayModerate,
  moderateAccount,
  unsensitizeAccount,
  unsilenceAccount,
  unsuspendAccount,
} from "../../../services/admin/moderation.ts";
import { readBody, readQuery } from "../body.ts";
import { serializeAdminAccounts } from "../entities/admin-account.ts";
import type { ApiEnv } from "../env.ts";
import { requireAdminScope } from "../middleware/admin.ts";
import { currentAccount } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

/** Flags as Mastodon reads them (`true`, `1`, `on`...; absent is unset). */
export const adminFlag = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === true || /^(true|1|on|t)$/i.test(`${v}`)));
const text = z.string().max(200).optional();
/** The searches v1 and v2 share. */
const searches = {
  username: text,
  display_name: text,
  by_domain: text,
  email: text,
  ip: text,
};

const v1Query = z
  .object({
    local: adminFlag,
    remote: adminFlag,
    active: adminFlag,
    pending: adminFlag,
    disabled: adminFlag,
    sensitized: adminFlag,
    silenced: adminFlag,
    suspended: adminFlag,
    staff: adminFlag,
    ...searches,
  })
  .passthrough();

const v2Query = z
  .object({
    origin: z.enum(["local", "remote"]).optional(),
    status: z.enum(["active", "pending", "disabled", "silenced", "suspended"]).optional(),
    permissions: z.enum(["staff"]).optional(),
    role_ids: z.union([z.string(), z.array(z.string())]).optional(),
    invited_by: z.string().optional(),
    ...searches,
  })
  .passthrough();

const unsupported = (name: string) =>
  new AppError(422, `${name} is not supported: Tern keeps no such state`);

/** v1's booleans as v2's filter; the first status flag set wins, as in Mastodon's filter. */
function v1Filter(q: z.infer<typeof v1Query>): AdminAccountFilter {
  const status = (
    ["pending", "disabled", "sensitized", "suspended", "silenced", "active"] as const
  ).find((s) => q[s]);
  return {
    origin: q.local ? "local" : q.remote ? "remote" : undefined,
    status,
    permissions: q.staff ? "staff" : undefined,
    username: q.username,
    displayName: q.display_name,
    byDomain: q.by_domain,
    email: q.email,
    ip: q.ip,
  };
}

function v2Filter(q: z.infer<typeof v2Query>): AdminAccountFilter {
  if (q.role_ids !== undefined)
    throw unsupported("role_ids (Tern's roles are user, moderator, admin; use permissions=staff)");
  if (q.invited_by !== undefined) throw unsupported("invited_by");
  return {
    origin: q.origin,
    status: q.status,
    permissions: q.permissions,
    username: q.username,
    displayName: q.display_name,
    byDomain: q.by_domain,
    email: q.email,
    ip: q.ip,
  };
}

const actionBody = z
  .object({
    type: z.enum(ACTION_TYPES).optional().default("none"),
    report_id: z
      .union([z.string(), z.number()])
      .transform(String)
      .refine(isId, "not an id")
      .optional(),
    warning_preset_id: z.union([z.string(), z.number()]).optional(),
    status_ids: z
      .union([z.string(), z.array(z.union([z.string(), z.number()]).transform(String))])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .optional(),
    text: z.string().max(5000).optional(),
    send_email_notification: adminFlag,
  })
  .strict();

/** GET /api/v1/admin/accounts and /api/v2/admin/accounts: one page of accounts with filters. */
export function adminAccountsListRouter(deps: AppDeps, version: 1 | 2): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", requireAdminScope(deps, "admin:read:accounts"), async (c) => {
    const filter =
      version === 1 ? v1Filter(readQuery(c, v1Query)) : v2Filter(readQuery(c, v2Query));
    const rows = await listAdminAccounts(db, filter, readPage(c, 200, 100));
    setLinkHeader(
      c,
      rows.map((r) => r.account.id),
      config.publicUrl,
    );
    return c.json(await serializeAdminAccounts(db, rows, config.publicUrl));
  });
  return app;
}

/** /api/v1/admin/accounts/:id and its actions. */
export function adminAccountsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const read = requireAdminScope(deps, "admin:read:accounts");
  const write = requireAdminScope(deps, "admin:write:accounts");
  const answer = async (c: Context, id: string) => {
    const [entity] = await serializeAdminAccounts(
      db,
      [await getAdminAccount(db, id)],
      config.publicUrl,
    );
    return c.json(entity);
  };
  /** The target, after checking the caller outranks it (Mastodon's policy for every action). */
  const target = async (c: Context<ApiEnv>) => {
    const row = await getAdminAccount(db, c.req.param("id") ?? "");
    const me = currentAccount(c);
    const mine = await roleOf(db, me.id);
    if (!mine || !mayModerate(mine, row.user?.role)) throw forbidden("This action is not allowed");
    return row;
  };

  app.get("/:id", read, (c) => answer(c, c.req.param("id")));
  app.post("/:id/approve", write, async (c) => {
    const row = await approveAccount(db, await target(c), currentAccount(c).id, config);
    const [entity] = await serializeAdminAccounts(db, [row], config.publicUrl);
    return c.json(entity);
  });
  app.post("/:id/reject", write, async (c) => {
    const row = await target(c);
    // The answer shows the account as it was: it no longer exists afterwards.
    const [entity] = await serializeAdminAccounts(db, [row], config.publicUrl);
    await rejectAccount(db, row, currentAccount(c).id);
    return c.json(entity);
  });
  app.post("/:id/action", write, async (c) => {
    const body = await readBody(c, actionBody);
    if (body.warning_preset_id !== undefined) throw unsupported("warning_preset_id");
    // Without SMTP there is no e-mail to send: refused, not dropped.
    if (body.send_email_notification && !config.smtp)
      throw new AppError(422, "send_email_notification is not supported: SMTP_URL is not set");
    const row = await target(c);
    await moderateAccount(db, currentAccount(c), row.account, {
      type: body.type,
      reportId: body.report_id,
      text: body.text,
      statusIds: body.status_ids,
    });
    if (body.send_email_notification) await mailModerationAction(db, config, row, body.type);
    return c.json({});
  });
  app.post("/:id/unsuspend", write, async (c) => {
    await unsuspendAccount(db, (await target(c)).account, currentAccount(c));
    return answer(c, c.req.param("id"));
  });
  app.post("/:id/unsilence", write, async (c) => {
    await unsilenceAccount(db, (await target(c)).account, currentAccount(c));
    return answer(c, c.req.param("id"));
  });
  app.post("/:id/enable", write, async (c) => {
    await enableAccount(db, (await target(c)).account, currentAccount(c));
    return answer(c, c.req.param("id"));
  });
  app.post("/:id/unsensitive", write, async (c) => {
    await unsensitizeAccount(db, (await target(c)).account, currentAccount(c));
    return answer(c, c.req.param("id"));
  });
  app.delete("/:id", write, async (c) => {
    const row = await target(c);
    const [entity] = await serializeAdminAccounts(db, [row], config.publicUrl);
    await deleteSuspendedAccount(db, row, currentAccount(c).id);
    return c.json(entity);
  });
  return app;
}
