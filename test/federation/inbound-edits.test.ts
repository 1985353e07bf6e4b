/**
 * Inbound edits as GoToSocial sends them (captured Create and Update, re-signed by a fake peer):
 * every real change is kept as a version (GoToSocial reuses one Update id for every edit of a
 * status), an Update that changes nothing adds none, an older Update arriving late reverts
 * nothing; local accounts that boosted or quoted the post are told (`update`, `quoted_update`),
 * and accounts an edit newly mentions get a `mention`; a follower with `notify` gets `status`. Boosts and quotes are inserted as rows
 * here (other suites build them through the API).
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { follows, notifications, quotes, statuses } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { apiGet, FakePeer, idOf, settle } from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

type User = Awaited<ReturnType<TestTern["user"]>>;
interface Edit {
  content: string;
  created_at: string;
  account: { id: string };
}
interface Note {
  id: string;
  type: string;
  status?: { id: string };
}

let tern: TestTern;
let gts: FakePeer;
let probe: User; // follows bob on GoToSocial
let booster: User;
let quoter: User;
let mona: User; // mentioned by the second edit
let postId: string;
let quoteId: string;
const uri = () => idOf(gts.captureJson("create-note-public").object)!;

beforeAll(async () => {
  tern = await startTestTern();
  gts = await FakePeer.start("gotosocial");
  [probe, booster, quoter, mona] = await Promise.all(
    ["probe", "booster", "quoter", "mona"].map((n) => tern.user(n)),
  );
  await followAccepted(tern, probe.account, gts.actorId);
  // probe asked to be told of bob's posts (`notify: true`).
  await tern.database.db
    .update(follows)
    .set({ notify: true })
    .where(eq(follows.followerId, probe.account.id));
  expect((await gts.deliver(tern, "create-note-public")).status).toBe(202);
  const db = tern.database.db;
  const stored = await eventually(async () => {
    const [row] = await db.select().from(statuses).where(eq(statuses.uri, uri()));
    return row;
  });
  postId = stored.id;
  const boostId = newId();
  quoteId = newId();
  await db.insert(statuses).values([
    {
      id: boostId,
      uri: `${booster.account.uri}/statuses/${boostId}/activity`,
      accountId: booster.account.id,
      content: "",
      visibility: "public",
      local: true,
      reblogOfId: postId,
    },
    {
      id: quoteId,
      uri: `${quoter.account.uri}/statuses/${quoteId}`,
      accountId: quoter.account.id,
      content: "<p>look at this</p>",
      visibility: "public",
      local: true,
    },
  ]);
  await db.insert(quotes).values({
    id: newId(),
    statusId: quoteId,
    quotedStatusId: postId,
    quotedUri: uri(),
    state: "accepted",
  });
});
afterAll(async () => {
  await gts?.close();
  await tern?.close();
});

const history = () => apiGet<Edit[]>(tern, `/api/v1/statuses/${postId}/history`, probe.token);
const notes = (who: User) => apiGet<Note[]>(tern, "/api/v1/notifications", who.token);

/** GoToSocial's Update capture under its one id, with other text and edit time. */
function update(
  text: string,
  updated: string,
  extra: (o: Record<string, unknown>) => void = () => {},
) {
  return gts.deliver(tern, "update-note", {
    edit: (body) => {
      const activity = JSON.parse(body.replaceAll("(edited)", text));
      activity.object.updated = updated;
      extra(activity.object);
      return JSON.stringify(activity);
    },
  });
}

describe("inbound Update(Note) from GoToSocial", () => {
  it("a post never edited has one version: itself", async () => {
    const versions = await history();
    expect(versions).toHaveLength(1);
    expect(versions[0].content).toContain("Hello fediverse!");
    expect(versions[0].created_at).toBe("2026-11-22T11:57:29.000Z");
  });

  it("the first edit keeps the original and the new text, and tells boosters and quoters", async () => {
    expect((await update("(edited)", "2026-11-22T11:58:24Z")).status).toBe(202);
    const versions = await eventually(async () => {
      const v = await history();
      return v.length === 2 && v;
    });
    expect(versions.map((v) => v.created_at)).toEqual([
      "2026-11-22T11:57:29.000Z",
      "2026-11-22T11:58:24.000Z",
    ]);
    expect(versions[0].content).not.toContain("(edited)");
    expect(versions[1].content).toContain("(edited)");
    const forBooster = await eventually(async () => (await notes(booster))[0]);
    expect(forBooster).toMatchObject({ type: "update", status: { id: postId } });
    const forQuoter = await eventually(async () => (await notes(quoter))[0]);
    // quoted_update is about the quoter's own post (as Mastodon shows it).
    expect(forQuoter).toMatchObject({ type: "quoted_update", status: { id: quoteId } });
    // probe follows with notify: told of the new post once, not of its edits.
    expect((await notes(probe)).map((n) => [n.type, n.status?.id])).toEqual([["status", postId]]);
  });

  it("a second edit under the very same activity id is kept too, and a new mention notifies", async () => {
    const before = (await notes(booster))[0];
    const res = await update("(edited twice) @mona", "2026-11-22T11:59:00Z", (o) => {
      o.tag = [{ type: "Mention", href: mona.account.uri, name: "@mona@tern.test" }];
    });
    expect(res.status).toBe(202);
    const versions = await eventually(async () => {
      const v = await history();
      return v.length === 3 && v;
    });
    expect(versions[2].content).toContain("(edited twice)");
    expect(versions[2].created_at).toBe("2026-11-22T11:59:00.000Z");
    const status = await apiGet<{ edited_at: string; content: string }>(
      tern,
      `/api/v1/statuses/${postId}`,
      probe.token,
    );
    expect(status.edited_at).toBe("2026-11-22T11:59:00.000Z");
    expect(status.content).toBe(versions[2].content);
    const monaNotes = await eventually(async () => {
      const n = await notes(mona);
      return n.length > 0 && n;
    });
    expect(monaNotes.map((n) => [n.type, n.status?.id])).toEqual([["mention", postId]]);
    // The booster's `update` is renewed (newest edit, unread again), not doubled.
    const forBooster = await notes(booster);
    expect(forBooster.filter((n) => n.type === "update")).toHaveLength(1);
    expect(BigInt(forBooster[0].id)).toBeGreaterThan(BigInt(before.id));
  });

  it("an Update that changes nothing, or an older one arriving late, adds no version", async () => {
    const again = await update("(edited twice) @mona", "2026-11-22T11:59:00Z", (o) => {
      o.tag = [{ type: "Mention", href: mona.account.uri, name: "@mona@tern.test" }];
    });
    expect(again.status).toBe(202);
    const late = await update("(stale)", "2026-11-22T11:58:40Z");
    expect(late.status).toBe(202);
    await settle(tern);
    const versions = await history();
    expect(versions).toHaveLength(3);
    expect(versions.some((v) => v.content.includes("(stale)"))).toBe(false);
    const rows = await tern.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.accountId, mona.account.id), eq(notifications.type, "mention")));
    expect(rows).toHaveLength(1);
  });
});
