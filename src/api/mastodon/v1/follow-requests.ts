import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { authorizeFollowRequest, rejectFollowRequest } from "../../../services/follows/follows.ts";
import { relationships } from "../../../services/follows/relationships.ts";
import { serializeRelationship } from "../entities/relationship.ts";
import type { ApiEnv } from "../env.ts";
import { followListPage } from "../follow-list.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";

/** /api/v1/follow_requests: a locked account reviews who asked to follow it. */
export function followRequestsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();

  app.get("/", requireScope("read:follows"), async (c) => {
    return followListPage(c, deps, currentAccount(c).id, "requests");
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
