import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blocks } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { FakePeer, settle } from "../helpers/ap-fixtures.ts";
import type { ApiUser } from "../helpers/api-client.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, links, shapeProblems } from "./entity-shape.ts";

/** Mastodon's documented example, with its elisions (`// ...`) taken out. */
function documentedConversation(): Record<string, unknown> {
  const file = new URL(
    "../fixtures/mastodon-docs/entities/Conversation/01-example.json.txt",
    import.meta.url,
  );
  const text = readFileSync(file, "utf8")
    .replace(/^\s*\/\/.*$/gm, "")
    .replace(/,(\s*[}\]])/g, "$1");
  return JSON.parse(text);
}

/**
 * Direct conversations (`/api/v1/conversations`) from local DMs and from a snac DM (recipient only
 * in `cc`), and thread mutes (`/api/v1/statuses/:id/mute`) stopping notifications.
 */
interface Conversation {
  id: string;
  unread: boolean;
  accounts: { id: string; acct: string }[];
  last_status: { id: string; content: string; visibility: string } | null;
}

let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
let carol: ApiUser;
let probe: ApiUser;
let snac: FakePeer;
beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
  probe = await t.user("probe");
  snac = await FakePeer.start("snac");
});
afterAll(async () => {
  await snac.close();
  await t.close();
});

async function post(who: ApiUser, json: Record<string, unknown>): Promise<{ id: string }> {
  const res = await t.request("/api/v1/statuses", { method: "POST", token: who.token, json });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string };
}
async function conversations(
  who: ApiUser,
  query = "",
): Promise<{ res: Response; list: Conversation[] }> {
  const res = await t.request(`/api/v1/conversations${query}`, { token: who.token });
  expect(res.status).toBe(200);
  return { res, list: (await res.clone().json()) as Conversation[] };
}

describe("conversations", () => {
  it("groups local direct messages by participants, newest first, unread for recipients", async () => {
    const first = await post(alice, { status: "@bob psst", visibility: "direct" });
    const reply = await post(bob, {
      status: "@alice yes?",
      visibility: "direct",
      in_reply_to_id: first.id,
    });
    const group = await post(alice, { status: "@bob @carol all of us", visibility: "direct" });
    // Not direct: no conversation.
    await post(alice, { status: "@bob in public" });

    const a = (await conversations(alice)).list;
    expect(a.map((c) => c.last_status?.id)).toEqual([group.id, reply.id]);
    expect(a[1]).toMatchObject({ unread: true, accounts: [{ id: bob.account.id }] });
    expect(a[0]).toMatchObject({ unread: false });
    expect(a[0].accounts.map((x) => x.id).sort()).toEqual(
      [bob.account.id, carol.account.id].sort(),
    );
    expect(shapeProblems(a[1], documentedConversation())).toEqual([]);

    const b = (await conversations(bob)).list;
    expect(b.map((c) => [c.last_status?.id, c.unread])).toEqual([
      [group.id, true],
      [reply.id, false],
    ]);
    const c = (await conversations(carol)).list;
    expect(c).toHaveLength(1);
    expect(c[0].accounts.map((x) => x.id).sort()).toEqual(
      [alice.account.id, bob.account.id].sort(),
    );
  });

  it("pages by last status with Link headers, marks read and removes", async () => {
    const { res, list } = await conversations(alice, "?limit=1");
    expect(list).toHaveLength(1);
    const next = links(res).next;
    expect(next).toContain(`max_id=${list[0].last_status!.id}`);
    const older = (await conversations(alice, next!.slice(next!.indexOf("?")))).list;
    expect(older).toHaveLength(1);
    expect(older[0].id).not.toBe(list[0].id);

    const target = older[0];
    const read = await t.request(`/api/v1/conversations/${target.id}/read`, {
      method: "POST",
      token: alice.token,
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: target.id, unread: false });
    // Someone else's conversation is not found.
    await expectError(
      await t.request(`/api/v1/conversations/${target.id}/read`, {
        method: "POST",
        token: bob.token,
      }),
      404,
    );
    const del = await t.request(`/api/v1/conversations/${target.id}`, {
      method: "DELETE",
      token: alice.token,
    });
    expect(del.status).toBe(200);
    expect((await conversations(alice)).list.map((c) => c.id)).not.toContain(target.id);
    // Bob's side stays.
    expect((await conversations(bob)).list).toHaveLength(2);
  });

  it("leaves out conversations whose last message is from someone the viewer blocked", async () => {
    const dm = await post(carol, { status: "@probe hi from carol", visibility: "direct" });
    expect((await conversations(probe)).list.map((c) => c.last_status?.id)).toContain(dm.id);
    // Written directly: blocking through the API is another feature's (this checks the read path).
    await t.database.db.insert(blocks).values({
      id: newId(),
      accountId: probe.account.id,
      targetAccountId: carol.account.id,
      uri: "https://tern.test/blocks/1",
    });
    expect((await conversations(probe)).list.map((c) => c.last_status?.id)).not.toContain(dm.id);
  });

  it("goes back to the previous message when the last one is deleted, and away with the last", async () => {
    const one = await post(bob, { status: "@carol one", visibility: "direct" });
    const two = await post(bob, { status: "@carol two", visibility: "direct" });
    const pair = async (who: ApiUser, other: ApiUser) =>
      (await conversations(who)).list.find(
        (c) => c.accounts.length === 1 && c.accounts[0].id === other.account.id,
      );
    expect((await pair(carol, bob))?.last_status?.id).toBe(two.id);
    const del = (id: string) =>
      t.request(`/api/v1/statuses/${id}`, { method: "DELETE", token: bob.token });
    expect((await del(two.id)).status).toBe(200);
    expect((await pair(carol, bob))?.last_status?.id).toBe(one.id);
    expect((await pair(bob, carol))?.last_status?.id).toBe(one.id);
    await del(one.id);
    expect(await pair(carol, bob)).toBeUndefined();
    expect(await pair(bob, carol)).toBeUndefined();
  });

  it("takes an inbound snac DM (the recipient only in cc) as a conversation", async () => {
    const res = await snac.deliver(t, "create-note-direct");
    expect(res.status).toBeLessThan(300);
    await settle(t);
    const found = await eventually(async () =>
      (await conversations(probe)).list.find((c) =>
        c.last_status?.content.includes("Direct message from"),
      ),
    );
    expect(found).toMatchObject({ unread: true });
    expect(found.last_status?.visibility).toBe("direct");
    expect(found.accounts).toHaveLength(1);
    expect(found.accounts[0].acct).toMatch(/^dave@127\.0\.0\.1:\d+$/);
  });
});

