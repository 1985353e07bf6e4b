/**
 * A shortcut for Node's ESM resolution of installed packages, installed by main.js before the
 * server's module graph is loaded.
 *
 * Why: Node 24 looks up the package scope of every `.js` file it resolves to learn its module
 * type, and each lookup parses the package.json `exports` map again (getPackageScopeConfig spreads
 * a lazily parsed field). drizzle-orm's map is 130 KB and its ~100 files are imported some
 * thousand times: ~250 ms of start-up and, since the parsed copies outlive the young generation,
 * ~140 MB of old-space garbage that the heap keeps as resident memory after start-up.
 *
 * What: the answer Node gives is remembered and reused where it cannot differ:
 * - a bare specifier (`drizzle-orm/pg-core`) imported from the same package (or from our own
 *   code, outside node_modules) always resolves to the same file;
 * - a relative `./x.js` imported from inside node_modules resolves to that file, whose module
 *   type is that of the other files of its folder, learnt from Node once per folder.
 * Anything else (our own files, `require`, a missing file) goes to Node's own resolution.
 */
import { statSync } from "node:fs";
import { registerHooks } from "node:module";

type ResolveResult = { url: string; format?: string | null };

/** The folder of a package (`…/node_modules/@scope/name/`), or "" outside node_modules. */
function packageRoot(url: string): string {
  const at = url.lastIndexOf("/node_modules/");
  if (at < 0) return "";
  const rest = url.slice(at + "/node_modules/".length).split("/");
  const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  return `${url.slice(0, at)}/node_modules/${name}/`;
}

const isRelative = (specifier: string) => specifier.startsWith("./") || specifier.startsWith("../");
const folderOf = (url: string) => url.slice(0, url.lastIndexOf("/") + 1);
const extensionOf = (url: string) => url.slice(url.lastIndexOf("."));

function isFile(url: string): boolean {
  try {
    return statSync(new URL(url)).isFile();
  } catch {
    return false;
  }
}

export function installPackageResolutionCache(): void {
  // Node 22.15 and later; without it, resolution is Node's own (correct, only slower).
  if (typeof registerHooks !== "function") return;
  const bare = new Map<string, ResolveResult>();
  /** Module format of the `.js`/`.mjs`/`.cjs` files of a folder inside node_modules. */
  const folderFormat = new Map<string, string | null | undefined>();
  registerHooks({
    resolve(specifier, context, next) {
      const parent = context.parentURL;
      if (!parent?.startsWith("file:") || !context.conditions.includes("import")) {
        return next(specifier, context);
      }
      if (isRelative(specifier)) {
        if (!parent.includes("/node_modules/") || !/\.[cm]?js$/.test(specifier)) {
          return next(specifier, context);
        }
        const url = new URL(specifier, parent).href;
        const key = folderOf(url) + extensionOf(url);
        if (folderFormat.has(key) && isFile(url)) {
          return { url, format: folderFormat.get(key), shortCircuit: true };
        }
        const result = next(specifier, context);
        if (result.url === url) folderFormat.set(key, result.format);
        return result;
      }
      if (specifier.startsWith("node:") || specifier.startsWith("#") || specifier.includes(":")) {
        return next(specifier, context);
      }
      const key = `${packageRoot(parent)}\0${specifier}\0${context.conditions.join()}`;
      const known = bare.get(key);
      if (known) return { ...known, shortCircuit: true };
      const result = next(specifier, context);
      bare.set(key, { url: result.url, format: result.format });
      return result;
    },
  });
}
