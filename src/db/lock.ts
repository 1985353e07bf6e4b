import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * PGlite is one process's database: a second process opening the same folder corrupts it. A lock
 * file with the owner's pid keeps others out; a lock left by a dead process is taken over.
 * (A module of its own, light to import: the CLI checks the lock before it loads anything else.)
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, "tern.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = embeddedDatabaseOwner(dataDir);
      if (owner !== null && owner !== process.pid) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${owner}: stop the Tern server ` +
            "first, or set DATABASE_URL to use PostgreSQL with several processes",
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock ${file}`);
}

/**
 * The pid of the live process holding the embedded database in `dataDir` (its lock file), or null
 * when nobody does. The CLI asks it to know whether to talk to a running server instead.
 */
export function embeddedDatabaseOwner(dataDir: string): number | null {
  let owner: number;
  try {
    owner = Number(readFileSync(join(dataDir, "tern.lock"), "utf8"));
  } catch {
    return null;
  }
  return owner && isAlive(owner) ? owner : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
