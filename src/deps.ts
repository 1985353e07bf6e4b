import type { Federation } from "@fedify/fedify";
import type { Config } from "./config/index.ts";
import type { Db } from "./db/client.ts";
import type { FedContext } from "./federation/context.ts";
import type { StreamingHub } from "./streaming/hub.ts";

/** Everything a router needs, built once in main.js (or a test) and handed to createApp. */
export interface AppDeps {
  config: Config;
  db: Db;
  federation: Federation<FedContext>;
  /** Live events for the streaming API (web roles; absent in a worker and in some tests). */
  streaming?: StreamingHub | null;
}
