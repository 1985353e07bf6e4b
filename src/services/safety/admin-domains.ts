/**
 * The admin API's view of server domain blocks and allows (`/api/v1/admin/domain_blocks`,
 * `/domain_allows`, the admin pages): rows by id, pages, Mastodon's conflict rule. Every change
 * goes through server-domains.ts, so the purge job and the federation policy refresh are the
 * CLI's.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { type DomainBlockSeverity, domainAllows, domainBlocks } from "../../db/schema/index.ts";
import { isId } from "../../lib/ids.ts";
import type { AdminActor } from "../admin/audit.ts";
import { keyset, type Page } from "../paging.ts";
import {
  allowDomain,
  blockDomain,
  type DomainBlock,
  type DomainBlockInput,
  disallowDomain,
  normalizeDomain,
  unblockDomain,
} from "./server-domains.ts";

export type DomainAllow = typeof domainAllows.$inferSelect;

export async function listDomainBlocksPage(db: Tx, page: Page): Promise<DomainBlock[]> {
  const b = keyset(domainBlocks.id, page);
  const rows = await db
    .select()
    .from(domainBlocks)
    .where(and(...b.where))
    .orderBy(b.order)
    .limit(page.limit);
  return b.newestFirst(rows);
}

export async function findDomainBlock(db: Tx, id: string): Promise<DomainBlock | undefined> {
  if (!isId(id)) return undefined;
  const [row] = await db.select().from(domainBlocks).where(eq(domainBlocks.id, id));
  return row;
}

/** The block that applies to `domain`: its own, or the nearest parent domain's. */
export async function blockCovering(db: Tx, domain: string): Promise<DomainBlock | undefined> {
  const [row] = await db
    .select()
    .from(domainBlocks)
    .where(sql`${domainBlocks.domain} = ${domain} or ${domain} like '%.' || ${domainBlocks.domain}`)
    .orderBy(desc(sql`length(${domainBlocks.domain})`))
    .limit(1);
  return row;
}

const rank: Record<DomainBlockSeverity, number> = { noop: 0, silence: 1, suspend: 2 };

/** Mastodon's rule: a subdomain's own block is only worth having when it does more. */
function stricterThan(
  block: Required<Pick<DomainBlockInput, "severity" | "rejectMedia" | "rejectReports">>,
  other: DomainBlock,
): boolean {
  if (block.severity === "suspend") return true;
  if (rank[block.severity] < rank[other.severity]) return false;
  return (block.rejectMedia || !other.rejectMedia) && (block.rejectReports || !other.rejectReports);
}

/**
 * Creates a block, unless the domain has one already or a parent's block does as much: then the
 * existing block is answered instead (Mastodon's 422 carries it).
 */
export async function createDomainBlock(
  db: Db,
  input: DomainBlockInput,
  actorId: AdminActor,
): Promise<{ created: DomainBlock } | { existing: DomainBlock }> {
  const domain = normalizeDomain(input.domain);
  const existing = await blockCovering(db, domain);
  const wanted = {
    severity: input.severity ?? "silence",
    rejectMedia: input.rejectMedia ?? false,
    rejectReports: input.rejectReports ?? false,
  };
  if (existing && (existing.domain === domain || !stricterThan(wanted, existing)))
    return { existing };
  return { created: await blockDomain(db, { ...input, domain }, actorId) };
}

/** Changes a block's settings (not its domain); undefined fields stay as they are. */
export async function updateDomainBlock(
  db: Db,
  id: string,
  changes: Omit<DomainBlockInput, "domain">,
  actorId: AdminActor,
): Promise<DomainBlock | undefined> {
  const row = await findDomainBlock(db, id);
  if (!row) return undefined;
  const keep = <T>(v: T | undefined, old: T) => (v === undefined ? old : v);
  return blockDomain(
    db,
    {
      domain: row.domain,
      severity: keep(changes.severity, row.severity),
      rejectMedia: keep(changes.rejectMedia, row.rejectMedia),
      rejectReports: keep(changes.rejectReports, row.rejectReports),
      publicComment: keep(changes.publicComment, row.publicComment),
      privateComment: keep(changes.privateComment, row.privateComment),
      obfuscate: keep(changes.obfuscate, row.obfuscate),
    },
    actorId,
  );
}

export async function deleteDomainBlock(db: Db, id: string, actorId: AdminActor): Promise<boolean> {
  const row = await findDomainBlock(db, id);
  return row ? unblockDomain(db, row.domain, actorId) : false;
}

export async function listDomainAllowsPage(db: Tx, page: Page): Promise<DomainAllow[]> {
  const b = keyset(domainAllows.id, page);
  const rows = await db
    .select()
    .from(domainAllows)
    .where(and(...b.where))
    .orderBy(b.order)
    .limit(page.limit);
  return b.newestFirst(rows);
}

export async function findDomainAllow(db: Tx, id: string): Promise<DomainAllow | undefined> {
  if (!isId(id)) return undefined;
  const [row] = await db.select().from(domainAllows).where(eq(domainAllows.id, id));
  return row;
}

/** Allows a domain; allowing it again answers the existing row, as Mastodon does. */
export async function createDomainAllow(
  db: Db,
  input: string,
  actorId: AdminActor,
): Promise<DomainAllow> {
  const domain = normalizeDomain(input);
  await allowDomain(db, domain, actorId);
  const [row] = await db.select().from(domainAllows).where(eq(domainAllows.domain, domain));
  return row;
}

export async function deleteDomainAllow(db: Db, id: string, actorId: AdminActor): Promise<boolean> {
  const row = await findDomainAllow(db, id);
  return row ? disallowDomain(db, row.domain, actorId) : false;
}
