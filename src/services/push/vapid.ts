import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { instanceSettings } from "../../db/schema/index.ts";

/** The server's VAPID key pair (RFC 8292), base64url as browsers' `applicationServerKey` takes. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const SETTING = "vapid";
/** Read once per database handle: the pair never changes once made. */
const cache = new WeakMap<object, VapidKeys>();

/**
 * The VAPID pair, made at first start and kept in instance_settings. Two processes starting
 * together both generate one; the insert that lands first wins and both read it back.
 */
export async function loadVapidKeys(db: Tx): Promise<VapidKeys> {
  const cached = cache.get(db);
  if (cached) return cached;
  const read = async () =>
    (await db.select().from(instanceSettings).where(eq(instanceSettings.key, SETTING)))[0]?.value as
      | VapidKeys
      | undefined;
  let keys = await read();
  if (!keys) {
    // web-push is loaded only here and to deliver: a process that pushes nothing never loads it.
    const { default: webpush } = await import("web-push");
    const made = webpush.generateVAPIDKeys();
    await db
      .insert(instanceSettings)
      .values({ key: SETTING, value: { publicKey: made.publicKey, privateKey: made.privateKey } })
      .onConflictDoNothing();
    keys = await read();
  }
  if (!keys) throw new Error("VAPID keys could not be stored");
  cache.set(db, keys);
  return keys;
}

/** The public key for entities (apps, instance); start-up loads it (server.ts), else "". */
export function vapidPublicKey(db: Tx): string {
  return cache.get(db)?.publicKey ?? "";
}
