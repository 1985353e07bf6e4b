import { isIP } from "node:net";
import { delimiter, resolve } from "node:path";
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
  /** Request limits counted in the database (`rate_limits`); null turns one off. */
  rateLimits: RateLimits;
  /** Addresses (CIDR) whose `X-Forwarded-For` is believed: the reverse proxies in front. */
  trustedProxies: string[];
  /** Object storage for media; null keeps media files under DATA_DIR/media. */
  s3: S3Config | null;
  /** `blocklist`: federate with all but suspended domains; `allowlist`: only with allowed ones. */
  federationMode: "blocklist" | "allowlist";
  /** Copies of remote media and profile pictures are kept this long; 0: never copied (links). */
  remoteMediaCacheDays: number;
  /** Characters a post may have, counted as Mastodon counts them (MAX_STATUS_CHARS). */
  maxStatusChars: number;
  /** Signed GETs required for ActivityPub objects and collections (Mastodon's secure mode). */
  authorizedFetch: boolean;
  /** A host whose deliveries have failed for this long is marked unreachable and skipped. */
  deliveryUnreachableMs: number;
  /** Outgoing e-mail (confirmation, password reset, moderation notices); null: none is sent. */
  smtp: SmtpConfig | null;
  /** How often each worker folds delivery outcomes into reach analytics (`analytics.aggregate`). */
  analyticsAggregateMs: number;
}

/** `SMTP_URL` and `SMTP_FROM`: where Tern hands its mail and the sender it writes. */
export interface SmtpConfig {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://...` (TLS from the start). */
  url: string;
  from: string;
}

/** An S3-compatible bucket (AWS, MinIO, Garage, R2...) that every web host and worker shares. */
export interface S3Config {
  bucket: string;
  /** Unset: AWS itself. */
  endpoint: string | undefined;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where clients load the files from (a CDN or the bucket's public URL), no trailing slash. */
  publicUrl: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO and most others). */
  forcePathStyle: boolean;
}

/** At most `max` requests per fixed window of `windowMs`. */
export interface Limit {
  max: number;
  windowMs: number;
}

export interface RateLimits {
  /** Every /api request: per token, or per client IP without one. */
  api: Limit | null;
  /** POST /api/v1/apps per client IP. */
  apps: Limit | null;
  /** Media uploads per account (for the media endpoints when they come). */
  media: Limit | null;
  /** Account sign-ups per client IP (for the sign-up endpoint when it comes). */
  signUp: Limit | null;
  /** Password logins per client IP, whatever the account. */
  loginIp: Limit | null;
  /** Failed password logins per account name; beyond it the account refuses logins. */
  loginAccount: Limit | null;
  /** Inbox POSTs per remote host (the signing key's), so one peer cannot starve the rest. */
  inboxHost: Limit | null;
}

const booleanFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `300/5m` (300 requests per 5 minutes; units s, m, h) or `off`. */
const limitFromEnv = z
  .string()
  .regex(/^(off|[1-9][0-9]{0,8}\/[1-9][0-9]{0,5}[smh])$/, 'must look like "300/5m" or be "off"')
  .transform((v): Limit | null => {
    if (v === "off") return null;
    const [max, period] = v.split("/");
    const unit = period.slice(-1) as keyof typeof UNIT_MS;
    return { max: Number(max), windowMs: Number(period.slice(0, -1)) * UNIT_MS[unit] };
  });

/** Loopback and the private ranges, as Rails (so Mastodon) trusts by default. */
const DEFAULT_TRUSTED_PROXIES =
  "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

const cidrList = z
  .string()
  // "none": believe no X-Forwarded-For at all (Tern faces the clients itself).
  .transform((v) => (v === "none" ? "" : v).split(",").map((s) => s.trim()))
  .transform((list) => list.filter((s) => s !== ""))
  .refine(
    (list) =>
      list.every((cidr) => {
        const [address, bits, extra] = cidr.split("/");
        const family = isIP(address);
        if (!family || extra !== undefined) return false;
        if (bits === undefined) return true;
        const n = Number(bits);
        return /^[0-9]+$/.test(bits) && n <= (family === 4 ? 32 : 128);
      }),
    "must be comma-separated addresses or CIDR ranges (127.0.0.1,10.0.0.0/8) or none",
  );

