import { resolve } from "node:path";
import { z } from "zod";

/** The whole configuration of a Tern process. Read once, at start-up, by `loadConfig`. */
export interface Config {
  /** Public origin, e.g. `https://tern.example`; no trailing slash, no path. */
  publicUrl: string;
  /** Host part used in handles (`user@host`), taken from the public URL (with port, if any). */
  host: string;
  port: number;
  /** Unset: embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  role: "all" | "web" | "worker";
  logLevel: "debug" | "info" | "warning" | "error";
  /** Lets outbound fetches and deliveries reach loopback/private addresses. Tests only. */
  allowPrivateAddresses: boolean;
  /** How long a worker holds a job without a heartbeat before another may take it. */
  jobLeaseMs: number;
  /** Overall deadline of one outbound request: connect, headers and body. */
  outboundTimeoutMs: number;
  /** Deliveries running at once to one remote host, over all workers. */
  deliveryHostConcurrency: number;
  /** How long an open delivery circuit holds a failing host's activities before probing it. */
  circuitRecoveryMs: number;
  /** /health answers 503 once the oldest due job of any queue has waited longer than this. */
  queueLagLimitMs: number;
}

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const envSchema = z.object({
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .default("http://localhost:3000")
    .refine((u) => {
      // zod runs this even after the URL check failed: an invalid URL is reported once, there.
      if (!URL.canParse(u)) return true;
      const url = new URL(u);
      return url.pathname === "/" && !url.search && !url.hash;
    }, "must be an origin such as https://tern.example, without a path"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  DATA_DIR: z.string().min(1).default("./data"),
  NODE_ROLE: z.enum(["all", "web", "worker"]).default("all"),
  LOG_LEVEL: z.enum(["debug", "info", "warning", "error"]).default("info"),
  ALLOW_PRIVATE_ADDRESSES: booleanFromEnv.default(false),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  OUTBOUND_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(300).default(15),
  DELIVERY_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  DELIVERY_CIRCUIT_RECOVERY_SECONDS: z.coerce.number().min(0.1).max(86_400).default(60),
  QUEUE_LAG_LIMIT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
});

export class ConfigError extends Error {}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (!e.DATABASE_URL && e.NODE_ROLE !== "all") {
    // The embedded database belongs to one process, so that process must also run the jobs.
    throw new ConfigError(
      `Invalid configuration:\n  NODE_ROLE: "${e.NODE_ROLE}" needs DATABASE_URL (PostgreSQL); the embedded database runs one process, in the role "all"`,
    );
  }
  const url = new URL(e.PUBLIC_URL);
  return {
    publicUrl: url.origin,
    host: url.host,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.DATA_DIR),
    role: e.NODE_ROLE,
    logLevel: e.LOG_LEVEL,
    allowPrivateAddresses: e.ALLOW_PRIVATE_ADDRESSES,
    jobLeaseMs: e.JOB_LEASE_SECONDS * 1000,
    outboundTimeoutMs: e.OUTBOUND_TIMEOUT_SECONDS * 1000,
    deliveryHostConcurrency: e.DELIVERY_HOST_CONCURRENCY,
    circuitRecoveryMs: e.DELIVERY_CIRCUIT_RECOVERY_SECONDS * 1000,
    queueLagLimitMs: e.QUEUE_LAG_LIMIT_SECONDS * 1000,
  };
}
