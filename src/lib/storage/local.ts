import { mkdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { Config } from "../../config/index.ts";
import type { MediaStorage } from "./index.ts";

/** Keys are made by Tern (`<hex>/<name>.<ext>`); anything else is refused before touching the disk. */
export const STORAGE_KEY_RE = /^[0-9a-f]{32}\/[a-z]+\.[a-z0-9]{2,5}$/;

/** Files under DATA_DIR/media, served by Tern itself at /media/<key> (web/media.ts). */
export class LocalDiskStorage implements MediaStorage {
  readonly root: string;
  readonly #publicUrl: string;
  constructor(config: Pick<Config, "dataDir" | "publicUrl">) {
    this.root = resolve(config.dataDir, "media");
    this.#publicUrl = config.publicUrl;
  }

  /** The file's path, or null for a key Tern could not have made (no `..` ever reaches fs). */
  pathOf(key: string): string | null {
    if (!STORAGE_KEY_RE.test(key)) return null;
    const path = join(this.root, key);
    return path.startsWith(this.root + sep) ? path : null;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    if (!path) throw new Error(`Invalid storage key ${key}`);
    await mkdir(dirname(path), { recursive: true });
    // Written aside and renamed would be atomic; a half-written file is never referenced by a
    // row anyway (rows are updated after put resolves).
    await writeFile(path, bytes);
  }

  async get(key: string): Promise<Uint8Array<ArrayBuffer> | null> {
    const path = this.pathOf(key);
    if (!path) return null;
    try {
      return new Uint8Array(await readFile(path));
    } catch {
      return null;
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      const path = this.pathOf(key);
      if (!path) continue;
      await rm(path, { force: true });
      // The key's directory holds only this media's files.
      await rmdir(dirname(path)).catch(() => {});
    }
  }

  url(key: string): string {
    return `${this.#publicUrl}/media/${key}`;
  }
}
