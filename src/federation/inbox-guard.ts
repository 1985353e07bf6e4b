import type { Context, Next } from "hono";
import { logger } from "../lib/logger.ts";

const log = logger("federation", "inbox-guard");

/** Activities larger than this are refused before anything parses them. */
export const MAX_ACTIVITY_BYTES = 512 * 1024;
const INBOX_PATH = /^\/(inbox|users\/[^/]+\/inbox)\/?$/;

type Json = Record<string, unknown>;
const idOf = (v: unknown): string | undefined =>
  typeof v === "string"
    ? v
    : v && typeof v === "object" && typeof (v as Json).id === "string"
      ? ((v as Json).id as string)
      : undefined;
const originOf = (s: string | undefined): string | undefined => {
  if (!s) return undefined;
  try {
    return new URL(s).origin;
  } catch {
    return undefined;
  }
};

/**
 * Cheap checks on inbox POSTs before Fedify verifies the signature: a size cap, valid JSON, and
 * one origin for the activity id, its actor and (for Create/Update) its object. Fedify then
 * checks that the signing key belongs to that actor, so id, actor and key share one origin.
 */
export function inboxGuard() {
  return async (c: Context, next: Next) => {
    if (c.req.method !== "POST" || !INBOX_PATH.test(c.req.path)) return next();
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_ACTIVITY_BYTES) return c.json({ error: "Activity is too large" }, 413);
    const text = await c.req.raw.clone().text();
    if (Buffer.byteLength(text) > MAX_ACTIVITY_BYTES)
      return c.json({ error: "Activity is too large" }, 413);
    let activity: Json;
    try {
      activity = JSON.parse(text);
    } catch {
      return c.json({ error: "Body is not valid JSON" }, 400);
    }
    const problem = originProblem(activity);
    if (problem) {
      log.info("Refused activity {id}: {problem}", { id: activity?.id, problem });
      return c.json({ error: problem }, 400);
    }
    return next();
  };
}

export function originProblem(activity: Json): string | null {
  if (!activity || typeof activity !== "object" || Array.isArray(activity))
    return "Activity must be a JSON object";
  const actor = originOf(idOf(activity.actor));
  if (!actor) return "Activity has no valid actor";
  const id = originOf(idOf(activity.id));
  // snac mints Undo ids under the receiver's URL space; an Undo only reverts the signer's own
  // relations (checked by its listener), so its id origin is not held against it.
  if (activity.type !== "Undo" && id !== undefined && id !== actor)
    return "Activity id and actor have different origins";
  if (activity.type === "Create" || activity.type === "Update") {
    const object = originOf(idOf(activity.object));
    if (object && object !== actor) return "Object id and actor have different origins";
  }
  return null;
}
