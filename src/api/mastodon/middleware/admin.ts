import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { UserRole } from "../../../db/schema/index.ts";
import type { AppDeps } from "../../../deps.ts";
import { forbidden } from "../../../lib/errors.ts";
import { roleOf } from "../../../services/accounts/roles.ts";
import type { ApiEnv } from "../env.ts";
import { requireScope } from "./auth.ts";

export interface AdminScopeOptions {
  /**
   * Roles let through. Default: moderators and admins (Mastodon's moderators manage users and
   * reports); pass `["admin"]` for what only admins do on Mastodon (federation, settings).
   */
  roles?: readonly UserRole[];
}

/**
 * Guards an admin route (`/api/v1/admin/*`), after `authenticate`: a token (401), carrying
 * `scope` (`admin:read:accounts`; `admin:read` covers it) (403), acting for a user (422), who
 * is staff now (403). The role is read on every request, not from the token, so a demoted
 * moderator's tokens stop working at once.
 */
export function requireAdminScope(
  deps: AppDeps,
  scope: string,
  opts: AdminScopeOptions = {},
): MiddlewareHandler<ApiEnv> {
  const roles: readonly UserRole[] = opts.roles ?? ["moderator", "admin"];
  const scoped = requireScope(scope);
  return createMiddleware<ApiEnv>(async (c, next) => {
    await scoped(c, async () => {});
    const account = c.get("auth")?.account;
    const role = account ? await roleOf(deps.db, account.id) : undefined;
    if (!role || !roles.includes(role)) throw forbidden("This action is not allowed");
    return next();
  });
}
