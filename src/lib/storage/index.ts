import type { Config } from "../../config/index.ts";
import { LocalDiskStorage } from "./local.ts";
import { S3Storage } from "./s3.ts";

/**
 * Where media files live. Keys look like `<random>/<name>.<ext>`: the random part makes the URL
 * of a followers-only picture unguessable. Every web host and worker of one server must see the
 * same storage (one shared disk, or S3-compatible object storage).
 */
export interface MediaStorage {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The bytes, or null when there is no such file. */
  get(key: string): Promise<Uint8Array<ArrayBuffer> | null>;
  /** Deletes the files; missing ones are no error. */
  delete(keys: string[]): Promise<void>;
  /** The public URL clients and peers load the file from. */
  url(key: string): string;
}

const byConfig = new WeakMap<Config, MediaStorage>();

/** The storage `config` describes (S3 when S3_BUCKET is set, else DATA_DIR/media); one per config. */
export function mediaStorage(config: Config): MediaStorage {
  let storage = byConfig.get(config);
  if (!storage) {
    storage = config.s3 ? new S3Storage(config.s3) : new LocalDiskStorage(config);
    byConfig.set(config, storage);
  }
  return storage;
}