describe("muting a thread", () => {
  const notifications = async (who: ApiUser) =>
    (await (await t.request("/api/v1/notifications", { token: who.token })).json()) as {
      type: string;
      status: { id: string } | null;
    }[];

  it("stops replies, mentions and favourites from the thread reaching the account, until unmuted", async () => {
    const root = await post(alice, { status: "a thread" });
    const reply = await post(bob, { status: "@alice first", in_reply_to_id: root.id });
    const mute = await t.request(`/api/v1/statuses/${reply.id}/mute`, {
      method: "POST",
      token: alice.token,
    });
    expect(mute.status).toBe(200);
    expect(await mute.json()).toMatchObject({ id: reply.id, muted: true });
    // The whole thread reads as muted for alice, not for others.
    const rootSeen = await t.request(`/api/v1/statuses/${root.id}`, { token: alice.token });
    expect(await rootSeen.json()).toMatchObject({ muted: true });
    const bobSees = await t.request(`/api/v1/statuses/${root.id}`, { token: bob.token });
    expect(await bobSees.json()).toMatchObject({ muted: false });

    const deeper = await post(carol, { status: "@alice @bob deeper", in_reply_to_id: reply.id });
    await t.request(`/api/v1/statuses/${root.id}/favourite`, {
      method: "POST",
      token: carol.token,
    });
    const outside = await post(carol, { status: "@alice elsewhere" });
    await settle(t);
    const mine = await notifications(alice);
    const ids = mine.map((n) => n.status?.id);
    expect(ids).toContain(outside.id);
    expect(ids).not.toContain(deeper.id);
    expect(mine.some((n) => n.type === "favourite" && n.status?.id === root.id)).toBe(false);
    // Bob did not mute it: he hears of the deeper reply.
    expect((await notifications(bob)).map((n) => n.status?.id)).toContain(deeper.id);

    const unmute = await t.request(`/api/v1/statuses/${root.id}/unmute`, {
      method: "POST",
      token: alice.token,
    });
    expect(await unmute.json()).toMatchObject({ muted: false });
    const after = await post(carol, { status: "@alice back", in_reply_to_id: deeper.id });
    expect((await notifications(alice)).map((n) => n.status?.id)).toContain(after.id);
  });

  it("needs a status the account may see", async () => {
    const secret = await post(carol, { status: "@bob only", visibility: "direct" });
    await expectError(
      await t.request(`/api/v1/statuses/${secret.id}/mute`, { method: "POST", token: alice.token }),
      404,
    );
  });
});