/** Empty counts as unset (compose passes `${VAR:-}` through as ""), so the default applies. */
const orDefault = <T extends z.ZodType>(schema: T, fallback: string) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.prefault(fallback as never));

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
  FEDERATION_MODE: z.enum(["blocklist", "allowlist"]).default("blocklist"),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  OUTBOUND_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(300).default(15),
  DELIVERY_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  DELIVERY_CIRCUIT_RECOVERY_SECONDS: z.coerce.number().min(0.1).max(86_400).default(60),
  QUEUE_LAG_LIMIT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  RATE_LIMITS: booleanFromEnv.default(true),
  RATE_LIMIT_API: orDefault(limitFromEnv, "300/5m"),
  RATE_LIMIT_APPS: orDefault(limitFromEnv, "30/30m"),
  RATE_LIMIT_MEDIA: orDefault(limitFromEnv, "30/30m"),
  RATE_LIMIT_SIGN_UP: orDefault(limitFromEnv, "5/30m"),
  RATE_LIMIT_LOGIN_IP: orDefault(limitFromEnv, "25/5m"),
  RATE_LIMIT_LOGIN_ACCOUNT: orDefault(limitFromEnv, "10/15m"),
  TRUSTED_PROXIES: orDefault(cidrList, DEFAULT_TRUSTED_PROXIES),
  S3_BUCKET: z.string().optional(),
  S3_ENDPOINT: z
    .url({ protocol: /^https?$/ })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  S3_REGION: orDefault(z.string().min(1), "us-east-1"),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  S3_FORCE_PATH_STYLE: orDefault(booleanFromEnv, "true"),
  REMOTE_MEDIA_CACHE_DAYS: orDefault(z.coerce.number().int().min(0).max(36_500), "14"),
  // The API reads at most 10,000 characters of a status; a limit above that could not be reached.
  MAX_STATUS_CHARS: orDefault(z.coerce.number().int().min(1).max(10_000), "500"),
  AUTHORIZED_FETCH: orDefault(booleanFromEnv, "false"),
  INBOX_HOST_RATE_LIMIT: orDefault(limitFromEnv, "3000/5m"),
  // Fractions allowed (tests); Mastodon waits for 7 days with failures, see README.
  DELIVERY_UNREACHABLE_DAYS: orDefault(z.coerce.number().min(0.000_01).max(365), "3"),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  SMTP_FROM: z.string().max(500).optional(),
  // Whole seconds; 1 lets tests read reach at once, a day is the most that still means "analytics".
  ANALYTICS_AGGREGATE_SECONDS: orDefault(z.coerce.number().int().min(1).max(86_400), "60"),
});

export class ConfigError extends Error {}

/**
 * True under the test runner (vitest sets NODE_ENV=test; never set on a server). Read where no
 * Config is at hand: password hashing uses Argon2id's cheapest parameters then.
 */
export const underTestRunner = (): boolean => process.env.NODE_ENV === "test";

/** The folders of the PATH, read when asked (where ffmpeg is looked up; tests change it). */
export const pathFolders = (): string[] =>
  (process.env.PATH ?? "").split(delimiter).filter(Boolean);

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
    federationMode: e.FEDERATION_MODE,
    jobLeaseMs: e.JOB_LEASE_SECONDS * 1000,
    outboundTimeoutMs: e.OUTBOUND_TIMEOUT_SECONDS * 1000,
    deliveryHostConcurrency: e.DELIVERY_HOST_CONCURRENCY,
    circuitRecoveryMs: e.DELIVERY_CIRCUIT_RECOVERY_SECONDS * 1000,
    queueLagLimitMs: e.QUEUE_LAG_LIMIT_SECONDS * 1000,
    rateLimits: rateLimits(e),
    trustedProxies: e.TRUSTED_PROXIES,
    s3: s3Config(e),
    remoteMediaCacheDays: e.REMOTE_MEDIA_CACHE_DAYS,
    maxStatusChars: e.MAX_STATUS_CHARS,
    authorizedFetch: e.AUTHORIZED_FETCH,
    deliveryUnreachableMs: Math.round(e.DELIVERY_UNREACHABLE_DAYS * 86_400_000),
    smtp: e.SMTP_URL
      ? { url: e.SMTP_URL, from: e.SMTP_FROM || `Tern <notifications@${url.hostname}>` }
      : null,
    analyticsAggregateMs: e.ANALYTICS_AGGREGATE_SECONDS * 1000,
  };
}

/** S3 storage is on when S3_BUCKET is set; then keys and a public URL are required too. */
function s3Config(e: z.infer<typeof envSchema>): S3Config | null {
  if (!e.S3_BUCKET) return null;
  const missing = (["S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_PUBLIC_URL"] as const).filter(
    (name) => !e[name],
  );
  if (missing.length)
    throw new ConfigError(
      `Invalid configuration:\n${missing.map((m) => `  ${m}: required when S3_BUCKET is set`).join("\n")}`,
    );
  return {
    bucket: e.S3_BUCKET,
    endpoint: e.S3_ENDPOINT,
    region: e.S3_REGION,
    accessKeyId: e.S3_ACCESS_KEY_ID!,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
    publicUrl: e.S3_PUBLIC_URL!.replace(/\/+$/, ""),
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  };
}

/** RATE_LIMITS=false turns every limit off at once (tests, or a proxy that limits instead). */
function rateLimits(e: z.infer<typeof envSchema>): RateLimits {
  const on = <T>(v: T) => (e.RATE_LIMITS ? v : null);
  return {
    api: on(e.RATE_LIMIT_API),
    apps: on(e.RATE_LIMIT_APPS),
    media: on(e.RATE_LIMIT_MEDIA),
    signUp: on(e.RATE_LIMIT_SIGN_UP),
    loginIp: on(e.RATE_LIMIT_LOGIN_IP),
    loginAccount: on(e.RATE_LIMIT_LOGIN_ACCOUNT),
    inboxHost: on(e.INBOX_HOST_RATE_LIMIT),
  };
}
