import { Add, Remove } from "@fedify/vocab";
import { newId } from "../../lib/ids.ts";

export interface PinFacts {
  actorUri: string;
  /** The actor's featured collection (the Add's and Remove's target). */
  featuredUri: string;
  statusUri: string;
}

/**
 * A pin as Mastodon sends it to followers: `Add` whose object is the Note's id (not the Note) and
 * whose target is the actor's featured collection.
 */
export function addActivity(f: PinFacts): Add {
  return new Add({
    id: new URL(`${f.featuredUri}#add/${newId()}`),
    actor: new URL(f.actorUri),
    object: new URL(f.statusUri),
    target: new URL(f.featuredUri),
  });
}

/** An unpin: `Remove` of the Note's id from the featured collection. */
export function removeActivity(f: PinFacts): Remove {
  return new Remove({
    id: new URL(`${f.featuredUri}#remove/${newId()}`),
    actor: new URL(f.actorUri),
    object: new URL(f.statusUri),
    target: new URL(f.featuredUri),
  });
}
