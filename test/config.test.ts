import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/index.ts";

describe("configuration", () => {
  it("has defaults that run with no setup", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      publicUrl: "http://localhost:3000",
      host: "localhost:3000",
      port: 3000,
      databaseUrl: undefined,
      role: "all",
      logLevel: "info",
      allowPrivateAddresses: false,
      jobLeaseMs: 60_000,
      outboundTimeoutMs: 15_000,
      deliveryHostConcurrency: 2,
      circuitRecoveryMs: 60_000,
      queueLagLimitMs: 300_000,
      federationMode: "blocklist",
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PUBLIC_URL: "https://tern.example/",
      PORT: "8080",
      DATABASE_URL: "postgres://u:p@db:5432/tern",
      DATA_DIR: "/var/lib/tern",
      NODE_ROLE: "worker",
      LOG_LEVEL: "debug",
      ALLOW_PRIVATE_ADDRESSES: "true",
      JOB_LEASE_SECONDS: "5",
      OUTBOUND_TIMEOUT_SECONDS: "2.5",
      DELIVERY_HOST_CONCURRENCY: "3",
      DELIVERY_CIRCUIT_RECOVERY_SECONDS: "30",
      QUEUE_LAG_LIMIT_SECONDS: "90",
      RATE_LIMIT_API: "100/1m",
      RATE_LIMIT_APPS: "off",
      RATE_LIMIT_MEDIA: "10/1h",
      RATE_LIMIT_SIGN_UP: "3/30s",
      RATE_LIMIT_LOGIN_IP: "20/5m",
      RATE_LIMIT_LOGIN_ACCOUNT: "5/15m",
      TRUSTED_PROXIES: "10.1.2.3, fd00::/8",
      S3_BUCKET: "tern-media",
      S3_ENDPOINT: "https://s3.example",
      S3_REGION: "eu-west-1",
      S3_ACCESS_KEY_ID: "key",
      S3_SECRET_ACCESS_KEY: "secret",
      S3_PUBLIC_URL: "https://media.tern.example/",
      S3_FORCE_PATH_STYLE: "false",
      FEDERATION_MODE: "allowlist",
      REMOTE_MEDIA_CACHE_DAYS: "30",
    });
    expect(config).toEqual({
      publicUrl: "https://tern.example",
      host: "tern.example",
      port: 8080,
      databaseUrl: "postgres://u:p@db:5432/tern",
      dataDir: "/var/lib/tern",
      role: "worker",
      logLevel: "debug",
      allowPrivateAddresses: true,
      jobLeaseMs: 5000,
      outboundTimeoutMs: 2500,
      deliveryHostConcurrency: 3,
      circuitRecoveryMs: 30_000,
      queueLagLimitMs: 90_000,
      rateLimits: {
        api: { max: 100, windowMs: 60_000 },
        apps: null,
        media: { max: 10, windowMs: 3_600_000 },
        signUp: { max: 3, windowMs: 30_000 },
        loginIp: { max: 20, windowMs: 300_000 },
        loginAccount: { max: 5, windowMs: 900_000 },
        inboxHost: { max: 3000, windowMs: 300_000 },
      },
      trustedProxies: ["10.1.2.3", "fd00::/8"],
      federationMode: "allowlist",
      s3: {
        bucket: "tern-media",
        endpoint: "https://s3.example",
        region: "eu-west-1",
        accessKeyId: "key",
        secretAccessKey: "secret",
        publicUrl: "https://media.tern.example",
        forcePathStyle: false,
      },
      remoteMediaCacheDays: 30,
      maxStatusChars: 500,
      authorizedFetch: false,
      deliveryUnreachableMs: 3 * 86_400_000,
      smtp: null,
      analyticsAggregateMs: 60_000,
    });
  });

  it("copies remote media for 14 days unless told otherwise; 0 turns copying off", () => {
    expect(loadConfig({}).remoteMediaCacheDays).toBe(14);
    expect(loadConfig({ REMOTE_MEDIA_CACHE_DAYS: "" }).remoteMediaCacheDays).toBe(14);
    expect(loadConfig({ REMOTE_MEDIA_CACHE_DAYS: "0" }).remoteMediaCacheDays).toBe(0);
    expect(() => loadConfig({ REMOTE_MEDIA_CACHE_DAYS: "-1" })).toThrow(/REMOTE_MEDIA_CACHE_DAYS/);
  });

  it("S3 storage needs its keys and public URL", () => {
    expect(loadConfig({}).s3).toBeNull();
    // compose passes every unset variable as "": still off, and path-style by default.
    const empty = { S3_ENDPOINT: "", S3_PUBLIC_URL: "", S3_REGION: "", S3_FORCE_PATH_STYLE: "" };
    expect(loadConfig({ ...empty, S3_BUCKET: "" }).s3).toBeNull();
    expect(
      loadConfig({
        ...empty,
        S3_BUCKET: "b",
        S3_ACCESS_KEY_ID: "k",
        S3_SECRET_ACCESS_KEY: "s",
        S3_PUBLIC_URL: "https://m.example",
      }).s3,
    ).toMatchObject({ region: "us-east-1", forcePathStyle: true, endpoint: undefined });
    expect(() => loadConfig({ S3_BUCKET: "b", S3_ACCESS_KEY_ID: "k" })).toThrow(
      /S3_SECRET_ACCESS_KEY: required[\s\S]*S3_PUBLIC_URL: required/,
    );
  });

  it("has Mastodon's rate limits by default, and RATE_LIMITS=false turns them all off", () => {
    const { rateLimits, trustedProxies } = loadConfig({});
    expect(rateLimits.api).toEqual({ max: 300, windowMs: 300_000 });
    expect(rateLimits.loginIp).toEqual({ max: 25, windowMs: 300_000 });
    expect(trustedProxies).toContain("127.0.0.0/8");
    // Empty is unset (compose passes "${VAR:-}"); "none" trusts no proxy at all.
    expect(loadConfig({ RATE_LIMIT_API: "", TRUSTED_PROXIES: "" })).toMatchObject({
      rateLimits: { api: { max: 300 } },
      trustedProxies,
    });
    expect(loadConfig({ TRUSTED_PROXIES: "none" }).trustedProxies).toEqual([]);
    const off = loadConfig({ RATE_LIMITS: "false", RATE_LIMIT_API: "5/1m" }).rateLimits;
    expect(Object.values(off).every((v) => v === null)).toBe(true);
  });

  it.each([
    ["PUBLIC_URL", "not a url"],
    ["PUBLIC_URL", "https://tern.example/sub/path"],
    ["PUBLIC_URL", "ftp://tern.example"],
    ["PORT", "seventy"],
    ["PORT", "70000"],
    ["DATABASE_URL", "mysql://db/tern"],
    ["NODE_ROLE", "both"],
    ["LOG_LEVEL", "loud"],
    ["ALLOW_PRIVATE_ADDRESSES", "maybe"],
    ["OUTBOUND_TIMEOUT_SECONDS", "0"],
    ["DELIVERY_HOST_CONCURRENCY", "1.5"],
    ["DELIVERY_CIRCUIT_RECOVERY_SECONDS", "forever"],
    ["QUEUE_LAG_LIMIT_SECONDS", "-1"],
    ["RATE_LIMIT_API", "300"],
    ["RATE_LIMIT_LOGIN_IP", "0/5m"],
    ["RATE_LIMIT_APPS", "5/10d"],
    ["TRUSTED_PROXIES", "10.0.0.0/33"],
    ["TRUSTED_PROXIES", "proxy.internal"],
  ])("refuses %s=%s with a message naming the variable", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it("refuses a web or worker role on the embedded database (one process must do both)", () => {
    expect(() => loadConfig({ NODE_ROLE: "web" })).toThrow(/NODE_ROLE.*DATABASE_URL/);
    expect(() => loadConfig({ NODE_ROLE: "worker" })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ROLE: "worker", DATABASE_URL: "postgres://db/tern" }).role).toBe(
      "worker",
    );
  });

  it("stops the server at start-up with the reason, before touching any data", () => {
    const result = spawnSync(process.execPath, ["src/main.js"], {
      cwd: new URL("..", import.meta.url).pathname,
      env: { ...process.env, PORT: "seventy", DATA_DIR: "/nonexistent/tern" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("PORT");
  });
});

describe("docker/compose.yaml", () => {
  it("hands the app a valid configuration with nothing set, in every compose implementation", async () => {
    const { readFile } = await import("node:fs/promises");
    const compose = await readFile(new URL("../docker/compose.yaml", import.meta.url), "utf8");
    // podman-compose 1.0.3 only substitutes `${VAR:-x}` when x is non-empty.
    expect(compose).not.toMatch(/\$\{[A-Z0-9_]+:-\}/);
    const block = compose.split("environment: &tern-env\n")[1].split(/\n {2}\S/)[0];
    const env: Record<string, string> = {};
    for (const line of block.split("\n")) {
      const m = /^ {4}([A-Z0-9_]+): "?(.*?)"?$/.exec(line);
      if (!m) continue;
      env[m[1]] = m[2].replace(
        /\$\{[A-Z0-9_]+(?::-([^}]*))?\}/g,
        (_, d: string | undefined) => d ?? "",
      );
    }
    expect(Object.keys(env).length).toBeGreaterThan(20);
    expect(() => loadConfig(env)).not.toThrow();
  });
});
