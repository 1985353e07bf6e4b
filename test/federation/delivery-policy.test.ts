import { CircuitBreaker, MemoryKvStore } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import { expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { circuitBreakerOptions, outboxRetryPolicy } from "../../src/federation/builder.ts";

/**
 * What a peer that was down for a minute notices: its deliveries come soon after it is back (a
 * probe a minute after the circuit opened, the held ones right after the probe succeeds), not
 * half an hour later; and a peer down for a weekend still gets what was held for it.
 */
const start = Temporal.Instant.from("2026-12-01T09:00:00Z");
let now = start;
const at = (seconds: number) => {
  now = start.add({ seconds });
};

function breaker(env: Record<string, string> = {}) {
  return new CircuitBreaker({
    kv: new MemoryKvStore(),
    prefix: ["circuit"],
    options: circuitBreakerOptions(loadConfig(env)),
    now: () => now,
  });
}

it("opens after five failures, probes a minute later and releases held deliveries on success", async () => {
  const circuit = breaker();
  const host = "down.example";
  at(0);
  for (let i = 0; i < 5; i++) await circuit.recordFailure(host);
  expect((await circuit.getState(host))?.state).toBe("open");

  at(30);
  const held = await circuit.beforeSend(host, {});
  expect(held.type).toBe("hold");
  // Held until the probe, 30 s from now: a minute after opening, not Fedify's default 30 min.
  if (held.type === "hold") expect(held.delay.total("second")).toBeCloseTo(30, 0);

  at(61);
  expect(await circuit.beforeSend(host, {})).toMatchObject({ type: "send", probe: true });
  // While the probe is out, other held deliveries look again within seconds.
  const waiting = await circuit.beforeSend(host, { circuitHeldSince: start.toString() });
  expect(waiting.type).toBe("hold");
  if (waiting.type === "hold") expect(waiting.delay.total("second")).toBeLessThanOrEqual(10);

  await circuit.recordSuccess(host);
  expect(await circuit.beforeSend(host, { circuitHeldSince: start.toString() })).toMatchObject({
    type: "send",
  });
});

it("keeps held deliveries for three days, and the recovery delay is configurable", async () => {
  const circuit = breaker({ DELIVERY_CIRCUIT_RECOVERY_SECONDS: "5" });
  const host = "weekend.example";
  at(0);
  for (let i = 0; i < 5; i++) await circuit.recordFailure(host);
  at(2);
  const soon = await circuit.beforeSend(host, {});
  if (soon.type === "hold") expect(soon.delay.total("second")).toBeCloseTo(3, 0);
  else throw new Error(`expected a hold, got ${soon.type}`);

  at(2 * 86_400);
  const heldSince = start.toString();
  expect((await circuit.beforeSend(host, { circuitHeldSince: heldSince })).type).not.toBe("drop");
  at(73 * 3_600);
  expect((await circuit.beforeSend(host, { circuitHeldSince: heldSince })).type).toBe("drop");
});

it("retries a failing delivery for more than two days before giving up", () => {
  let elapsed = Temporal.Duration.from({ seconds: 0 });
  let attempts = 0;
  for (;;) {
    const delay = outboxRetryPolicy({ elapsedTime: elapsed, attempts });
    if (delay == null) break;
    elapsed = elapsed.add(delay).round({ largestUnit: "hour" });
    attempts++;
  }
  expect(attempts).toBe(16);
  expect(elapsed.total("hour")).toBeGreaterThan(48);
});
