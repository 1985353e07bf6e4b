import { fileURLToPath } from "node:url";
import type { Database } from "./client.ts";

const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));
/** Arbitrary, fixed: every Tern process takes this advisory lock before migrating. */
const MIGRATION_LOCK_ID = 7_374_600_001;

/**
 * Applies pending drizzle-kit migrations. Safe when several processes start together: they take
 * turns on an advisory lock, and those that come second find nothing left to apply.
 */
export async function migrate(database: Database): Promise<void> {
  await database.withAdvisoryLock(MIGRATION_LOCK_ID, async () => {
    if (database.kind === "postgres") {
      const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
      // biome-ignore lint/suspicious/noExplicitAny: the driver-specific type is erased in Db
      await run(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
    } else {
      const { migrate: run } = await import("drizzle-orm/pglite/migrator");
      // biome-ignore lint/suspicious/noExplicitAny: the driver-specific type is erased in Db
      await run(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
    }
  });
}
