import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../../deps.ts";
import {
  blockDomainForAccount,
  listAccountDomainBlocks,
  unblockDomainForAccount,
} from "../../../services/safety/account-domain-blocks.ts";
import { publicDomainBlocks } from "../../../services/safety/server-domains.ts";
import { readBody, readQuery } from "../body.ts";
import type { ApiEnv } from "../env.ts";
import { currentAccount, requireScope } from "../middleware/auth.ts";
import { readPage, setLinkHeader } from "../paging.ts";

const domainParam = z.object({ domain: z.string().min(1).max(253) }).strict();

/** /api/v1/domain_blocks: the user's own blocks of whole domains (a list of strings). */
export function domainBlocksRouter(deps: AppDeps): Hono<ApiEnv> {
  const { db, config } = deps;
  const app = new Hono<ApiEnv>();
  app.get("/", requireScope("read:blocks"), async (c) => {
    const rows = await listAccountDomainBlocks(db, currentAccount(c).id, readPage(c, 200, 100));
    setLinkHeader(
      c,
      rows.map((r) => r.id),
      config.publicUrl,
    );
    return c.json(rows.map((r) => r.domain));
  });
  app.post("/", requireScope("write:blocks"), async (c) => {
    const { domain } = await readBody(c, domainParam);
    await blockDomainForAccount(db, currentAccount(c), domain);
    return c.json({});
  });
  // Clients send `domain` in the body of the DELETE, some in the query: either is taken.
  app.delete("/", requireScope("write:blocks"), async (c) => {
    const fromQuery = c.req.query("domain");
    const { domain } = fromQuery ? readQuery(c, domainParam) : await readBody(c, domainParam);
    await unblockDomainForAccount(db, currentAccount(c), domain);
    return c.json({});
  });
  return app;
}

/** GET /api/v1/instance/domain_blocks: the server's blocks, obfuscated where asked, with digests. */
export function instanceDomainBlocksRouter(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.get("/", async (c) => c.json(await publicDomainBlocks(deps.db)));
  return app;
}
