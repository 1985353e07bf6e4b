/**
 * The fan-out of a post sends its readers' `home` events from its own statement (no round trip of
 * their own): one NOTIFY per 300 readers, since a NOTIFY payload is capped at 8000 bytes, each
 * a `home` event the streaming hub reads as it reads publishEvent's. A re-run of the fan-out
 * reaches nobody new and tells nobody.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { accounts, follows, statuses } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { EVENTS_CHANNEL, type LiveEvent } from "../../src/services/events/publish.ts";
import { fanOutToHomeFeeds } from "../../src/services/timelines/fanout.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;
beforeAll(async () => {
  t = await startTestTern();
});
afterAll(() => t?.close());

it("tells 301 readers of a post in two home events, and nobody on a re-run", async () => {
  const { db } = t.database;
  const author = {
    id: newId(),
    username: "writer",
    domain: "remote.example",
    uri: "https://remote.example/users/writer",
  };
  const readers = Array.from({ length: 301 }, (_, i) => ({
    id: newId(),
    username: `reader${i}`,
    uri: `${t.config.publicUrl}/users/reader${i}`,
  }));
  await db.insert(accounts).values([author, ...readers]);
  await db.insert(follows).values(
    readers.map((r) => ({
      id: newId(),
      followerId: r.id,
      followingId: author.id,
      uri: `${r.uri}#follows/1`,
      state: "accepted" as const,
    })),
  );
  const statusId = newId();
  await db.insert(statuses).values({
    id: statusId,
    uri: `${author.uri}/statuses/1`,
    accountId: author.id,
    visibility: "public",
    local: false,
    content: "<p>to all of you</p>",
  });
  const heard: LiveEvent[] = [];
  const stop = await t.database.listen(EVENTS_CHANNEL, (p) => heard.push(JSON.parse(p)));
  try {
    expect(await fanOutToHomeFeeds(db, statusId)).toBe(301);
    await eventually(async () => heard.length >= 2);
    expect(heard).toHaveLength(2);
    const told = heard.flatMap((e) => {
      if (e.t !== "home") throw new Error(`not a home event: ${JSON.stringify(e)}`);
      expect(e.id).toBe(statusId);
      return e.to;
    });
    expect(heard.map((e) => (e.t === "home" ? e.to.length : 0)).sort()).toEqual([1, 300]);
    expect(told.sort()).toEqual(readers.map((r) => r.id).sort());
    expect(await fanOutToHomeFeeds(db, statusId)).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toHaveLength(2);
  } finally {
    await stop();
  }
});
