import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  followThenSeePost,
  type Site,
  startSite,
  startTogether,
  stopSite,
} from "../helpers/sites.ts";
import { eventually } from "../helpers/tern.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * Two Tern servers as separate processes over TLS on loopback: bob on B quotes alice's post on
 * A. B sends a QuoteRequest; A's policy (public) approves it with an Accept naming a
 * QuoteAuthorization that A serves; B then shows the quote accepted, with alice's post embedded.
 * A keeps bob's post, counts it and notifies alice. When alice revokes it, B shows it revoked.
 */
const sites: Record<"a" | "b", Site> = {} as never;
interface Status {
  id: string;
  uri: string;
  quotes_count: number;
  quote: { state: string; quoted_status: { uri: string } | null } | null;
}

beforeAll(async () => {
  const tls = makeCertificate();
  [sites.a, sites.b] = await startTogether([
    () => startSite(["alice"], tls.certFile, tls),
    () => startSite(["bob"], tls.certFile, tls),
  ]);
}, 300_000);
afterAll(async () => {
  await stopSite(sites.a);
  await stopSite(sites.b);
});

describe("a quote across two Tern servers", () => {
  it("bob quotes alice's post: A authorizes, B shows it accepted, alice is notified", async () => {
    const { a, b } = sites;
    const { post, seen } = await followThenSeePost<Status>(a, "alice", b, "bob", "Quote me");
    const quoting = await api<Status>(b, "bob", "/api/v1/statuses", {
      method: "POST",
      json: { status: "Well said", quoted_status_id: seen.id },
    });
    // Until A answers, the quote is pending and alice's post is not embedded.
    expect(quoting.quote).toEqual({ state: "pending", quoted_status: null });

    const accepted = await eventually(async () => {
      const s = await api<Status>(b, "bob", `/api/v1/statuses/${quoting.id}`);
      return s.quote?.state === "accepted" ? s : undefined;
    }, 60_000);
    expect(accepted.quote?.quoted_status?.uri).toBe(post.uri);
    expect((await api<Status>(b, "bob", `/api/v1/statuses/${seen.id}`)).quotes_count).toBe(1);

    // On A: the quote is counted, listed for alice, and she has a `quote` notification.
    await eventually(
      async () => (await api<Status>(a, "alice", `/api/v1/statuses/${post.id}`)).quotes_count === 1,
      60_000,
    );
    const quotes = await api<Status[]>(a, "alice", `/api/v1/statuses/${post.id}/quotes`);
    expect(quotes.map((s) => s.uri)).toEqual([quoting.uri]);
    expect(quotes[0].quote?.state).toBe("accepted");
    const notes = await api<
      { type: string; account: { acct: string }; status?: { uri: string } }[]
    >(a, "alice", "/api/v1/notifications?types[]=quote");
    expect(notes.map((n) => [n.type, n.account.acct, n.status?.uri])).toEqual([
      ["quote", `bob@${b.host}`, quoting.uri],
    ]);

    // alice takes it back: B learns by the Delete of the authorization.
    await api(a, "alice", `/api/v1/statuses/${post.id}/quotes/${quotes[0].id}/revoke`, {
      method: "POST",
    });
    await eventually(async () => {
      const s = await api<Status>(b, "bob", `/api/v1/statuses/${quoting.id}`);
      return s.quote?.state === "revoked";
    }, 60_000);
    expect((await api<Status>(a, "alice", `/api/v1/statuses/${post.id}`)).quotes_count).toBe(0);
  }, 300_000);
});
