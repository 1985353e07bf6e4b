/** Key pairs of a local actor, as JWK: RSA for HTTP Signatures, Ed25519 for Object Integrity Proofs. */
export interface ActorKeyJwks {
  rsaPrivateKey: JsonWebKey;
  rsaPublicKey: JsonWebKey;
  ed25519PrivateKey: JsonWebKey;
  ed25519PublicKey: JsonWebKey;
}

export async function generateActorKeys(): Promise<ActorKeyJwks> {
  const rsa = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const ed = (await crypto.subtle.generateKey("Ed25519", true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const [rsaPrivateKey, rsaPublicKey, ed25519PrivateKey, ed25519PublicKey] = await Promise.all([
    crypto.subtle.exportKey("jwk", rsa.privateKey),
    crypto.subtle.exportKey("jwk", rsa.publicKey),
    crypto.subtle.exportKey("jwk", ed.privateKey),
    crypto.subtle.exportKey("jwk", ed.publicKey),
  ]);
  return { rsaPrivateKey, rsaPublicKey, ed25519PrivateKey, ed25519PublicKey };
}
