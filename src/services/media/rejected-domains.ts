/**
 * `reject_media` of a server domain block: media of that domain's accounts (and subdomains')
 * are neither fetched nor copied here. New attachments are stored as `unknown` with their
 * `remote_url` only (clients show a link); avatars and headers are not copied. Blocking a
 * domain so queues `clearDomainMedia`, which takes back the copies already made.
 */
import { and, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../../db/client.ts";
import { accounts, domainBlocks, mediaAttachments } from "../../db/schema/index.ts";
import { enqueueJob } from "../jobs.ts";
import { fileKeysOf } from "./media.ts";
import { forgetProfileImageCopies } from "./remote.ts";

/** How many attachments one pass of the job clears; it queues itself again for the rest. */
const BATCH = 500;

/** True when the account's domain (or a parent of it) is blocked with reject_media. */
export async function mediaRejectedFor(db: Tx, accountId: string): Promise<boolean> {
  const [row] = await queryRows<{ rejected: boolean }>(
    db,
    sql`select exists (select 1 from accounts a join domain_blocks d
        on a.domain = d.domain or a.domain like '%.' || d.domain
      where a.id = ${accountId} and d.reject_media) as rejected`,
  );
  return row?.rejected === true;
}

const ofDomain = (domain: string) =>
  sql`select id from accounts where domain = ${domain} or domain like '%.' || ${domain}`;

/** The `domain.clear_media` job: copies of the domain's media and pictures given back. */
export async function clearDomainMedia(db: Tx, domain: string): Promise<number> {
  const [block] = await db.select().from(domainBlocks).where(eq(domainBlocks.domain, domain));
  if (!block?.rejectMedia) return 0; // lifted before the job ran
  return db.transaction(async (tx) => {
    const media = await tx
      .select()
      .from(mediaAttachments)
      .where(
        and(
          inArray(mediaAttachments.accountId, sql`(${ofDomain(domain)})`),
          isNotNull(mediaAttachments.remoteUrl),
          or(isNotNull(mediaAttachments.url), sql`${mediaAttachments.type} <> 'unknown'`),
        ),
      )
      .limit(BATCH);
    if (media.length)
      await tx
        .update(mediaAttachments)
        .set({
          type: "unknown",
          url: null,
          previewUrl: null,
          fileKey: null,
          previewKey: null,
          blurhash: null,
          cachedAt: null,
          updatedAt: new Date(),
        })
        .where(
          inArray(
            mediaAttachments.id,
            media.map((m) => m.id),
          ),
        );
    const pictures = await tx
      .select({ id: accounts.id, avatar: accounts.avatarCacheKey, header: accounts.headerCacheKey })
      .from(accounts)
      .where(
        and(
          inArray(accounts.id, sql`(${ofDomain(domain)})`),
          or(isNotNull(accounts.avatarCacheKey), isNotNull(accounts.headerCacheKey)),
        ),
      )
      .limit(BATCH);
    const keys = [...fileKeysOf(media), ...(await forgetProfileImageCopies(tx, pictures))];
    if (keys.length) await enqueueJob(tx, { type: "media.delete_files", keys });
    if (media.length === BATCH || pictures.length === BATCH)
      await enqueueJob(tx, { type: "domain.clear_media", domain });
    return media.length;
  });
}
