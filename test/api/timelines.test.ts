import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, links } from "./entity-shape.ts";

interface Status {
  id: string;
  content: string;
  visibility: string;
  account: { id: string };
}
interface User {
  account: { id: string };
  token: string;
}

let t: TestTern;
let alice: User;
let bob: User;
let carol: User;
let dave: User;

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
  dave = await t.user("dave");
});
afterAll(() => t.close());

async function post(who: User, status: string, visibility = "public"): Promise<Status> {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token: who.token,
    json: { status, visibility },
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Status;
}

async function timeline(path: string, token?: string): Promise<Status[]> {
  const res = await t.request(path, { token });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Status[];
}

const ids = (list: Status[]) => list.map((s) => s.id);
const follow = async (who: User, target: User, verb = "follow") => {
  const res = await t.request(`/api/v1/accounts/${target.account.id}/${verb}`, {
    method: "POST",
    token: who.token,
  });
  expect(res.status).toBe(200);
};

describe("home timeline", () => {
  it("needs a token with read access", async () => {
    await expectError(await t.request("/api/v1/timelines/home"), 401);
    const writer = await t.user("writer", { scopes: "write" });
    await expectError(await t.request("/api/v1/timelines/home", { token: writer.token }), 403);
    const granular = await t.user("granular", { scopes: "read:statuses" });
    expect((await t.request("/api/v1/timelines/home", { token: granular.token })).status).toBe(200);
  });

  it("shows one's own posts and those of followed accounts, not others'", async () => {
    await follow(alice, bob);
    const own = await post(alice, "alice's own", "private");
    const followed = await post(bob, "bob to his followers", "private");
    const followedUnlisted = await post(bob, "bob unlisted", "unlisted");
    const stranger = await post(carol, "carol, whom alice does not follow");
    const home = await eventually(async () => {
      const list = ids(await timeline("/api/v1/timelines/home", alice.token));
      return [own.id, followed.id, followedUnlisted.id].every((id) => list.includes(id))
        ? list
        : undefined;
    });
    expect(home).not.toContain(stranger.id);
    // Newest first.
    expect(home).toEqual([...home].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1)));
    // bob does not follow alice: her posts are not in his home.
    const bobs = ids(await timeline("/api/v1/timelines/home", bob.token));
    expect(bobs).toContain(followed.id);
    expect(bobs).not.toContain(own.id);
  });

  it("brings a direct post to the mentioned account only", async () => {
    const dm = await post(carol, "@dave just for you", "direct");
    await eventually(async () =>
      ids(await timeline("/api/v1/timelines/home", dave.token)).includes(dm.id),
    );
    await follow(bob, carol);
    const other = await post(carol, "after bob followed");
    await eventually(async () =>
      ids(await timeline("/api/v1/timelines/home", bob.token)).includes(other.id),
    );
    expect(ids(await timeline("/api/v1/timelines/home", bob.token))).not.toContain(dm.id);
  });

  it("shows a followed account's earlier posts after following, and drops them after unfollowing", async () => {
    const erin = await t.user("erin");
    const earlier = await post(erin, "posted before anyone followed");
    // Fan-out of that post is over before dave follows.
    await eventually(async () =>
      ids(await timeline("/api/v1/timelines/home", erin.token)).includes(earlier.id),
    );
    await follow(dave, erin);
    await eventually(async () =>
      ids(await timeline("/api/v1/timelines/home", dave.token)).includes(earlier.id),
    );
    const later = await post(erin, "posted after dave followed");
    await eventually(async () =>
      ids(await timeline("/api/v1/timelines/home", dave.token)).includes(later.id),
    );
    await follow(dave, erin, "unfollow");
    const home = ids(await timeline("/api/v1/timelines/home", dave.token));
    expect(home).not.toContain(earlier.id);
    expect(home).not.toContain(later.id);
  });

  it("marks what the reader favourited, boosted, bookmarked and muted, as the status itself does", async () => {
    const frank = await t.user("frank");
    const gina = await t.user("gina");
    await follow(frank, gina);
    const liked = await post(gina, "liked by frank");
    const boosted = await post(gina, "boosted by frank");
    const kept = await post(gina, "bookmarked by frank");
    const muted = await post(gina, "a thread frank muted");
    const plain = await post(gina, "left alone");
    const act = async (id: string, verb: string) => {
      const res = await t.request(`/api/v1/statuses/${id}/${verb}`, {
        method: "POST",
        token: frank.token,
      });
      expect(res.status).toBe(200);
    };
    await act(liked.id, "favourite");
    await act(boosted.id, "reblog");
    await act(kept.id, "bookmark");
    await act(muted.id, "mute");
    type Marked = Status & Record<"favourited" | "reblogged" | "bookmarked" | "muted", boolean>;
    const marks = (s: Marked) => ({
      favourited: s.favourited,
      reblogged: s.reblogged,
      bookmarked: s.bookmarked,
      muted: s.muted,
    });
    let home: Marked[] = [];
    await eventually(async () => {
      home = (await timeline("/api/v1/timelines/home", frank.token)) as Marked[];
      return [liked, boosted, kept, muted, plain].every((p) => ids(home).includes(p.id));
    });
    const shown = (id: string) => marks(home.find((s) => s.id === id)!);
    const none = { favourited: false, reblogged: false, bookmarked: false, muted: false };
    expect(shown(liked.id)).toEqual({ ...none, favourited: true });
    expect(shown(boosted.id)).toEqual({ ...none, reblogged: true });
    expect(shown(kept.id)).toEqual({ ...none, bookmarked: true });
    expect(shown(muted.id)).toEqual({ ...none, muted: true });
    expect(shown(plain.id)).toEqual(none);
    // The single status reads the same (loaded the other way, by a separate statement).
    for (const p of [liked, boosted, kept, muted, plain]) {
      const one = (await (
        await t.request(`/api/v1/statuses/${p.id}`, { token: frank.token })
      ).json()) as Marked;
      expect(marks(one)).toEqual(shown(p.id));
    }
    // Another reader sees none of frank's marks on the same posts.
    await follow(alice, gina);
    await eventually(async () =>
      ids(await timeline("/api/v1/timelines/home", alice.token)).includes(liked.id),
    );
    const alices = (await timeline("/api/v1/timelines/home", alice.token)) as Marked[];
    for (const p of [liked, boosted, kept, muted])
      expect(marks(alices.find((s) => s.id === p.id)!)).toEqual(none);
  });
});

