import type { InboxContext } from "@fedify/fedify";
import { Accept, type Activity, Create, Delete, Reject, Undo, Update } from "@fedify/vocab";
import { logger } from "../../lib/logger.ts";
import type { FedContext } from "../context.ts";
import { type ActivityClaims, type ActivityKind, claimsProblem } from "../origin-rules.ts";
import { storedSender } from "./shared.ts";

const log = logger("federation", "inbox");

const KIND_OF: [new (...args: never[]) => Activity, ActivityKind][] = [
  [Create, "Create"],
  [Update, "Update"],
  [Delete, "Delete"],
  [Accept, "Accept"],
  [Reject, "Reject"],
  [Undo, "Undo"],
];

/** The claims of an activity as Fedify parsed it: whatever JSON-LD spelling the sender used. */
export function parsedClaims(activity: Activity): ActivityClaims {
  const kind = KIND_OF.find(([cls]) => activity instanceof cls)?.[1] ?? "other";
  const objects: (string | null)[] = activity.objectIds.map((u) => u.href);
  // An embedded object without an id has no entry in objectIds.
  if (objects.length === 0 && (kind === "Create" || kind === "Update")) objects.push(null);
  return {
    kind,
    ids: activity.id ? [activity.id.href] : [],
    actors: activity.actorIds.map((u) => u.href),
    objects,
  };
}

type Listener<A extends Activity> = (ctx: InboxContext<FedContext>, activity: A) => Promise<void>;

/**
 * Every inbox listener is registered through this: the origin rules are checked on the parsed
 * activity before the listener sees it, and an activity that breaks them is dropped (it was
 * answered 202 already; the raw-JSON guard refuses the plain forgeries with a 400 earlier).
 */
export function checked<A extends Activity>(listener: Listener<A>): Listener<A> {
  return async (ctx, activity) => {
    const problem = claimsProblem(parsedClaims(activity), ctx.data.config.publicUrl);
    if (problem) {
      log.info("Dropped {id} from {actor}: {problem}", {
        id: activity.id?.href,
        actor: activity.actorId?.href,
        problem,
      });
      return;
    }
    // A suspended actor's activities are dropped, except those that take something back
    // (Delete, Undo, Reject), as Mastodon lets through.
    const takesBack =
      activity instanceof Delete || activity instanceof Undo || activity instanceof Reject;
    if (!takesBack && (await storedSender(ctx, activity))?.suspendedAt) {
      log.info("Dropped {id} from suspended {actor}", {
        id: activity.id?.href,
        actor: activity.actorId?.href,
      });
      return;
    }
    await listener(ctx, activity);
  };
}
