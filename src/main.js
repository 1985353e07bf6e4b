/**
 * Process entry: what must be in place before the server's ~800 modules are loaded (static imports
 * would all be resolved before any of this ran), then start.ts reads the config, assembles the
 * server and listens.
 *
 * JavaScript, not TypeScript, and importing nothing of Tern's statically: Node strips a .ts
 * file's types with a WebAssembly compiler it loads on first use, which then stays resident
 * (~16 MB of RSS, and its load on every start). The entry and anything loaded before the compile
 * cache is on would need it; every later .ts file's stripped text comes from that cache.
 */
import { enableCompileCache } from "node:module";
import { setFlagsFromString } from "node:v8";

// V8's compiled code and the stripped TypeScript are kept on disk (NODE_COMPILE_CACHE, else the
// temporary folder): a restart skips most of compiling and all of type stripping.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache?.();
const { installPackageResolutionCache } = await import("./lib/module-hooks.ts");
installPackageResolutionCache();
// Loading makes V8 double its young generation up to 64 MB, which it then keeps, nearly empty, as
// resident memory: held at its first size while starting; V8's own growth (2) is back after.
setFlagsFromString("--semi-space-growth-factor=1");
await import("./start.ts");
setFlagsFromString("--semi-space-growth-factor=2");
