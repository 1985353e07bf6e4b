/**
 * CSV imports in Mastodon's formats: the file is checked and parsed at once (a bad file is a 4xx
 * with the reason, nothing stored), its rows kept in `imports`, and an `import.run` job works
 * through them in batches with the same services a user's clicks use, so that follows and blocks
 * federate as if done by hand. Rows that cannot be done (an unknown account, a post we cannot
 * see) are counted as failed; the import goes on.
 */
import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { accounts, type ImportType, imports, importTypes } from "../../db/schema/index.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { logger } from "../../lib/logger.ts";
import type { Account } from "../accounts/accounts.ts";
import { enqueueJob } from "../jobs.ts";
import { CsvError, parseCsv } from "./csv.ts";
import { applyOverwrite, importRow, type RowContext } from "./rows.ts";

const log = logger("services", "imports");

export type Import = typeof imports.$inferSelect;
export type ImportMode = Import["mode"];

/** The file cap: Mastodon's exports of a few thousand rows are tens of kilobytes. */
export const MAX_IMPORT_BYTES = 1024 * 1024;
/** Rows per file (as Mastodon capped follows imports). */
export const MAX_IMPORT_ROWS = 5_000;
/** Mastodon's FollowLimitValidator: at least this many follows are always allowed. */
const FOLLOW_LIMIT = 7_500;
/** Rows per job run: each may wait on a remote lookup, so a run stays well inside a lease. */
const BATCH = 20;

/** The columns each type's rows keep, in this order (Mastodon's headers). */
const COLUMNS: Record<ImportType, string[]> = {
  following: ["Account address", "Show boosts", "Notify on new posts", "Languages"],
  blocks: ["Account address"],
  mutes: ["Account address", "Hide notifications"],
  domain_blocks: ["#domain"],
  lists: ["List name", "Account address"],
  bookmarks: ["#uri"],
};
/** The columns a file without a header row is read as (and must at least have). */
const DEFAULT_HEADERS: Record<ImportType, string[]> = {
  following: ["Account address"],
  blocks: ["Account address"],
  mutes: ["Account address"],
  domain_blocks: ["#domain"],
  lists: ["List name", "Account address"],
  bookmarks: ["#uri"],
};
const KNOWN_FIRST_HEADERS = new Set(["Account address", "#domain", "#uri", "List name"]);

/** Mastodon's names for the same types (its import form's, its export paths'). */
const TYPE_ALIASES: Record<string, ImportType> = {
  follows: "following",
  blocking: "blocks",
  muting: "mutes",
  domain_blocking: "domain_blocks",
};

/** The import type a name means (Tern's or Mastodon's), or undefined. */
export function importTypeNamed(name: string): ImportType | undefined {
  if ((importTypes as readonly string[]).includes(name)) return name as ImportType;
  return TYPE_ALIASES[name];
}

/** Rails' boolean cast: "" is no value; "0", "f", "false", "off" are false; anything else true. */
function flag(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === "") return "";
  return ["0", "f", "false", "off"].includes(v) ? "false" : "true";
}

function normalize(header: string, value: string): string {
  switch (header) {
    case "Account address":
      return value.trim().replace(/^@/, "");
    case "Show boosts":
    case "Notify on new posts":
    case "Hide notifications":
      return flag(value);
    case "Languages":
      return value
        .split(",")
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean)
        .join(",");
    case "#domain":
      return value.trim().toLowerCase();
    default:
      return value.trim();
  }
}

/**
 * Reads a Mastodon export file into the rows an import keeps. A header row is used when its first
 * column is one Mastodon writes; otherwise the file is read as having the type's default columns.
 */
