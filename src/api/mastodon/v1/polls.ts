import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { ownVotesAmong, visiblePoll, voteInPoll } from "../../../services/polls/polls.ts";
import { readBody } from "../body.ts";
import { type MastodonPoll, serializePoll } from "../entities/poll.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope, scopeIfToken } from "../middleware/auth.ts";

// Forms send `choices[]=0`, JSON clients numbers or strings.
const voteBody = z.object({
  choices: z
    .array(z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]), {
      error: "must be a list of option indexes",
    })
    .max(100),
});

/** /api/v1/polls/:id and its votes. */
export function pollsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();
  const idParam = (id: string) => {
    if (!isId(id)) throw notFound();
    return id;
  };
  const render = async (pollId: string, viewerId: string | null): Promise<MastodonPoll> => {
    const { poll } = await visiblePoll(db, pollId, viewerId);
    const own = viewerId ? await ownVotesAmong(db, viewerId, [poll.id]) : new Map();
    return serializePoll(poll, viewerId, own.get(poll.id));
  };

  // Visible as its status is: a followers-only poll is a 404 to anyone else.
  app.get("/:id", scopeIfToken("read:statuses"), async (c) => {
    const viewer = c.var.auth?.account?.id ?? null;
    return c.json(await render(idParam(c.req.param("id")), viewer));
  });

  app.post("/:id/votes", requireScope("write:statuses"), async (c) => {
    const me = currentAccount(c);
    const id = idParam(c.req.param("id"));
    const body = await readBody(c, voteBody);
    await voteInPoll(db, me, id, body.choices);
    return c.json(await render(id, me.id));
  });
  return app;
}
