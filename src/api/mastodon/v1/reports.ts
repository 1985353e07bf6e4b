import { Hono } from "hono";
import { z } from "zod";
import { reportCategories } from "../../../db/schema/index.ts";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { getAccount } from "../../../services/accounts/accounts.ts";
import { fileReport } from "../../../services/reports/reports.ts";
import { readBody } from "../body.ts";
import { serializeReports } from "../entities/report.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0"])])
  .optional()
  .transform((v) => v === true || v === "true" || v === "1");
// Forms send `status_ids[]` (an array), JSON clients may send one id as a string.
const ids = z
  .union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()])
  .optional()
  .transform((v) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String)))
  .refine((v) => v.length <= 100, "at most 100 ids")
  .refine((v) => v.every(isId), "not an id");

const reportBody = z
  .object({
    account_id: z.union([z.string(), z.number()]).transform(String),
    status_ids: ids,
    comment: z.string().optional().default(""),
    category: z.enum(reportCategories).optional(),
    rule_ids: ids,
    forward: flag,
  })
  .strict();

/** POST /api/v1/reports: a report to this server's moderators (optionally forwarded). */
export function reportsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.post("/", requireScope("write:reports"), async (c) => {
    const body = await readBody(c, reportBody);
    if (!isId(body.account_id)) throw notFound();
    const target = await getAccount(db, body.account_id);
    const report = await fileReport(db, config.publicUrl, currentAccount(c), {
      target,
      statusIds: body.status_ids,
      comment: body.comment,
      category: body.category,
      ruleIds: body.rule_ids,
      forward: body.forward,
    });
    const [entity] = await serializeReports(db, [report], config.publicUrl);
    return c.json(entity);
  });
  return app;
}
