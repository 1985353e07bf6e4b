import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { localUsers } from "../../db/schema/index.ts";
import type { QuotePolicy, Visibility } from "../../db/schema/statuses.ts";
import { notFound } from "../../lib/errors.ts";

/** Mastodon's Preferences entity (https://docs.joinmastodon.org/entities/Preferences/). */
export interface Preferences {
  "posting:default:visibility": Visibility;
  "posting:default:sensitive": boolean;
  "posting:default:language": string | null;
  /** Mastodon 4.5: who may quote new posts unless the post says otherwise. */
  "posting:default:quote_policy": QuotePolicy;
  "reading:expand:media": "default" | "show_all" | "hide_all";
  "reading:expand:spoilers": boolean;
  "reading:autoplay:gifs": boolean;
}

/** The posting defaults come from the account; Tern has no reading settings, so Mastodon's defaults. */
export async function accountPreferences(db: Tx, accountId: string): Promise<Preferences> {
  const [user] = await db
    .select({
      privacy: localUsers.defaultPrivacy,
      sensitive: localUsers.defaultSensitive,
      language: localUsers.defaultLanguage,
      quotePolicy: localUsers.defaultQuotePolicy,
    })
    .from(localUsers)
    .where(eq(localUsers.accountId, accountId));
  if (!user) throw notFound();
  return {
    "posting:default:visibility": user.privacy,
    "posting:default:sensitive": user.sensitive,
    "posting:default:language": user.language,
    "posting:default:quote_policy": user.quotePolicy,
    "reading:expand:media": "default",
    "reading:expand:spoilers": false,
    "reading:autoplay:gifs": false,
  };
}
