import { mediaSuite } from "./media-suite.ts";

/** The media API on local storage (DATA_DIR/media, served by Tern). */
mediaSuite({ name: "local", local: true, env: () => ({}) });
