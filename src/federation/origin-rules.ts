/**
 * Which URIs a remote activity may claim. Fedify checks that the signing key belongs to the
 * activity's actor; these rules tie everything else the activity names to that actor's origin,
 * so a signed peer cannot write under another server's URIs (or ours). They are applied twice,
 * to one shape: on the raw JSON before Fedify (a cheap 400 for plain forgeries) and on what
 * Fedify parsed, before any listener runs (`inbox/origins.ts`), because JSON-LD has many ways to
 * say `id` (`@id`, aliases and compact IRIs from a custom `@context`) that only a parser sees.
 */
export type ActivityKind = "Create" | "Update" | "Delete" | "Accept" | "Reject" | "Undo" | "other";

export interface ActivityClaims {
  kind: ActivityKind;
  /** Every id the activity gives itself (none: a transient activity). */
  ids: string[];
  actors: string[];
  /** The ids of its objects; null for an embedded object without one. */
  objects: (string | null)[];
}

export const KINDS = new Set<ActivityKind>([
  "Create",
  "Update",
  "Delete",
  "Accept",
  "Reject",
  "Undo",
]);

/** The origin of an http(s) URL; undefined for anything else (compact IRIs, blank nodes, junk). */
export function httpOrigin(uri: string | null | undefined): string | undefined {
  if (!uri || !URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  return url.protocol === "https:" || url.protocol === "http:" ? url.origin : undefined;
}

/** Why the activity claims URIs it may not, or null. `ownOrigin` is this server's (PUBLIC_URL). */
export function claimsProblem(a: ActivityClaims, ownOrigin: string): string | null {
  if (a.actors.length !== 1) return "Activity must have exactly one actor";
  const actor = httpOrigin(a.actors[0]);
  if (!actor) return "Activity has no valid actor";
  if (actor === ownOrigin) return "Activity claims an actor of this server";
  for (const id of a.ids) {
    const origin = httpOrigin(id);
    // snac mints Undo ids under the receiver's URL space; an Undo only reverts the signer's own
    // relations (checked by its listener), so an id of ours is not held against it.
    if (origin === actor || (a.kind === "Undo" && origin === ownOrigin)) continue;
    return origin === ownOrigin
      ? "Activity id is on this server's origin"
      : "Activity id and actor have different origins";
  }
  // Objects: a post created, edited or deleted is the actor's own; an Accept or Reject answers
  // our Follow (echoed by snac, re-serialised by GoToSocial, or given the peer's own id); an
  // Undo reverts the actor's activity or (snac) names our followed actor. Other activities
  // (Follow, Like, ...) point at anything, and their listeners never store the object's content.
  const allowed =
    a.kind === "Create" || a.kind === "Update" || a.kind === "Delete"
      ? [actor]
      : a.kind === "other"
        ? null
        : [actor, ownOrigin];
  if (!allowed) return null;
  if ((a.kind === "Create" || a.kind === "Update") && a.objects.length === 0)
    return "Activity has no object";
  for (const object of a.objects) {
    if (object === null) {
      if (a.kind === "Create" || a.kind === "Update") return "Object has no id";
      continue;
    }
    const origin = httpOrigin(object);
    if (!origin || !allowed.includes(origin))
      return origin === ownOrigin
        ? "Object id is on this server's origin"
        : "Object id and actor have different origins";
  }
  return null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** `id` and `@id` both (JSON-LD reads either); a non-string id is kept as an invalid one. */
const idsOf = (o: Json): string[] =>
  (["id", "@id"] as const).filter((k) => k in o).map((k) => (typeof o[k] === "string" ? o[k] : ""));

/** The claims of an activity as raw JSON: compacted keys and their `@` forms. */
export function rawClaims(activity: Json): ActivityClaims | string {
  if ("@graph" in activity || (isObject(activity.object) && "@graph" in activity.object))
    return "JSON-LD @graph is not accepted in an activity";
  const type = typeof activity.type === "string" ? activity.type : activity["@type"];
  const kind = KINDS.has(type as ActivityKind) ? (type as ActivityKind) : "other";
  const refs = (v: unknown): (string | null)[] =>
    list(v).flatMap((x) =>
      typeof x === "string" ? [x] : isObject(x) ? (idsOf(x).length ? idsOf(x) : [null]) : [""],
    );
  const actors = refs(activity.actor).map((a) => a ?? "");
  return { kind, ids: idsOf(activity), actors, objects: refs(activity.object) };
}
