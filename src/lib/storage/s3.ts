import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Config } from "../../config/index.ts";
import type { MediaStorage } from "./index.ts";

/** The SDK is large: loaded on first use, so servers on local storage never load it. */
const sdk = () => import("@aws-sdk/client-s3");

/** Media in an S3-compatible bucket, served by the bucket (or a CDN) at S3_PUBLIC_URL. */
export class S3Storage implements MediaStorage {
  readonly #config: S3Config;
  #client: Promise<S3Client> | undefined;
  constructor(config: S3Config) {
    this.#config = config;
  }

  #clientOf(): Promise<S3Client> {
    this.#client ??= sdk().then((m) => this.#make(m.S3Client));
    return this.#client;
  }

  #make(Client: typeof S3Client): S3Client {
    const config = this.#config;
    return new Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Checksums only where S3 requires them: many S3-compatible servers refuse the SDK's newer
      // default (a CRC32 trailer on every upload).
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const { PutObjectCommand } = await sdk();
    await (await this.#clientOf()).send(
      new PutObjectCommand({
        Bucket: this.#config.bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        // The same headers Tern sends for files on its own disk (web/media.ts).
        CacheControl: "public, max-age=31536000, immutable",
        ContentDisposition: "inline",
      }),
    );
  }

  async get(key: string): Promise<Uint8Array<ArrayBuffer> | null> {
    const { GetObjectCommand, NoSuchKey } = await sdk();
    try {
      const out = await (await this.#clientOf()).send(
        new GetObjectCommand({ Bucket: this.#config.bucket, Key: key }),
      );
      return out.Body ? new Uint8Array(await out.Body.transformToByteArray()) : null;
    } catch (error) {
      if (error instanceof NoSuchKey) return null;
      throw error;
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const { DeleteObjectsCommand } = await sdk();
    await (await this.#clientOf()).send(
      new DeleteObjectsCommand({
        Bucket: this.#config.bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }

  url(key: string): string {
    return `${this.#config.publicUrl}/${key}`;
  }
}
