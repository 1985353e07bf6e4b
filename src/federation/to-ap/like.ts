import { Like, Undo } from "@fedify/vocab";
import { newId } from "../../lib/ids.ts";

export interface LikeFacts {
  /** The Like's id (`favourites.uri`, minted as `<actor>#likes/<favouriteId>`). */
  uri: string;
  actorUri: string;
  statusUri: string;
  authorUri: string;
}

/** A favourite as the Like Mastodon sends: addressed to the status's author only. */
export function likeActivity(f: LikeFacts): Like {
  return new Like({
    id: new URL(f.uri),
    actor: new URL(f.actorUri),
    object: new URL(f.statusUri),
    to: new URL(f.authorUri),
  });
}

/** Undo of that Like, embedding it so a peer that no longer has it can still match it. */
export function undoLikeActivity(f: LikeFacts): Undo {
  return new Undo({
    id: new URL(`${f.actorUri}#undo-likes/${newId()}`),
    actor: new URL(f.actorUri),
    object: likeActivity(f),
    to: new URL(f.authorUri),
  });
}
