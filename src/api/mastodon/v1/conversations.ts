import { Hono } from "hono";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import {
  listConversations,
  markConversationRead,
  removeConversation,
} from "../../../services/conversations/conversations.ts";
import { serializeConversations } from "../entities/conversation.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

/** /api/v1/conversations: the viewer's direct conversations, newest message first. */
export function conversationsRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  const idParam = (id: string) => {
    if (!isId(id)) throw notFound();
    return id;
  };

  // Paged by the id of each conversation's last status (what it is ordered by), as Mastodon.
  app.get("/", requireScope("read:statuses"), async (c) => {
    const me = currentAccount(c).id;
    const views = await listConversations(db, me, readPage(c));
    setLinkHeader(
      c,
      views.map((v) => v.lastStatus.id),
      config.publicUrl,
    );
    return c.json(await serializeConversations(db, views, config.publicUrl, me));
  });

  app.post("/:id/read", requireScope("write:conversations"), async (c) => {
    const me = currentAccount(c);
    const view = await markConversationRead(db, me, idParam(c.req.param("id")));
    // Its last message deleted: nothing to show, and nothing left to read.
    if (!view) throw notFound();
    const [conversation] = await serializeConversations(db, [view], config.publicUrl, me.id);
    return c.json(conversation);
  });

  app.delete("/:id", requireScope("write:conversations"), async (c) => {
    await removeConversation(db, currentAccount(c), idParam(c.req.param("id")));
    return c.json({});
  });
  return app;
}
