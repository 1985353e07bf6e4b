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
    });
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
    const result = spawnSync(process.execPath, ["src/main.ts"], {
      cwd: new URL("..", import.meta.url).pathname,
      env: { ...process.env, PORT: "seventy", DATA_DIR: "/nonexistent/tern" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("PORT");
  });
});
