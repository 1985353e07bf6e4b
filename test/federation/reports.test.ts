/**
 * Reports over ActivityPub with a signed fake peer (GoToSocial's captured actor and Follow):
 * - probe reports the peer's account with `forward`: the peer's inbox gets a `Flag` signed by
 *   Tern's instance actor (not probe), naming its actor, with the comment as content;
 * - the peer's server flags probe and one of probe's posts: a report for Tern's admin, who is
 *   notified; the same Flag again is still one report;
 * - once the server blocks the peer's domain with `reject_reports`, its Flags are dropped.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, reports, statuses } from "../../src/db/schema/index.ts";
import { INSTANCE_ACTOR } from "../../src/federation/context.ts";
import { newId } from "../../src/lib/ids.ts";
import { setRole } from "../../src/services/accounts/roles.ts";
import { blockDomain } from "../../src/services/safety/server-domains.ts";
import {
  apiGet,
  FakePeer,
  postAs,
  settle,
  TERN,
  verifyTernSignature,
} from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
let admin: Awaited<ReturnType<TestTern["user"]>>;
let peer: FakePeer;
let peerAccountId: string;
const PROBE = `${TERN}/users/probe`;

beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  admin = await tern.user("boss");
  await setRole(tern.database.db, "boss", "admin");
  peer = await FakePeer.start("gotosocial");
  // The peer's account becomes known here through its Follow of probe.
  expect((await peer.deliver(tern, "follow")).status).toBe(202);
  peerAccountId = await eventually(async () => {
    const [row] = await tern.database.db
      .select()
      .from(accounts)
      .where(eq(accounts.uri, peer.actorId));
    return row?.id;
  });
});
afterAll(async () => {
  await peer?.close();
  await tern?.close();
});

const flagJson = (id: string, actor: string, objects: string[]) => ({
  "@context": "https://www.w3.org/ns/activitystreams",
  id,
  type: "Flag",
  actor,
  content: "Harassment of our users",
  object: objects,
});
const reportsByUri = (uri: string) =>
  tern.database.db.select().from(reports).where(eq(reports.uri, uri));

describe("reports between Tern and a remote server", () => {
  it("a forwarded report reaches the peer as a Flag signed by the instance actor", async () => {
    // probe follows the peer's account, so its public post is kept here.
    await followAccepted(tern, probe.account, peer.actorId);
    expect((await peer.deliver(tern, "create-note-public")).status).toBe(202);
    const note = await eventually(async () => {
      const [row] = await tern.database.db
        .select()
        .from(statuses)
        .where(eq(statuses.accountId, peerAccountId));
      return row;
    });
    // GoToSocial's captured actor names no shared inbox; the peer takes one at /inbox.
    await tern.database.db
      .update(accounts)
      .set({ sharedInboxUrl: `${peer.origin}/inbox` })
      .where(eq(accounts.id, peerAccountId));
    const res = await tern.request("/api/v1/reports", {
      method: "POST",
      token: probe.token,
      json: {
        account_id: peerAccountId,
        status_ids: [note.id],
        comment: "Spam from your user",
        forward: true,
      },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ forwarded: true, target_account: { id: peerAccountId } });

    const flag = await peer.receivedActivity((a) => a.type === "Flag");
    const instanceActor = tern.federation
      .createContext(new URL(TERN), { db: tern.database.db, config: tern.config })
      .getActorUri(INSTANCE_ACTOR).href;
    expect(flag.json).toMatchObject({ actor: instanceActor, content: "Spam from your user" });
    expect([flag.json.object].flat()).toEqual([peer.actorId, note.uri]);
    expect(flag.path).toBe("/inbox"); // the shared inbox, known for the peer
    // Signed by the instance actor: the reporter's name never leaves this server.
    expect(await verifyTernSignature(tern, peer, flag)).toBe(instanceActor);
    expect(flag.body).not.toContain("probe");
  });

  it("an inbound Flag about probe becomes one report, and the admin is notified", async () => {
    const post = await postAs(tern, probe.token, "a post they dislike");
    const uri = `${peer.origin}/flags/${newId()}`;
    const flag = flagJson(uri, peer.actorId, [PROBE, post.uri]);
    expect((await peer.send(tern, flag)).status).toBe(202);
    const [report] = await eventually(async () => {
      const rows = await reportsByUri(uri);
      return rows.length ? rows : undefined;
    });
    expect(report).toMatchObject({
      accountId: peerAccountId,
      statusIds: [post.id],
      comment: "Harassment of our users",
    });
    const notes = await apiGet<Record<string, unknown>[]>(
      tern,
      "/api/v1/notifications?types[]=admin.report",
      admin.token,
    );
    expect(notes[0]).toMatchObject({
      type: "admin.report",
      account: { id: peerAccountId },
      report: { id: report.id, status_ids: [post.id], target_account: { acct: "probe" } },
    });
    // Delivered again (a retry): still one report, one notification.
    expect((await peer.send(tern, flag)).status).toBe(202);
    await settle(tern);
    expect(await reportsByUri(uri)).toHaveLength(1);
    expect(
      await apiGet<unknown[]>(tern, "/api/v1/notifications?types[]=admin.report", admin.token),
    ).toHaveLength(notes.length);
  });

  it("Flags from a domain blocked with reject_reports are dropped", async () => {
    await blockDomain(
      tern.database.db,
      {
        domain: new URL(peer.origin).host,
        severity: "noop",
        rejectReports: true,
      },
      null,
    );
    const uri = `${peer.origin}/flags/${newId()}`;
    expect((await peer.send(tern, flagJson(uri, peer.actorId, [PROBE]))).status).toBe(202);
    await settle(tern);
    expect(await reportsByUri(uri)).toEqual([]);
  });
});
