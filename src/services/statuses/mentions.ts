import { and, isNull, or, sql } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import type { Tx } from "../../db/client.ts";
import { accounts } from "../../db/schema/index.ts";
import { formatMarkdown } from "../../lib/markdown.ts";
import { extractMentions, formatStatusText, type MentionTarget } from "../../lib/text-to-html.ts";
import type { Account } from "../accounts/accounts.ts";

/** Looks up `user@host` on its server (WebFinger); null when it cannot be found. */
export type RemoteMentionResolver = (handle: string) => Promise<Account | null>;

/** Mentions of unknown remote accounts looked up per post, at most (the rest stay plain text). */
const MAX_LOOKUPS = 5;

const target = (a: Account): MentionTarget => ({
  id: a.id,
  username: a.username,
  domain: a.domain,
  url: a.url ?? a.uri,
  uri: a.uri,
});

/**
 * Renders a local post's text as Mastodon does. Mentions resolve to known accounts; unknown
 * remote ones are looked up with `resolve` (as Mastodon does when posting), so the mentioned
 * person is linked, addressed and delivered to.
 */
export async function renderStatusText(
  db: Tx,
  config: Config,
  text: string,
  resolve?: RemoteMentionResolver,
  contentType: "text/plain" | "text/markdown" = "text/plain",
) {
  const local = (domain: string | null) =>
    !domain || domain.toLowerCase() === config.host.toLowerCase();
  const wanted = extractMentions(text, config.host);
  const known = wanted.length
    ? await db
        .select()
        .from(accounts)
        .where(
          or(
            ...wanted.map((m) =>
              and(
                sql`lower(${accounts.username}) = lower(${m.username})`,
                local(m.domain)
                  ? isNull(accounts.domain)
                  : sql`lower(${accounts.domain}) = lower(${m.domain})`,
              ),
            ),
          ),
        )
    : [];
  const find = (username: string, domain: string | null) =>
    known.find(
      (a) =>
        a.username.toLowerCase() === username.toLowerCase() &&
        (local(domain) ? a.domain === null : a.domain?.toLowerCase() === domain?.toLowerCase()),
    );
  if (resolve) {
    const missing = wanted
      .filter((m) => !local(m.domain) && !find(m.username, m.domain))
      .slice(0, MAX_LOOKUPS);
    const found = await Promise.all(
      missing.map((m) => resolve(`${m.username}@${m.domain}`).catch(() => null)),
    );
    for (const a of found) if (a) known.push(a);
  }
  const format = contentType === "text/markdown" ? formatMarkdown : formatStatusText;
  return format(text, {
    publicUrl: config.publicUrl,
    localHost: config.host,
    resolveMention: (username, domain) => {
      const hit = find(username, domain);
      return hit ? target(hit) : undefined;
    },
  });
}
