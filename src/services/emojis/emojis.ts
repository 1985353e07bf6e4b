import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Config } from "../../config/index.ts";
import { type Db, queryRows, type Tx } from "../../db/client.ts";
import { customEmojis } from "../../db/schema/index.ts";
import { AppError, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { mediaStorage } from "../../lib/storage/index.ts";
import { INPUT_MAX_PIXELS, loadSharp, probeImage } from "../media/image.ts";
import { storageKey } from "../media/media.ts";
import { sniff } from "../media/sniff.ts";

export type CustomEmoji = typeof customEmojis.$inferSelect;

/** Mastodon's rules: shortcodes of letters, digits and `_` (2 or more), files up to 256 KiB. */
export const SHORTCODE = /^[a-zA-Z0-9_]{2,64}$/;
export const EMOJI_MAX_BYTES = 256 * 1024;
/** The still picture clients show with reduced motion: at most this wide and high. */
const STATIC_MAX = 128;

const MIME = { png: "image/png", gif: "image/gif", webp: "image/webp", jpeg: "image/jpeg" };

/** Local emoji offered in pickers (`GET /api/v1/custom_emojis`), by shortcode. */
export async function listLocalEmojis(db: Tx): Promise<CustomEmoji[]> {
  return db
    .select()
    .from(customEmojis)
    .where(and(isNull(customEmojis.domain), eq(customEmojis.disabled, false)))
    .orderBy(asc(customEmojis.shortcode));
}

/**
 * Adds a local emoji from an image file: the file is stored as given (animated GIF and WebP stay
 * animated) once its bytes prove it a picture, with a static PNG next to it. A shortcode in use is
 * a 422 and nothing is stored.
 */
export async function addLocalEmoji(
  db: Db,
  config: Config,
  shortcode: string,
  bytes: Uint8Array,
  category: string | null = null,
): Promise<CustomEmoji> {
  if (!SHORTCODE.test(shortcode))
    throw new AppError(422, "Validation failed: a shortcode is 2 to 64 letters, digits or _");
  const sniffed = sniff(bytes);
  if (sniffed?.kind !== "image" || sniffed.format === "heif")
    throw new AppError(422, "Validation failed: the emoji must be a PNG, GIF, WebP or JPEG image");
  if (bytes.byteLength > EMOJI_MAX_BYTES)
    throw new AppError(422, "Validation failed: an emoji file may be at most 256 KiB");
  const [taken] = await db
    .select({ id: customEmojis.id })
    .from(customEmojis)
    .where(and(eq(customEmojis.shortcode, shortcode), isNull(customEmojis.domain)));
  if (taken) throw new AppError(422, `Validation failed: the shortcode :${shortcode}: is taken`);
  await probeImage(bytes);
  const sharp = await loadSharp();
  let still: Buffer;
  try {
    still = await sharp(bytes, { limitInputPixels: INPUT_MAX_PIXELS })
      .resize(STATIC_MAX, STATIC_MAX, { fit: "inside", withoutEnlargement: true })
      .png()
      .toBuffer();
  } catch (error) {
    throw new AppError(422, "Validation failed: the image is corrupt or truncated", error);
  }
  const storage = mediaStorage(config);
  // Keys are `<random>/<letters>.<ext>`: the same folder holds the file and its still.
  const fileKey = storageKey("emoji", sniffed.format);
  const staticKey = staticKeyOf(fileKey);
  await storage.put(fileKey, bytes, MIME[sniffed.format]);
  await storage.put(staticKey, new Uint8Array(still), "image/png");
  try {
    const [row] = await db
      .insert(customEmojis)
      .values({
        id: newId(),
        shortcode,
        domain: null,
        uri: `${config.publicUrl}/emojis/${shortcode}`,
        imageUrl: storage.url(fileKey),
        staticUrl: storage.url(staticKey),
        fileKey,
        category,
      })
      .returning();
    return row;
  } catch (error) {
    await storage.delete([fileKey, staticKey]).catch(() => {});
    throw error;
  }
}

/** Removes a local emoji and its files; posts that used it show the bare `:shortcode:` again. */
export async function removeLocalEmoji(db: Db, config: Config, shortcode: string): Promise<void> {
  const [row] = await db
    .delete(customEmojis)
    .where(and(eq(customEmojis.shortcode, shortcode), isNull(customEmojis.domain)))
    .returning();
  if (!row) throw notFound(`No local emoji :${shortcode}:`);
  if (row.fileKey)
    await mediaStorage(config)
      .delete([row.fileKey, staticKeyOf(row.fileKey)])
      .catch(() => {});
}

const staticKeyOf = (fileKey: string) => fileKey.replace(/\/emoji\.[a-z]+$/, "/emojistatic.png");

export interface RemoteEmoji {
  shortcode: string;
  uri: string | null;
  url: string;
}

/** At most this many emoji are kept from one remote post or profile. */
export const MAX_REMOTE_EMOJIS = 50;

/**
 * Stores (or refreshes) emoji seen in a remote post or profile, keyed by shortcode and domain:
 * one statement for the lot. Only http(s) image URLs are kept (they end up in clients' <img>).
 */
export async function upsertRemoteEmojis(
  db: Tx,
  domain: string,
  emojis: RemoteEmoji[],
): Promise<void> {
  const seen = new Map<string, RemoteEmoji>();
  for (const e of emojis) {
    if (!SHORTCODE.test(e.shortcode) || !/^https?:\/\//i.test(e.url) || e.url.length > 2048)
      continue;
    if (seen.size >= MAX_REMOTE_EMOJIS) break;
    seen.set(e.shortcode, e);
  }
  if (seen.size === 0) return;
  const values = sql.join(
    [...seen.values()].map(
      (e) =>
        sql`(${newId()}, ${e.shortcode}, ${domain}, ${e.uri?.slice(0, 2048) ?? null}, ${e.url}, ${e.url})`,
    ),
    sql`, `,
  );
  await db.execute(sql`insert into custom_emojis (id, shortcode, domain, uri, image_url, static_url)
    values ${values}
    on conflict (shortcode, coalesce(domain, '')) do update
      set uri = excluded.uri, image_url = excluded.image_url, static_url = excluded.static_url,
          updated_at = now()
      where custom_emojis.image_url is distinct from excluded.image_url
         or custom_emojis.uri is distinct from excluded.uri`);
}

const SHORTCODE_IN_TEXT = /:([a-zA-Z0-9_]{2,64}):/g;

/** The `:shortcodes:` a text uses, at most 100. */
export function shortcodesIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(SHORTCODE_IN_TEXT)) {
    found.add(m[1]);
    if (found.size >= 100) break;
  }
  return [...found];
}

