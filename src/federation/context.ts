import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";

/** What every Fedify dispatcher and inbox listener is handed (Fedify's TContextData). */
export interface FedContext {
  db: Db;
  config: Config;
}

/** The identifier of the instance actor, who signs the server's own fetches (no username has a dot). */
export const INSTANCE_ACTOR = "tern.instance";