describe("public timeline", () => {
  it("shows public posts only, to anybody", async () => {
    const pub = await post(carol, "public for all");
    const hidden = [
      await post(carol, "unlisted", "unlisted"),
      await post(carol, "followers", "private"),
      await post(carol, "@dave direct", "direct"),
    ];
    for (const path of ["/api/v1/timelines/public", "/api/v1/timelines/public?local=true"]) {
      const list = ids(await timeline(path));
      expect(list).toContain(pub.id);
      for (const s of hidden) expect(list).not.toContain(s.id);
      expect(ids(await timeline(path, dave.token))).toContain(pub.id);
    }
    // Everything here is local, so remote=true has none of it.
    expect(ids(await timeline("/api/v1/timelines/public?remote=true"))).not.toContain(pub.id);
  });
});

describe("paging", () => {
  let reader: User;
  let posted: string[]; // newest first
  beforeAll(async () => {
    const pager = await t.user("pager");
    reader = await t.user("reader");
    await follow(reader, pager);
    posted = [];
    for (let i = 0; i < 7; i++) posted.unshift((await post(pager, `page post ${i}`)).id);
    await eventually(
      async () => ids(await timeline("/api/v1/timelines/home?limit=40", reader.token)).length === 7,
    );
  });

  it("limit, max_id, since_id and min_id pick the right posts in the right order", async () => {
    const home = (q: string) => timeline(`/api/v1/timelines/home?${q}`, reader.token).then(ids);
    expect(await home("limit=3")).toEqual(posted.slice(0, 3));
    expect(await home(`limit=3&max_id=${posted[2]}`)).toEqual(posted.slice(3, 6));
    // since_id: the newest ones above it; min_id: the ones right after it. Both newest first.
    expect(await home(`limit=2&since_id=${posted[5]}`)).toEqual(posted.slice(0, 2));
    expect(await home(`limit=2&min_id=${posted[5]}`)).toEqual(posted.slice(3, 5));
    expect(await home(`max_id=${posted[1]}&since_id=${posted[5]}`)).toEqual(posted.slice(2, 5));
    expect(await home(`max_id=${posted[6]}`)).toEqual([]);
  });

  it("clamps limit like Mastodon (never an error for an odd value)", async () => {
    const all = await timeline("/api/v1/timelines/home?limit=1000", reader.token);
    expect(ids(all)).toEqual(posted);
    for (const limit of ["0", "-5", "abc", "2.5"]) {
      const res = await t.request(`/api/v1/timelines/home?limit=${limit}`, { token: reader.token });
      expect(res.status, limit).toBeLessThan(500);
      if (res.status === 200) expect(Array.isArray(await res.json())).toBe(true);
      else await expectError(res, 400);
    }
  });

  it("Link headers lead to the next and previous pages", async () => {
    const first = await t.request("/api/v1/timelines/home?limit=3", { token: reader.token });
    expect(ids(await first.json())).toEqual(posted.slice(0, 3));
    const l1 = links(first);
    expect(l1.next).toContain(`max_id=${posted[2]}`);
    expect(l1.next).toContain("limit=3");
    expect(l1.prev).toContain(`min_id=${posted[0]}`);

    const second = await t.request(l1.next, { token: reader.token });
    expect(ids(await second.json())).toEqual(posted.slice(3, 6));
    const l2 = links(second);
    const back = await t.request(l2.prev, { token: reader.token });
    expect(ids(await back.json())).toEqual(posted.slice(0, 3));

    const third = await t.request(l2.next, { token: reader.token });
    expect(ids(await third.json())).toEqual(posted.slice(6));
    const fourth = await t.request(links(third).next, { token: reader.token });
    expect(await fourth.json()).toEqual([]);
    // An empty page has no Link to follow.
    expect(fourth.headers.get("link")).toBeNull();
  });

  it("pages the public timeline the same way, keeping local=true", async () => {
    const first = await t.request("/api/v1/timelines/public?local=true&limit=2");
    const page1 = ids(await first.json());
    expect(page1).toHaveLength(2);
    const next = links(first).next;
    expect(next).toContain("local=true");
    const page2 = ids(await (await t.request(next)).json());
    expect(page2).toHaveLength(2);
    expect(BigInt(page2[0])).toBeLessThan(BigInt(page1[1]));
  });

  it("refuses malformed paging ids with a 400, not a 500", async () => {
    for (const q of ["max_id=abc", "since_id=1.5", "min_id=-1", "max_id=99999999999999999999999"]) {
      await expectError(await t.request(`/api/v1/timelines/public?${q}`), 400);
      await expectError(
        await t.request(`/api/v1/timelines/home?${q}`, { token: reader.token }),
        400,
      );
    }
  });
});
