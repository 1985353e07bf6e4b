import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { kv } from "../../db/schema/index.ts";
import { type ActorKeyJwks, generateActorKeys } from "./keys.ts";

const KEY = JSON.stringify(["tern", "instance-actor-keys"]);
/** Per database: processes (and tests) that open several keep each server's own pair. */
const cached = new WeakMap<Db, ActorKeyJwks>();

/**
 * The instance actor's key pairs, made on first use. Two processes racing here both generate a
 * pair, but only the first insert wins and both then read the same row.
 */
export async function getInstanceActorKeys(db: Db): Promise<ActorKeyJwks> {
  const hit = cached.get(db);
  if (hit) return hit;
  const read = async () =>
    (await db.select().from(kv).where(eq(kv.key, KEY)))[0]?.value as ActorKeyJwks | undefined;
  let keys = await read();
  if (!keys) {
    const fresh = await generateActorKeys();
    await db.insert(kv).values({ key: KEY, value: fresh }).onConflictDoNothing();
    keys = await read();
  }
  cached.set(db, keys!);
  return keys!;
}
