import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accounts, type ProfileField } from "../../db/schema/index.ts";
import { fetchCapped } from "../../lib/fetch-capped.ts";
import { logger } from "../../lib/logger.ts";

const log = logger("accounts", "verify-links");

/**
 * rel="me" verification of profile fields, as Mastodon does it: a field whose value is a link
 * is verified when the linked page links back to the profile with rel="me". The page is fetched
 * by a job through the outbound fetch guard (private addresses refused, deadline), at most 1 MiB
 * of it read; the field gets `verifiedAt`, shown as `verified_at` on the Account.
 */
const PAGE_MAX_BYTES = 1024 * 1024;

/** The link of a field whose whole value is one http(s) link, as field rendering makes it. */
export function fieldLink(value: string): string | null {
  const m = /^<a\s[^>]*href="(https?:\/\/[^"]+)"[^>]*>[\s\S]*<\/a>$/.exec(value.trim());
  return m ? m[1].replaceAll("&amp;", "&") : null;
}

const attribute = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3]).replaceAll("&amp;", "&") : null;
};

/** Whether the HTML has an `<a>` or `<link>` with rel containing "me" pointing at one of `targets`. */
export function linksBack(html: string, pageUrl: string, targets: string[]): boolean {
  const wanted = new Set(targets.map((t) => t.replace(/\/$/, "")));
  for (const [tag] of html.matchAll(/<(?:a|link)\s[^>]*>/gi)) {
    const rel = attribute(tag, "rel");
    if (!rel?.toLowerCase().split(/\s+/).includes("me")) continue;
    const href = attribute(tag, "href");
    if (!href || !URL.canParse(href, pageUrl)) continue;
    if (wanted.has(new URL(href, pageUrl).href.replace(/\/$/, ""))) return true;
  }
  return false;
}

/** The `account.verify_links` job: checks each linked field of a local account once. */
export async function verifyProfileLinks(db: Db, accountId: string): Promise<void> {
  const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId));
  if (!account || account.domain !== null) return;
  const targets = [account.uri, account.url].filter((u): u is string => !!u);
  const checked = new Map<string, string | null>();
  for (const field of account.fields) {
    const link = fieldLink(field.value);
    if (!link || checked.has(field.value)) continue;
    const page = await fetchCapped(link, PAGE_MAX_BYTES, "text/html");
    const ok = "bytes" in page && linksBack(new TextDecoder().decode(page.bytes), link, targets);
    if ("error" in page) log.info("{link} not verified: {error}", { link, error: page.error });
    checked.set(field.value, ok ? new Date().toISOString() : null);
  }
  if (checked.size === 0) return;
  await db.transaction(async (tx) => {
    // Fields edited meanwhile are left alone: a new job checks them.
    const [current] = await tx
      .select({ fields: accounts.fields })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .for("update");
    if (!current) return;
    const fields: ProfileField[] = current.fields.map((f) =>
      checked.has(f.value) ? { ...f, verifiedAt: checked.get(f.value) ?? null } : f,
    );
    await tx.update(accounts).set({ fields }).where(eq(accounts.id, accountId));
  });
}
