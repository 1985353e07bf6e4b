/**
 * Process entry: what must be in place before the server's ~800 modules are loaded (static imports
 * would all be resolved before any of this ran), then start.ts reads the config, assembles the
 * server and listens.
 */
import { enableCompileCache } from "node:module";
import { setFlagsFromString } from "node:v8";
import { installPackageResolutionCache } from "./lib/module-hooks.ts";

// V8's compiled code is kept on disk (NODE_COMPILE_CACHE, else the temporary folder): a restart
// skips most of compiling and type stripping. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache?.();
installPackageResolutionCache();
// Loading makes V8 double its young generation up to 64 MB, which it then keeps, nearly empty, as
// resident memory: held at its first size while starting; V8's own growth (2) is back after.
setFlagsFromString("--semi-space-growth-factor=1");
await import("./start.ts");
setFlagsFromString("--semi-space-growth-factor=2");
