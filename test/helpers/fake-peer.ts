import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { signRequest } from "@fedify/fedify";
import { freePort } from "./process.ts";

export interface Delivery {
  path: string;
  activity: Record<string, unknown>;
  /** Set once the peer has answered this delivery. */
  answered: boolean;
}

/**
 * A minimal remote ActivityPub server on loopback: actors (`/users/<name>`) with a real RSA key,
 * an inbox that records what arrives, and a way to send signed activities. `hold` makes the inbox
 * leave matching deliveries hanging, as a slow or dying peer would.
 */
export class FakePeer {
  readonly deliveries: Delivery[] = [];
  hold: (activity: Record<string, unknown>) => boolean = () => false;
  /** The status an inbox answers a delivery with (202 unless told otherwise: 410, 503...). */
  inboxStatus: (path: string) => number = () => 202;
  /** The status an actor's document is served with (200 unless told otherwise: 410...). */
  actorStatus: (name: string) => number = () => 200;
  #server!: Server;
  #keys!: CryptoKeyPair;
  #held: ServerResponse[] = [];
  origin = "";

  get actorId(): string {
    return this.actorIdOf("eve");
  }

  /** Any name is an actor here (all share one key pair), each with its own inbox. */
  actorIdOf(name: string): string {
    return `${this.origin}/users/${name}`;
  }

  async start(): Promise<this> {
    this.#keys = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const port = await freePort();
    this.origin = `http://127.0.0.1:${port}`;
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server.listen(port, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.#held) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Lets held deliveries go (they were already cut when the sender died). */
  release(): void {
    this.hold = () => false;
  }

  async send(inboxUrl: string, activity: Record<string, unknown>, as = "eve"): Promise<Response> {
    return fetch(await this.sign(inboxUrl, activity, as));
  }

  /** A GET of `url` for ActivityPub JSON, signed (draft-cavage) by the actor `as`. */
  async signedGet(url: string, as = "eve"): Promise<Request> {
    const request = new Request(url, { headers: { accept: "application/activity+json" } });
    return signRequest(request, this.#keys.privateKey, new URL(`${this.actorIdOf(as)}#main-key`), {
      spec: "draft-cavage-http-signatures-12",
    });
  }

  /** A POST of `activity` to `inboxUrl`, signed (draft-cavage) by the actor `as`. */
  async sign(inboxUrl: string, activity: Record<string, unknown>, as = "eve"): Promise<Request> {
    const body = JSON.stringify({
      "@context": "https://www.w3.org/ns/activitystreams",
      ...activity,
    });
    const request = new Request(inboxUrl, {
      method: "POST",
      headers: { "content-type": "application/activity+json" },
      body,
    });
    return signRequest(request, this.#keys.privateKey, new URL(`${this.actorIdOf(as)}#main-key`), {
      spec: "draft-cavage-http-signatures-12",
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const actor = /^\/users\/([a-z0-9_]+)$/.exec(req.url ?? "");
    if (req.method === "GET" && actor) {
      const status = this.actorStatus(actor[1]);
      if (status !== 200) {
        res.writeHead(status);
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/activity+json" });
      res.end(JSON.stringify(await this.#actor(actor[1])));
      return;
    }
    if (req.method === "POST" && /^\/users\/[a-z0-9_]+\/inbox$/.test(req.url ?? "")) {
      const activity = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const delivery: Delivery = { path: req.url ?? "", activity, answered: false };
      this.deliveries.push(delivery);
      if (this.hold(activity)) {
        this.#held.push(res);
        return;
      }
      delivery.answered = true;
      res.writeHead(this.inboxStatus(req.url ?? ""));
      res.end();
      return;
    }
    res.writeHead(404);
    res.end();
  }

  async #actor(name: string) {
    const id = this.actorIdOf(name);
    const spki = Buffer.from(await crypto.subtle.exportKey("spki", this.#keys.publicKey)).toString(
      "base64",
    );
    const pem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join("\n")}\n-----END PUBLIC KEY-----\n`;
    return {
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
      id,
      type: "Person",
      preferredUsername: name,
      name,
      inbox: `${id}/inbox`,
      outbox: `${id}/outbox`,
      followers: `${id}/followers`,
      publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: pem },
    };
  }
}
