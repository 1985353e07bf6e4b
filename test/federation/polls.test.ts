import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statuses } from "../../src/db/schema/index.ts";
import { apiGet, FakePeer, idOf, settle, TERN } from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { endPollNow } from "../helpers/polls.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * Polls over ActivityPub with signed fake peers built from captured traffic: GoToSocial's and
 * snac's `Question`s stored as polls and refreshed by `Update(Question)`, our votes sent as Notes
 * to the poll's author only, our polls sent as `Question`s, remote votes counted (not stored as
 * replies) and the new counts sent back.
 */
interface Poll {
  id: string;
  multiple: boolean;
  expired: boolean;
  votes_count: number;
  voters_count: number | null;
  options: { title: string; votes_count: number | null }[];
  own_votes?: number[];
}
interface ApiStatus {
  id: string;
  uri: string;
  poll: Poll | null;
  replies_count: number;
}
type Json = Record<string, unknown>;

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
let gts: FakePeer;
let snac: FakePeer;
let hollo: FakePeer;
beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  gts = await FakePeer.start("gotosocial");
  snac = await FakePeer.start("snac");
  hollo = await FakePeer.start("hollo");
});
afterAll(async () => {
  await Promise.all([gts.close(), snac.close(), hollo.close()]);
  await tern.close();
});

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
// The captures ended long ago: their polls are moved an hour ahead so they are still open.
const stillOpen = (text: string) =>
  text.replace(/"endTime":\s*"[^"]+"/g, `"endTime":"${inAnHour()}"`);

async function storedStatus(uri: string): Promise<ApiStatus> {
  const row = await eventually(async () => {
    const [s] = await tern.database.db.select().from(statuses).where(eq(statuses.uri, uri));
    return s;
  });
  return apiGet<ApiStatus>(tern, `/api/v1/statuses/${row.id}`, probe.token);
}

describe("remote polls", () => {
  let gtsPoll: ApiStatus;

  it("stores GoToSocial's Question as a single-choice poll", async () => {
    const capture = "create-question-poll-mentioning-probe";
    const res = await gts.deliver(tern, capture, { edit: stillOpen });
    expect(res.status).toBeLessThan(300);
    gtsPoll = await storedStatus(idOf(gts.captureJson(capture).object)!);
    expect(gtsPoll.poll).toMatchObject({
      multiple: false,
      expired: false,
      votes_count: 0,
      voters_count: 0,
      options: [
        { title: "Yes", votes_count: 0 },
        { title: "No", votes_count: 0 },
      ],
      own_votes: [],
    });
  });

  it("sends our vote as a Note named after the option, to the poll's author only", async () => {
    const res = await tern.request(`/api/v1/polls/${gtsPoll.poll!.id}/votes`, {
      method: "POST",
      token: probe.token,
      json: { choices: [1] },
    });
    expect(await res.json()).toMatchObject({ votes_count: 1, own_votes: [1] });
    const got = await gts.receivedActivity(
      (a) => a.type === "Create" && (a.object as Json)?.name === "No",
    );
    const note = got.json.object as Json;
    expect(note.inReplyTo).toBe(gtsPoll.uri);
    expect(note.attributedTo).toBe(`${TERN}/users/probe`);
    expect([note.to].flat()).toEqual([gts.actorId]);
    expect(note.cc ?? []).toEqual([]);
    expect(note.content ?? "").toBe("");
  });

  it("takes the counts of an Update(Question)", async () => {
    // GoToSocial's capture after one vote (its own): the remote count is the truth.
    const res = await gts.deliver(tern, "update-question-after-vote", { edit: stillOpen });
    expect(res.status).toBeLessThan(300);
    const update = gts.captureJson("update-question-after-vote").object as Json;
    const uri = idOf(update)!;
    const counts = ((update.oneOf ?? update.anyOf) as Json[]).map(
      (o) => (o.replies as Json).totalItems,
    );
    const s = await eventually(async () => {
      const seen = await storedStatus(uri);
      return seen.poll?.options.map((o) => o.votes_count).join() === counts.join() && seen;
    });
    expect(s.poll!.votes_count).toBe((counts as number[]).reduce((a, b) => a + b, 0));
  });

  it("tells us when a remote poll we voted in has ended", async () => {
    await endPollNow(tern, gtsPoll.poll!.id);
    const note = await eventually(async () => {
      const list = await apiGet<
        { type: string; account: { acct: string }; status: { id: string } }[]
      >(tern, "/api/v1/notifications", probe.token);
      return list.find((n) => n.type === "poll" && n.status.id === gtsPoll.id);
    });
    expect(note.account.acct).toMatch(/^bob@/);
    const seen = await apiGet<ApiStatus>(tern, `/api/v1/statuses/${gtsPoll.id}`, probe.token);
    expect(seen.poll!.expired).toBe(true);
  });

  it("reads snac's anyOf as a multiple-choice poll", async () => {
    await followAccepted(tern, probe.account, snac.actorId);
    const capture = "create-question-poll-multiple";
    await snac.deliver(tern, capture, { edit: stillOpen });
    const s = await storedStatus(idOf(snac.captureJson(capture).object)!);
    expect(s.poll).toMatchObject({
      multiple: true,
      voters_count: null,
      options: [{ title: "Red" }, { title: "Green" }],
    });
  });

  it("reads Hollo's Mastodon-shaped multiple-choice Question (anyOf, votersCount)", async () => {
    await followAccepted(tern, probe.account, hollo.actorId);
    const capture = "create-question-poll-multiple";
    await hollo.deliver(tern, capture, { edit: stillOpen });
    const s = await storedStatus(idOf(hollo.captureJson(capture).object)!);
    expect(s.poll).toMatchObject({
      multiple: true,
      expired: false,
      voters_count: 0,
      options: [
        { title: "Red", votes_count: 0 },
        { title: "Green", votes_count: 0 },
      ],
    });
  });
});

