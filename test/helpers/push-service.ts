import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
} from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";

/** A browser's side of a push subscription: its P-256 key pair and auth secret. */
export class PushKeys {
  readonly ecdh = createECDH("prime256v1");
  readonly auth = randomBytes(16);
  readonly publicKey: Buffer;

  constructor() {
    this.publicKey = this.ecdh.generateKeys();
  }

  get p256dh(): string {
    return this.publicKey.toString("base64url");
  }

  get authSecret(): string {
    return this.auth.toString("base64url");
  }
}

export interface ReceivedPush {
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** A push service stand-in on loopback: records every message, answers what `answer` says. */
export class PushService {
  readonly received: ReceivedPush[] = [];
  private server: Server;
  url = "";

  constructor(answer: (path: string) => number = () => 201) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.received.push({
          path: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        res.writeHead(answer(req.url ?? "")).end();
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const hkdf = (ikm: Buffer, salt: Buffer, info: Buffer, length: number) =>
  Buffer.from(hkdfSync("sha256", ikm, salt, info, length));

function gcmOpen(key: Buffer, nonce: Buffer, data: Buffer): Buffer {
  const decipher = createDecipheriv("aes-128-gcm", key, nonce);
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
}

/** RFC 8291 with RFC 8188's aes128gcm: salt, record size and the sender's key in the body. */
export function decryptAes128gcm(keys: PushKeys, body: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const senderKey = body.subarray(21, 21 + idlen);
  const secret = keys.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), keys.publicKey, senderKey]);
  const ikm = hkdf(secret, keys.auth, keyInfo, 32);
  const cek = hkdf(ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16);
  const nonce = hkdf(ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12);
  const padded = gcmOpen(cek, nonce, body.subarray(21 + idlen));
  // The last record ends with the delimiter 0x02 and zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("no padding delimiter");
  return padded.subarray(0, end).toString("utf8");
}

/** The legacy aesgcm encoding: salt in `Encryption`, the sender's key in `Crypto-Key: dh=`. */
export function decryptAesgcm(keys: PushKeys, headers: IncomingMessage["headers"], body: Buffer) {
  const param = (header: string | string[] | undefined, name: string) =>
    Buffer.from(new RegExp(`${name}=([^;,]+)`).exec(String(header))![1], "base64url");
  const salt = param(headers.encryption, "salt");
  const senderKey = param(headers["crypto-key"], "dh");
  const secret = keys.ecdh.computeSecret(senderKey);
  const ikm = hkdf(secret, keys.auth, Buffer.from("Content-Encoding: auth\0"), 32);
  const length = (k: Buffer) => Buffer.from([0, k.length]);
  const context = Buffer.concat([
    Buffer.from("P-256\0"),
    length(keys.publicKey),
    keys.publicKey,
    length(senderKey),
    senderKey,
  ]);
  const cek = hkdf(
    ikm,
    salt,
    Buffer.concat([Buffer.from("Content-Encoding: aesgcm\0"), context]),
    16,
  );
  const nonce = hkdf(
    ikm,
    salt,
    Buffer.concat([Buffer.from("Content-Encoding: nonce\0"), context]),
    12,
  );
  const padded = gcmOpen(cek, nonce, body);
  const pad = padded.readUInt16BE(0);
  return padded.subarray(2 + pad).toString("utf8");
}

/** Verifies a VAPID JWT (ES256) against the server's public key; returns its claims. */
export function verifyVapidJwt(jwt: string, publicKey: string): Record<string, unknown> {
  const [header, claims, signature] = jwt.split(".");
  const raw = Buffer.from(publicKey, "base64url");
  const key = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: raw.subarray(1, 33).toString("base64url"),
      y: raw.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
  const ok = verify(
    "sha256",
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!ok) throw new Error("VAPID signature does not verify");
  expect(JSON.parse(Buffer.from(header, "base64url").toString())).toMatchObject({ alg: "ES256" });
  return JSON.parse(Buffer.from(claims, "base64url").toString()) as Record<string, unknown>;
}
