import { importJwk } from "@fedify/fedify";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { localUsers } from "../db/schema/index.ts";
import type { ActorKeyJwks } from "../services/accounts/keys.ts";

/** Imported CryptoKeys are costly to make; they never change, so keep them per account. */
const cache = new Map<string, CryptoKeyPair[]>();

export async function importKeyPairs(jwks: ActorKeyJwks): Promise<CryptoKeyPair[]> {
  return [
    {
      privateKey: await importJwk(jwks.rsaPrivateKey, "private"),
      publicKey: await importJwk(jwks.rsaPublicKey, "public"),
    },
    {
      privateKey: await importJwk(jwks.ed25519PrivateKey, "private"),
      publicKey: await importJwk(jwks.ed25519PublicKey, "public"),
    },
  ];
}

export async function localKeyPairs(db: Db, accountId: string): Promise<CryptoKeyPair[]> {
  const hit = cache.get(accountId);
  if (hit) return hit;
  const [row] = await db.select().from(localUsers).where(eq(localUsers.accountId, accountId));
  if (!row) return [];
  const pairs = await importKeyPairs(row as unknown as ActorKeyJwks);
  cache.set(accountId, pairs);
  return pairs;
}
