import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh secret: `bytes` random bytes, base64url (32 bytes -> 43 characters). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Tokens and codes are stored as this hash only: a database leak does not leak credentials. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Constant-time string comparison (by hashing first, so lengths may differ). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a === b;
}
