import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiUser } from "../helpers/api-client.ts";
import { endPollNow } from "../helpers/polls.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { documentedExample, expectError, shapeProblems } from "./entity-shape.ts";

/** Polls through the client API: posting, editing, voting, the end, and the Poll entity. */
interface Poll {
  id: string;
  expires_at: string | null;
  expired: boolean;
  multiple: boolean;
  votes_count: number;
  voters_count: number | null;
  voted?: boolean;
  own_votes?: number[];
  options: { title: string; votes_count: number | null }[];
}
interface Status {
  id: string;
  poll: Poll | null;
  content: string;
}

let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
let carol: ApiUser;
beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
});
afterAll(() => t.close());

async function post(who: ApiUser, json: Record<string, unknown>): Promise<Status> {
  const res = await t.request("/api/v1/statuses", { method: "POST", token: who.token, json });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Status;
}
const pollPost = (who: ApiUser, poll: Record<string, unknown>, extra = {}) =>
  post(who, { status: "which one?", poll: { expires_in: 3600, ...poll }, ...extra });
const vote = (who: ApiUser, pollId: string, choices: unknown[]) =>
  t.request(`/api/v1/polls/${pollId}/votes`, {
    method: "POST",
    token: who.token,
    json: { choices },
  });
const getPoll = async (id: string, who?: ApiUser) => {
  const res = await t.request(`/api/v1/polls/${id}`, { token: who?.token });
  return { status: res.status, poll: (await res.json()) as Poll };
};

describe("posting a poll", () => {
  it("answers Mastodon's Poll entity inside the Status, from a JSON body", async () => {
    const before = Date.now();
    const s = await pollPost(alice, { options: ["tea", "coffee"] });
    const poll = s.poll!;
    expect(shapeProblems(poll, documentedExample("Poll"), ["voters_count"])).toEqual([]);
    expect(poll).toMatchObject({
      expired: false,
      multiple: false,
      votes_count: 0,
      voters_count: 0,
      // The author's own poll counts as voted (Mastodon: they cannot vote in it).
      voted: true,
      own_votes: [],
      options: [
        { title: "tea", votes_count: 0 },
        { title: "coffee", votes_count: 0 },
      ],
      emojis: [],
    });
    const ends = Date.parse(poll.expires_at!);
    expect(ends).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1_000);
    // Anonymous readers get no voted/own_votes, as on Mastodon.
    const anon = await getPoll(poll.id);
    expect(anon.status).toBe(200);
    expect(anon.poll).not.toHaveProperty("voted");
    const seen = (await (
      await t.request(`/api/v1/statuses/${s.id}`, { token: bob.token })
    ).json()) as Status;
    expect(seen.poll).toMatchObject({ id: poll.id, voted: false, own_votes: [] });
  });

  it("reads form bodies (poll[options][], poll[multiple], poll[hide_totals])", async () => {
    const form = new URLSearchParams([
      ["status", "pick any"],
      ["poll[options][]", "red"],
      ["poll[options][]", "green"],
      ["poll[options][]", "blue"],
      ["poll[expires_in]", "300"],
      ["poll[multiple]", "true"],
      ["poll[hide_totals]", "true"],
    ]);
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    expect(res.status).toBe(200);
    const s = (await res.json()) as Status;
    expect(s.poll).toMatchObject({ multiple: true, options: [{ title: "red" }, {}, {}] });
    // Totals hidden from others until the end; the author sees them.
    expect((await getPoll(s.poll!.id, bob)).poll.options[0].votes_count).toBeNull();
    expect((await getPoll(s.poll!.id, alice)).poll.options[0].votes_count).toBe(0);
  });

  it("refuses bad polls with a 422 that says why, and stores nothing", async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ options: ["only"] }, /at least 2/],
      [{ options: ["a", "b", "c", "d", "e"] }, /more than 4/],
      [{ options: ["a", "x".repeat(51)] }, /longer than 50/],
      [{ options: ["a", "a"] }, /duplicate/],
      [{ options: ["a", ""] }, /blank/],
      [{ options: ["a", "b"], expires_in: 299 }, /at least 300/],
      [{ options: ["a", "b"], expires_in: 2_629_747 }, /longer than 2629746/],
      [{ options: ["a", "b"], expires_in: "soon" }, /expires_in/],
      [{ options: ["a", "b"], colour: "red" }, /colour/],
    ];
    for (const [poll, why] of bad) {
      const res = await t.request("/api/v1/statuses", {
        method: "POST",
        token: carol.token,
        json: { status: "bad poll", poll: { expires_in: 3600, ...poll } },
      });
      const body = await expectError(res, 422);
      expect(JSON.stringify(body)).toMatch(why);
    }
    const mine = await t.request(`/api/v1/accounts/${carol.account.id}/statuses`, {
      token: carol.token,
    });
    expect(await mine.json()).toEqual([]);
  });

  it("refuses a poll together with media", async () => {
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: carol.token,
      json: {
        status: "both",
        media_ids: ["1234"],
        poll: { options: ["a", "b"], expires_in: 3600 },
      },
    });
    const body = await expectError(res, 422);
    expect(JSON.stringify(body)).toMatch(/media and a poll/);
  });

  it("announces its limits in the instance configuration, so clients offer polls", async () => {
    const v2 = (await (await t.request("/api/v2/instance")).json()) as {
      configuration: { polls: Record<string, number> };
    };
    expect(v2.configuration.polls).toEqual({
      max_options: 4,
      max_characters_per_option: 50,
      min_expiration: 300,
      max_expiration: 2_629_746,
    });
  });
});

