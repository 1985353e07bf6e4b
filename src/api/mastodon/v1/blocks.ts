import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import { notFound } from "../../../lib/errors.ts";
import { isId } from "../../../lib/ids.ts";
import { getAccount } from "../../../services/accounts/accounts.ts";
import { relationships } from "../../../services/follows/relationships.ts";
import {
  blockAccount,
  listBlockedOrMuted,
  muteAccount,
  unblockAccount,
  unmuteAccount,
} from "../../../services/safety/blocks.ts";
import { readBody } from "../body.ts";
import { serializeAccounts } from "../entities/account.ts";
import { serializeRelationship } from "../entities/relationship.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

const flag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0"])])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === true || v === "true" || v === "1"));
const muteBody = z
  .object({
    notifications: flag,
    // Seconds; 0 (Mastodon's default) mutes until unmuted.
    duration: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
  })
  .strict();

/** POST /api/v1/accounts/:id/block, /unblock, /mute, /unmute (mounted next to accounts). */
export function accountSafetyRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db } = deps;
  const app = new Hono<ApiEnv>();
  const target = (id: string) => {
    if (!isId(id)) throw notFound();
    return getAccount(db, id);
  };
  const answer = async (meId: string, id: string) => {
    const [facts] = await relationships(db, meId, [id]);
    return serializeRelationship(facts);
  };

  app.post("/:id/block", requireScope("write:blocks"), async (c) => {
    const me = currentAccount(c);
    await blockAccount(db, me, await target(c.req.param("id")));
    return c.json(await answer(me.id, c.req.param("id")));
  });
  app.post("/:id/unblock", requireScope("write:blocks"), async (c) => {
    const me = currentAccount(c);
    await unblockAccount(db, me, await target(c.req.param("id")));
    return c.json(await answer(me.id, c.req.param("id")));
  });
  app.post("/:id/mute", requireScope("write:mutes"), async (c) => {
    const me = currentAccount(c);
    const body = await readBody(c, muteBody);
    await muteAccount(db, me, await target(c.req.param("id")), {
      notifications: body.notifications ?? true,
      duration: body.duration,
    });
    return c.json(await answer(me.id, c.req.param("id")));
  });
  app.post("/:id/unmute", requireScope("write:mutes"), async (c) => {
    const me = currentAccount(c);
    await unmuteAccount(db, me, await target(c.req.param("id")));
    return c.json(await answer(me.id, c.req.param("id")));
  });
  return app;
}

/** GET /api/v1/blocks or /api/v1/mutes: the accounts, newest first, paged by block or mute. */
export function blockedListRouter(deps: AppDeps, kind: "blocks" | "mutes"): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope(kind === "blocks" ? "read:blocks" : "read:mutes"), async (c) => {
    const rows = await listBlockedOrMuted(db, currentAccount(c).id, kind, readPage(c, 80, 40));
    setLinkHeader(
      c,
      rows.map((r) => r.id),
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
  return app;
}
