import {
  DeleteObjectsCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { S3Config } from "../../config/index.ts";
import type { MediaStorage } from "./index.ts";

/** Media in an S3-compatible bucket, served by the bucket (or a CDN) at S3_PUBLIC_URL. */
export class S3Storage implements MediaStorage {
  readonly #client: S3Client;
  readonly #config: S3Config;
  constructor(config: S3Config) {
    this.#config = config;
    this.#client = new S3Client({
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
    await this.#client.send(
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
    try {
      const out = await this.#client.send(
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
    await this.#client.send(
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
