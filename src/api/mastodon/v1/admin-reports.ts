import { type Context, Hono } from "hono";
import { z } from "zod";
import { reportCategories } from "../../../db/schema/index.ts";
import type { AppDeps } from "../../../deps.ts";
import { AppError } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import {
  assignReport,
  getAdminReport,
  listAdminReports,
  reopenReport,
  resolveReport,
  updateReport,
} from "../../../services/admin/reports.ts";
import type { Report } from "../../../services/reports/reports.ts";
import { readBody, readQuery } from "../body.ts";
import { serializeAdminReports } from "../entities/admin-report.ts";
import type { ApiEnv } from "../env.ts";
import { requireAdminScope } from "../middleware/admin.ts";
import { currentAccount } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";
import { adminFlag } from "./admin-accounts.ts";

const id = z.string().refine(isId, "must be a numeric id").optional();

const listQuery = z
  .object({
    resolved: adminFlag,
    account_id: id,
    target_account_id: id,
    by_target_domain: z.string().optional(),
  })
  .passthrough();

const ruleIds = z
  .union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()])
  .optional()
  .transform((v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(String)))
  .refine((v) => v === undefined || (v.length <= 100 && v.every(isId)), "not a list of rule ids");
const updateBody = z
  .object({ category: z.enum(reportCategories).optional(), rule_ids: ruleIds })
  .strict();

/** /api/v1/admin/reports: moderators list and handle reports. */
export function adminReportsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const read = requireAdminScope(deps, "admin:read:reports");
  const write = requireAdminScope(deps, "admin:write:reports");
  const answer = async (c: Context<ApiEnv>, report: Report) => {
    const [entity] = await serializeAdminReports(
      db,
      [report],
      config.publicUrl,
      currentAccount(c).id,
    );
    return c.json(entity);
  };
  const report = (c: Context<ApiEnv>) => getAdminReport(db, c.req.param("id") ?? "");

  app.get("/", read, async (c) => {
    const q = readQuery(c, listQuery);
    if (q.by_target_domain !== undefined)
      throw new AppError(422, "by_target_domain is not supported");
    const rows = await listAdminReports(
      db,
      // Mastodon lists open reports unless resolved=true is asked.
      {
        resolved: q.resolved ?? false,
        accountId: q.account_id,
        targetAccountId: q.target_account_id,
      },
      readPage(c, 200, 100),
    );
    setLinkHeader(
      c,
      rows.map((r) => r.id),
      config.publicUrl,
    );
    return c.json(await serializeAdminReports(db, rows, config.publicUrl, currentAccount(c).id));
  });
  app.get("/:id", read, async (c) => answer(c, await report(c)));
  app.put("/:id", write, async (c) => {
    const body = await readBody(c, updateBody);
    const updated = await updateReport(
      db,
      await report(c),
      { category: body.category, ruleIds: body.rule_ids },
      currentAccount(c).id,
    );
    return answer(c, updated);
  });
  app.post("/:id/assign_to_self", write, async (c) =>
    answer(c, await assignReport(db, await report(c), currentAccount(c).id, true)),
  );
  app.post("/:id/unassign", write, async (c) =>
    answer(c, await assignReport(db, await report(c), currentAccount(c).id, false)),
  );
  app.post("/:id/resolve", write, async (c) =>
    answer(c, await resolveReport(db, await report(c), currentAccount(c).id)),
  );
  app.post("/:id/reopen", write, async (c) =>
    answer(c, await reopenReport(db, await report(c), currentAccount(c).id)),
  );
  return app;
}