describe("our polls", () => {
  let poll: ApiStatus;
  let question: Json;

  it("go out as a Question with oneOf, endTime and votersCount", async () => {
    // GoToSocial's bob follows probe (its captured Follow, accepted at once).
    await gts.deliver(tern, "follow");
    await settle(tern);
    const res = await tern.request("/api/v1/statuses", {
      method: "POST",
      token: probe.token,
      json: { status: "tea or coffee?", poll: { options: ["tea", "coffee"], expires_in: 600 } },
    });
    poll = (await res.json()) as ApiStatus;
    const got = await gts.receivedActivity(
      (a) => a.type === "Create" && idOf(a.object) === poll.uri,
    );
    question = got.json.object as Json;
    expect(question.type).toBe("Question");
    expect(question.oneOf).toEqual([
      { type: "Note", name: "tea", replies: { type: "Collection", totalItems: 0 } },
      { type: "Note", name: "coffee", replies: { type: "Collection", totalItems: 0 } },
    ]);
    expect(Date.parse(question.endTime as string)).toBeGreaterThan(Date.now() + 500_000);
    expect(question.votersCount).toBe(0);
    expect(question.anyOf).toBeUndefined();
  });

  it("count a remote vote once, not as a reply, and send the new counts", async () => {
    const vote = (n: number, name: string) => ({
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${gts.actorId}/votes/${n}/activity`,
      type: "Create",
      actor: gts.actorId,
      to: [`${TERN}/users/probe`],
      object: {
        id: `${gts.actorId}/votes/${n}`,
        type: "Note",
        attributedTo: gts.actorId,
        to: [`${TERN}/users/probe`],
        name,
        inReplyTo: poll.uri,
      },
    });
    expect((await gts.send(tern, vote(1, "coffee"), { inbox: "/users/probe/inbox" })).status).toBe(
      202,
    );
    const update = await gts.receivedActivity(
      (a) =>
        a.type === "Update" &&
        idOf(a.object) === poll.uri &&
        ((a.object as Json).votersCount as number) === 1,
    );
    expect((update.json.object as Json).oneOf).toMatchObject([
      { name: "tea", replies: { totalItems: 0 } },
      { name: "coffee", replies: { totalItems: 1 } },
    ]);
    // A second choice in a single-choice poll is dropped.
    await gts.send(tern, vote(2, "tea"), { inbox: "/users/probe/inbox" });
    await settle(tern);
    const seen = await apiGet<ApiStatus>(tern, `/api/v1/statuses/${poll.id}`, probe.token);
    expect(seen.poll).toMatchObject({
      votes_count: 1,
      voters_count: 1,
      options: [{ votes_count: 0 }, { votes_count: 1 }],
    });
    expect(seen.replies_count).toBe(0);
  });

  it("send their final counts, closed, when they end", async () => {
    await endPollNow(tern, poll.poll!.id);
    const closed = await gts.receivedActivity(
      (a) =>
        a.type === "Update" && idOf(a.object) === poll.uri && Boolean((a.object as Json).closed),
    );
    expect((closed.json.object as Json).oneOf).toMatchObject([
      { replies: { totalItems: 0 } },
      { replies: { totalItems: 1 } },
    ]);
  });

  it("are fetched as the Question too", async () => {
    const res = await tern.request(new URL(poll.uri).pathname, {
      headers: { accept: "application/activity+json" },
    });
    const body = (await res.json()) as Json;
    expect(body.type).toBe("Question");
    expect((body.oneOf as Json[]).map((o) => o.name)).toEqual(["tea", "coffee"]);
  });
});