describe("voting", () => {
  it("counts a vote once, in the counters, and shows it as the voter's own", async () => {
    const { poll } = await pollPost(alice, { options: ["yes", "no"] });
    const res = await vote(bob, poll!.id, [1]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      votes_count: 1,
      voters_count: 1,
      voted: true,
      own_votes: [1],
      options: [{ votes_count: 0 }, { votes_count: 1 }],
    });
    // Twice, several choices in a single-choice poll, out of range, own poll: 422.
    expect(JSON.stringify(await expectError(await vote(bob, poll!.id, [0]), 422))).toMatch(
      /already voted/,
    );
    await expectError(await vote(carol, poll!.id, [0, 1]), 422);
    await expectError(await vote(carol, poll!.id, [2]), 422);
    await expectError(await vote(carol, poll!.id, []), 422);
    await expectError(await vote(carol, poll!.id, ["x"]), 422);
    await expectError(await vote(alice, poll!.id, [0]), 422);
    expect((await getPoll(poll!.id, carol)).poll).toMatchObject({ votes_count: 1, voted: false });
    // Form clients send choices[]=0.
    const form = await t.request(`/api/v1/polls/${poll!.id}/votes`, {
      method: "POST",
      token: carol.token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "choices[]=0",
    });
    expect(await form.json()).toMatchObject({ votes_count: 2, voters_count: 2, own_votes: [0] });
  });

  it("counts each choice of a multiple-choice vote and the voter once", async () => {
    const { poll } = await pollPost(alice, { options: ["a", "b", "c"], multiple: true });
    expect(await (await vote(bob, poll!.id, [0, 2])).json()).toMatchObject({
      votes_count: 2,
      voters_count: 1,
      own_votes: [0, 2],
    });
    expect(await (await vote(carol, poll!.id, [2])).json()).toMatchObject({
      votes_count: 3,
      voters_count: 2,
      options: [{ votes_count: 1 }, { votes_count: 0 }, { votes_count: 2 }],
    });
  });

  it("follows its status's visibility: a followers-only poll is not found by others", async () => {
    const s = await pollPost(alice, { options: ["a", "b"] }, { visibility: "private" });
    expect((await getPoll(s.poll!.id, bob)).status).toBe(404);
    expect((await getPoll(s.poll!.id)).status).toBe(404);
    expect((await vote(bob, s.poll!.id, [0])).status).toBe(404);
    expect((await getPoll("nope", bob)).status).toBe(404);
  });
});

describe("editing a poll", () => {
  it("keeps votes when only the end moves, resets them when the options change, removes it when left out", async () => {
    const s = await pollPost(alice, { options: ["a", "b"] });
    await vote(bob, s.poll!.id, [0]);
    const edit = (json: Record<string, unknown>) =>
      t.request(`/api/v1/statuses/${s.id}`, { method: "PUT", token: alice.token, json });
    let res = await edit({ status: "which one?", poll: { options: ["a", "b"], expires_in: 7200 } });
    expect(res.status).toBe(200);
    let body = (await res.json()) as Status & { edited_at: string | null };
    expect(body.poll).toMatchObject({ votes_count: 1, options: [{ votes_count: 1 }, {}] });
    expect(Date.parse(body.poll!.expires_at!)).toBeGreaterThan(Date.now() + 7_000_000);
    expect(body.edited_at).not.toBeNull();
    res = await edit({ status: "which one?", poll: { options: ["a", "c"], expires_in: 7200 } });
    body = (await res.json()) as Status & { edited_at: string | null };
    expect(body.poll).toMatchObject({
      votes_count: 0,
      voters_count: 0,
      options: [{}, { title: "c" }],
    });
    expect((await getPoll(s.poll!.id, bob)).poll).toMatchObject({ voted: false, own_votes: [] });
    await expectError(await edit({ status: "x", poll: { options: ["a"], expires_in: 7200 } }), 422);
    res = await edit({ status: "no poll now" });
    expect(((await res.json()) as Status).poll).toBeNull();
  });
});

describe("the end of a poll", () => {
  it("closes at expires_at (a queued job), notifies voters and the author, refuses later votes", async () => {
    const s = await pollPost(alice, { options: ["a", "b"] });
    const pollId = s.poll!.id;
    await vote(bob, pollId, [1]);
    await endPollNow(t, pollId);
    const notified = async (who: ApiUser) => {
      const res = await t.request("/api/v1/notifications?types[]=poll", { token: who.token });
      const list = (await res.json()) as { type: string; status: { id: string } | null }[];
      return list.find((n) => n.type === "poll" && n.status?.id === s.id);
    };
    await eventually(() => notified(bob));
    expect(await notified(alice)).toBeTruthy();
    expect(await notified(carol)).toBeUndefined();
    expect((await getPoll(pollId, carol)).poll.expired).toBe(true);
    const late = await vote(carol, pollId, [0]);
    expect(JSON.stringify(await expectError(late, 422))).toMatch(/ended/);
  });
});
