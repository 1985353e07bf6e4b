import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  followAndWait,
  type Site,
  startSite,
  startTogether,
  stopSite,
} from "../helpers/sites.ts";
import { eventually } from "../helpers/tern.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * Two Tern servers as separate processes over TLS on loopback: alice pins posts on A, and B's view
 * of her (GET /api/v1/accounts/:id/statuses?pinned=true) shows them: first from her featured
 * collection, read when B first looks her up, then from the Add that follows each pin; her
 * unpins (Remove) take them off B.
 */
type Status = { id: string; uri: string };
const sites: Record<"a" | "b", Site> = {} as never;

beforeAll(async () => {
  const tls = makeCertificate();
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice"], tls.certFile, tls),
    () => startSite(["bob"], tls.certFile, tls),
  ]);
}, 300_000);
afterAll(async () => {
  for (const site of Object.values(sites)) await stopSite(site);
});

describe("pins across two Tern servers", () => {
  it("alice's pins on A show on B, from her featured collection and then Add; unpins leave", async () => {
    const { a, b } = sites;
    const post = (status: string) =>
      api<Status>(a, "alice", "/api/v1/statuses", { method: "POST", json: { status } });
    const pin = (s: Status, action: "pin" | "unpin") =>
      api(a, "alice", `/api/v1/statuses/${s.id}/${action}`, { method: "POST" });

    // Pinned before B has ever heard of alice.
    const early = await post("Pinned before anyone looked");
    await pin(early, "pin");

    const aliceOnB = await api<{ id: string }>(
      b,
      "bob",
      `/api/v1/accounts/lookup?acct=alice@${a.host}`,
    );
    const pinsOnB = async () =>
      (await api<Status[]>(b, "bob", `/api/v1/accounts/${aliceOnB.id}/statuses?pinned=true`)).map(
        (s) => s.uri,
      );
    await eventually(async () => (await pinsOnB()).length === 1, 20_000);
    expect(await pinsOnB()).toEqual([early.uri]);

    // Pinned while bob follows her: the Add brings it.
    await followAndWait(b, "bob", aliceOnB.id);
    const later = await post("Pinned with a follower watching");
    await eventually(async () => {
      const home = await api<Status[]>(b, "bob", "/api/v1/timelines/home");
      return home.some((s) => s.uri === later.uri);
    }, 20_000);
    await pin(later, "pin");
    await eventually(async () => (await pinsOnB()).length === 2, 20_000);
    expect(await pinsOnB()).toEqual([later.uri, early.uri]);

    await pin(early, "unpin");
    await pin(later, "unpin");
    await eventually(async () => (await pinsOnB()).length === 0, 20_000);
    // The posts themselves stay on B: only the pins went.
    const profile = await api<Status[]>(b, "bob", `/api/v1/accounts/${aliceOnB.id}/statuses`);
    expect(profile.map((s) => s.uri)).toEqual(expect.arrayContaining([early.uri, later.uri]));
  });
});
