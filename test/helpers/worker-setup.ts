/**
 * Runs in each test worker before its file is imported: what src/main.js sets up before Tern's
 * module graph loads, so an in-process Tern loads as `npm start` does. Without the resolution
 * cache, resolving drizzle-orm's files parsed its 130 KB `exports` map some thousand times, about
 * a second of CPU per test file; the compile cache spares compiling the same packages again.
 */
import { enableCompileCache } from "node:module";
import { installPackageResolutionCache } from "../../src/lib/module-hooks.ts";

enableCompileCache?.();
installPackageResolutionCache();
