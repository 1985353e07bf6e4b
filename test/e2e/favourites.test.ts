import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type Site, startSite, startTogether, stopSite } from "../helpers/sites.ts";
import { eventually } from "../helpers/tern.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * Two Tern servers as separate processes over TLS on loopback: bob on B favourites alice's post
 * on A (a Like goes to A), and takes it back (Undo(Like)). What alice sees on A: the count, who
 * favourited, and a notification from bob.
 */
const sites: Record<"a" | "b", Site> = {} as never;
interface Status {
  id: string;
  uri: string;
  favourites_count: number;
  favourited: boolean;
}
interface Notification {
  type: string;
  account: { acct: string };
  status?: { id: string };
}

beforeAll(async () => {
  const tls = makeCertificate();
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice"], tls.certFile, tls),
    () => startSite(["bob"], tls.certFile, tls),
  ]);
}, 120_000);
afterAll(async () => {
  await stopSite(sites.a);
  await stopSite(sites.b);
});

describe("a favourite across two Tern servers", () => {
  it("bob favourites alice's post: A counts it and notifies her; unfavourite: back to 0", async () => {
    const { a, b } = sites;
    // bob follows alice so that her post reaches B.
    const aliceOnB = await api<{ id: string }>(
      b,
      "bob",
      `/api/v1/accounts/lookup?acct=alice@${a.host}`,
    );
    await api(b, "bob", `/api/v1/accounts/${aliceOnB.id}/follow`, { method: "POST" });
    // Posted before A has the follow, the post would not be delivered to B.
    await eventually(async () => {
      const path = `/api/v1/accounts/relationships?id[]=${aliceOnB.id}`;
      return (await api<{ following: boolean }[]>(b, "bob", path))[0].following;
    }, 20_000);
    const post = await api<Status>(a, "alice", "/api/v1/statuses", {
      method: "POST",
      json: { status: "Favourite me from B" },
    });
    const seen = await eventually(async () => {
      const home = await api<Status[]>(b, "bob", "/api/v1/timelines/home");
      return home.find((s) => s.uri === post.uri);
    }, 20_000);

    const faved = await api<Status>(b, "bob", `/api/v1/statuses/${seen.id}/favourite`, {
      method: "POST",
    });
    expect(faved).toMatchObject({ favourited: true, favourites_count: 1 });
    const onA = () => api<Status>(a, "alice", `/api/v1/statuses/${post.id}`);
    await eventually(async () => (await onA()).favourites_count === 1, 20_000);
    const likers = await api<{ acct: string }[]>(
      a,
      "alice",
      `/api/v1/statuses/${post.id}/favourited_by`,
    );
    expect(likers.map((l) => l.acct)).toEqual([`bob@${b.host}`]);
    const notes = await api<Notification[]>(a, "alice", "/api/v1/notifications");
    expect(notes.map((n) => [n.type, n.account.acct, n.status?.id])).toEqual([
      ["favourite", `bob@${b.host}`, post.id],
      ["follow", `bob@${b.host}`, undefined],
    ]);

    await api(b, "bob", `/api/v1/statuses/${seen.id}/unfavourite`, { method: "POST" });
    await eventually(async () => (await onA()).favourites_count === 0, 20_000);
    expect(await api(a, "alice", `/api/v1/statuses/${post.id}/favourited_by`)).toEqual([]);
  });
});