/** A text and the domain of whoever wrote it (null: local), for `emojisFor`. */
export interface EmojiSource {
  domain: string | null;
  texts: string[];
}

const keyOf = (domain: string | null, shortcode: string) => `${domain ?? ""}\n${shortcode}`;

/**
 * Looks up, in one query for a whole page, the emoji each source's texts use, among those of its
 * author's server (Mastodon resolves a remote post's `:code:` only against its own server's
 * emoji). Returns, for each source in order, the emoji found.
 */
export async function emojisFor(db: Tx, sources: EmojiSource[]): Promise<CustomEmoji[][]> {
  const wanted = sources.map((s) => ({
    domain: s.domain,
    codes: [...new Set(s.texts.flatMap(shortcodesIn))],
  }));
  const pairs = new Map<string, { domain: string | null; code: string }>();
  for (const w of wanted)
    for (const code of w.codes) pairs.set(keyOf(w.domain, code), { domain: w.domain, code });
  if (pairs.size === 0) return sources.map(() => []);
  const list = [...pairs.values()];
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select e.* from custom_emojis e
      join (values ${sql.join(
        list.map((p) => sql`(${p.code}, ${p.domain ?? ""})`),
        sql`, `,
      )}) as w(code, domain)
        on e.shortcode = w.code and coalesce(e.domain, '') = w.domain
      where not e.disabled`,
  );
  const found = new Map<string, CustomEmoji>();
  for (const r of rows) {
    const e = fromRow(r);
    found.set(keyOf(e.domain, e.shortcode), e);
  }
  return wanted.map((w) =>
    w.codes.flatMap((code) => {
      const e = found.get(keyOf(w.domain, code));
      return e ? [e] : [];
    }),
  );
}

/** Raw rows come back snake_case. */
function fromRow(r: Record<string, unknown>): CustomEmoji {
  return {
    id: String(r.id),
    shortcode: String(r.shortcode),
    domain: (r.domain as string | null) ?? null,
    uri: (r.uri as string | null) ?? null,
    imageUrl: String(r.image_url),
    staticUrl: (r.static_url as string | null) ?? null,
    fileKey: (r.file_key as string | null) ?? null,
    category: (r.category as string | null) ?? null,
    visibleInPicker: Boolean(r.visible_in_picker),
    disabled: Boolean(r.disabled),
    createdAt: new Date(r.created_at as string),
    updatedAt: new Date(r.updated_at as string),
  };
}

/** The emoji an account's name, bio and profile fields use (for its actor document). */
export async function profileEmojis(
  db: Tx,
  account: {
    domain: string | null;
    displayName: string;
    note: string;
    fields: { name: string; value: string }[];
  },
): Promise<CustomEmoji[]> {
  const texts = [
    account.displayName,
    account.note,
    ...account.fields.flatMap((f) => [f.name, f.value]),
  ];
  return (await emojisFor(db, [{ domain: account.domain, texts }]))[0];
}