export function parseImportFile(type: ImportType, bytes: Uint8Array): string[][] {
  if (bytes.byteLength > MAX_IMPORT_BYTES)
    throw new AppError(413, `The file is too large (at most ${MAX_IMPORT_BYTES / 1024} KiB)`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError(422, "The file is not valid UTF-8 text");
  }
  let rows: string[][];
  try {
    rows = parseCsv(text, MAX_IMPORT_ROWS + 1);
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (error.message.startsWith("more than"))
      throw new AppError(422, `The file has more than ${MAX_IMPORT_ROWS} rows`);
    throw new AppError(422, `The file is not valid CSV: ${error.message}`);
  }
  if (rows.length === 0) throw new AppError(422, "The file is empty");
  const first = rows[0].map((h) => h.trim());
  const headers = KNOWN_FIRST_HEADERS.has(first[0]) ? first : DEFAULT_HEADERS[type];
  if (headers === first) rows.shift();
  const missing = DEFAULT_HEADERS[type].filter((h) => !headers.includes(h));
  if (missing.length)
    throw new AppError(
      422,
      `This file does not match the type ${type}: it has no ${missing.join(", ")} column`,
    );
  if (rows.length > MAX_IMPORT_ROWS)
    throw new AppError(422, `The file has more than ${MAX_IMPORT_ROWS} rows`);
  const at = COLUMNS[type].map((h) => headers.indexOf(h));
  return rows.map((row) => COLUMNS[type].map((h, i) => normalize(h, row[at[i]] ?? "")));
}

/** Checks the file, stores its rows and queues the job that works through them. */
export async function createImport(
  db: Db,
  me: Account,
  input: { type: ImportType; mode: ImportMode; data: Uint8Array },
): Promise<Import> {
  const rows = parseImportFile(input.type, input.data);
  if (input.type === "following") {
    const limit = Math.max(FOLLOW_LIMIT, Math.round(me.followersCount * 1.1));
    const room = input.mode === "overwrite" ? limit : limit - me.followingCount;
    if (rows.length > room)
      throw new AppError(422, `You cannot follow more than ${limit} accounts`);
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(imports)
      .values({
        id: newId(),
        accountId: me.id,
        type: input.type,
        mode: input.mode,
        rows,
        total: rows.length,
      })
      .returning();
    await enqueueJob(tx, { type: "import.run", importId: row.id });
    return row;
  });
}

/** One of the account's imports (someone else's is a 404, as if it did not exist). */
export async function getImport(db: Tx, accountId: string, id: string): Promise<Import> {
  const [row] = await db
    .select()
    .from(imports)
    .where(and(eq(imports.id, id), eq(imports.accountId, accountId)));
  if (!row) throw new AppError(404, "Record not found");
  return row;
}

/**
 * One run of the `import.run` job: the overwrite's removals on the first run, then the next
 * BATCH rows; queues itself again while rows remain. A run repeated after a crash redoes its
 * batch, which changes nothing (every row's action is idempotent).
 */
export async function runImportBatch(
  db: Db,
  importId: string,
  ctx: Omit<RowContext, "me" | "lists">,
): Promise<void> {
  const [imp] = await db.select().from(imports).where(eq(imports.id, importId));
  if (!imp || imp.state === "finished" || imp.state === "failed") return;
  const [me] = await db.select().from(accounts).where(eq(accounts.id, imp.accountId));
  if (!me) return;
  const rowCtx: RowContext = { ...ctx, me, lists: new Map() };
  if (imp.state === "queued") {
    if (imp.mode === "overwrite") await applyOverwrite(db, imp.type, imp.rows, rowCtx);
    await db.update(imports).set({ state: "running" }).where(eq(imports.id, imp.id));
  }
  const batch = imp.rows.slice(imp.processed, imp.processed + BATCH);
  let failed = 0;
  for (const row of batch) {
    try {
      if (!(await importRow(db, imp.type, row, rowCtx))) failed++;
    } catch (error) {
      failed++;
      if (!(error instanceof AppError))
        log.warn("Import {id}: a {type} row failed: {error}", {
          id: imp.id,
          type: imp.type,
          error,
        });
    }
  }
  const processed = imp.processed + batch.length;
  const done = processed >= imp.total;
  await db.transaction(async (tx) => {
    await tx
      .update(imports)
      .set({
        processed,
        failed: imp.failed + failed,
        // Done: the rows are no longer needed (the counts stay for the user to see).
        ...(done ? { state: "finished" as const, finishedAt: new Date(), rows: [] } : {}),
      })
      .where(eq(imports.id, imp.id));
    if (!done) await enqueueJob(tx, { type: "import.run", importId: imp.id });
  });
}
