import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import {
  authorizeFollowRequest,
  listFollowAccounts,
  rejectFollowRequest,
} from "../../../services/follows/follows.ts";
import { relationships } from "../../../services/follows/relationships.ts";
import { serializeAccounts } from "../entities/account.ts";
import { serializeRelationship } from "../entities/relationship.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

/** /api/v1/follow_requests: a locked account reviews who asked to follow it. */
export function followRequestsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();

  app.get("/", requireScope("read:follows"), async (c) => {
    const rows = await listFollowAccounts(
      db,
      currentAccount(c).id,
      "requests",
      readPage(c, 80, 40),
    );
    setLinkHeader(
      c,
      rows.map((r) => r.followId),
      config.publicUrl,
    );
    return c.json(
      await serializeAccounts(
        db,
        rows.map((r) => r.account),
        config.publicUrl,
      ),
    );
  });

  for (const action of ["authorize", "reject"] as const) {
    app.post(`/:accountId/${action}`, requireScope("write:follows"), async (c) => {
      const me = currentAccount(c);
      const followerId = c.req.param("accountId");
      if (!isId(followerId)) throw notFound("Follow request not found");
      await (action === "authorize" ? authorizeFollowRequest : rejectFollowRequest)(
        db,
        me,
        followerId,
      );
      const [facts] = await relationships(db, me.id, [followerId]);
      return c.json(serializeRelationship(facts));
    });
  }
  return app;
}
