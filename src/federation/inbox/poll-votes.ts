import { Note } from "@fedify/vocab";
import type { Db } from "../../db/client.ts";
import type { Account } from "../../services/accounts/accounts.ts";
import { receiveRemoteVote } from "../../services/polls/remote.ts";
import type { PostObject } from "../from-ap/note.ts";

/**
 * A vote on one of our polls arrives as `Create(Note)` with the option's title as `name`, no
 * content, in reply to the Question (Mastodon, GoToSocial, Misskey). True when it was taken as a
 * vote (counted or dropped), so it is never stored as a reply.
 */
export async function receivedAsVote(db: Db, post: PostObject, voter: Account): Promise<boolean> {
  if (!(post instanceof Note) || !post.id || !post.replyTargetId || post.name == null) return false;
  if (String(post.content ?? "").trim() !== "") return false;
  const title = String(post.name).replaceAll("\u0000", "").trim();
  if (!title) return false;
  return receiveRemoteVote(db, voter.id, post.replyTargetId.href, title, post.id.href);
}
