import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settle } from "../helpers/ap-fixtures.ts";
import { type ApiUser, postStatus } from "../helpers/api-client.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError } from "./entity-shape.ts";

/**
 * Filters v2 (keywords, statuses, contexts, actions, expiry) and their v1 view, applied
 * server-side: `hide` takes posts off home, public, threads, profiles and notifications;
 * `warn` and `blur` fill Status.filtered with FilterResults.
 */
interface Keyword {
  id: string;
  keyword: string;
  whole_word: boolean;
}
interface Filter {
  id: string;
  title: string;
  context: string[];
  filter_action: string;
  expires_at: string | null;
  keywords: Keyword[];
  statuses: { id: string; status_id: string }[];
}
interface FilterResult {
  filter: { id: string; filter_action: string };
  keyword_matches: string[] | null;
  status_matches: string[] | null;
}
interface Status {
  id: string;
  filtered: FilterResult[];
  reblog: Status | null;
}

let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
beforeAll(async () => {
  t = await startTestTern();
  [alice, bob] = await Promise.all([t.user("alice"), t.user("bob")]);
  await t.request(`/api/v1/accounts/${bob.account.id}/follow`, {
    method: "POST",
    token: alice.token,
  });
});
afterAll(() => t.close());

async function call<T>(method: string, path: string, json?: unknown, who = alice): Promise<T> {
  const res = await t.request(path, { method, token: who.token, json });
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}
const makeFilter = (json: Record<string, unknown>) => call<Filter>("POST", "/api/v2/filters", json);
const page = (path: string, who: ApiUser | null = alice) =>
  t
    .request(path, { token: who?.token })
    .then((r) => r.json() as Promise<Status[]>)
    .then((all) => new Map(all.map((s) => [s.id, s])));

describe("v2 filters CRUD", () => {
  it("creates a filter with keywords, changes, adds and destroys keywords, and deletes it", async () => {
    const made = await makeFilter({
      title: "Test filter",
      context: ["home", "public"],
      filter_action: "warn",
      expires_in: 3600,
      keywords_attributes: [{ keyword: "bad word", whole_word: false }, { keyword: "other" }],
    });
    expectDocumentedShape({ ...made, statuses: [{ id: "1", status_id: "2" }] }, "Filter");
    expect(made).toMatchObject({ title: "Test filter", context: ["home", "public"] });
    expect(Date.parse(made.expires_at!) - Date.now()).toBeGreaterThan(3500_000);
    expect(made.keywords.map((k) => [k.keyword, k.whole_word])).toEqual([
      ["bad word", false],
      ["other", true],
    ]);
    const [bad, other] = made.keywords;
    const changed = await call<Filter>("PUT", `/api/v2/filters/${made.id}`, {
      title: "Renamed",
      filter_action: "blur",
      expires_in: "",
      keywords_attributes: [
        { id: bad.id, keyword: "worse word" },
        { id: other.id, _destroy: true },
        { keyword: "new" },
      ],
    });
    expect(changed).toMatchObject({ title: "Renamed", filter_action: "blur", expires_at: null });
    expect(changed.keywords.map((k) => k.keyword)).toEqual(["worse word", "new"]);
    expect((await call<Filter[]>("GET", "/api/v2/filters")).map((f) => f.id)).toContain(made.id);
    expect(await call<Filter>("GET", `/api/v2/filters/${made.id}`)).toEqual(changed);

    // Keywords by themselves.
    const added = await call<Keyword>("POST", `/api/v2/filters/${made.id}/keywords`, {
      keyword: "third",
      whole_word: false,
    });
    expectDocumentedShape(added, "FilterKeyword");
    expect(await call("GET", `/api/v2/filters/keywords/${added.id}`)).toEqual(added);
    expect(
      await call<Keyword>("PUT", `/api/v2/filters/keywords/${added.id}`, { whole_word: true }),
    ).toMatchObject({ keyword: "third", whole_word: true });
    await call("DELETE", `/api/v2/filters/keywords/${added.id}`);
    expect(
      (await call<Keyword[]>("GET", `/api/v2/filters/${made.id}/keywords`)).map((k) => k.keyword),
    ).toEqual(["worse word", "new"]);

    // Statuses by themselves.
    const post = await postStatus<{ id: string }>(t, bob, "a status to filter");
    const pinned = await call<{ id: string; status_id: string }>(
      "POST",
      `/api/v2/filters/${made.id}/statuses`,
      { status_id: post.id },
    );
    expectDocumentedShape(pinned, "FilterStatus");
    expect(pinned.status_id).toBe(post.id);
    expect(await call("GET", `/api/v2/filters/statuses/${pinned.id}`)).toEqual(pinned);
    expect(await call("GET", `/api/v2/filters/${made.id}/statuses`)).toEqual([pinned]);
    await call("DELETE", `/api/v2/filters/statuses/${pinned.id}`);
    expect(await call("GET", `/api/v2/filters/${made.id}/statuses`)).toEqual([]);

    // Another account sees none of it.
    for (const path of [
      `/api/v2/filters/${made.id}`,
      `/api/v2/filters/keywords/${bad.id}`,
      `/api/v2/filters/${made.id}/keywords`,
    ])
      await expectError(await t.request(path, { token: bob.token }), 404);
    expect(await call("DELETE", `/api/v2/filters/${made.id}`)).toEqual({});
    await expectError(await t.request(`/api/v2/filters/${made.id}`, { token: alice.token }), 404);
  });

  it("refuses an unknown context or action, no context, an empty title or keyword (422 with a reason, nothing stored)", async () => {
    const bad = async (json: unknown, pattern: RegExp) => {
      const res = await t.request("/api/v2/filters", { method: "POST", token: alice.token, json });
      expect(await expectError(res, 422)).toMatch(pattern);
    };
    await bad({ title: "x", context: ["home", "everywhere"] }, /everywhere/);
    await bad({ title: "x", context: ["home"], filter_action: "delete" }, /filter_action/);
    await bad({ title: "x", context: [] }, /context/i);
    await bad({ title: "", context: ["home"] }, /title/i);
    await bad(
      { title: "x", context: ["home"], keywords_attributes: [{ keyword: " " }] },
      /keyword/i,
    );
    await bad({ title: "x", context: ["home"], irreversible: true }, /irreversible/);
    expect(await call<Filter[]>("GET", "/api/v2/filters")).toEqual([]);
    const reader = await t.user("reader", { scopes: "read:statuses" });
    await expectError(await t.request("/api/v2/filters", { token: reader.token }), 403);
  });
});

describe("v1 filters (Tusky) on top of v2", () => {
  it("creates, lists, changes and deletes a phrase from a form, in Mastodon's V1_Filter shape", async () => {
    const form = new URLSearchParams([
      ["phrase", "test"],
      ["context[]", "home"],
      ["context[]", "notifications"],
      ["irreversible", "true"],
      ["whole_word", "false"],
      ["expires_in", "600"],
    ]);
    const res = await t.request("/api/v1/filters", {
      method: "POST",
      token: alice.token,
      body: form,
    });
    expect(res.status).toBe(200);
    const v1 = (await res.json()) as { id: string; irreversible: boolean };
    expectDocumentedShape(v1, "V1_Filter");
    expect(v1).toMatchObject({ phrase: "test", irreversible: true, whole_word: false });
    // The v2 view: one filter titled by the phrase, hiding, with that keyword.
    const [v2] = await call<Filter[]>("GET", "/api/v2/filters");
    expect(v2).toMatchObject({
      title: "test",
      filter_action: "hide",
      context: ["home", "notifications"],
    });
    expect(v2.keywords.map((k) => k.id)).toEqual([v1.id]);
    expect(await call("GET", "/api/v1/filters")).toEqual([v1]);
    const changed = await call("PUT", `/api/v1/filters/${v1.id}`, {
      phrase: "tested",
      context: ["public"],
      irreversible: false,
    });
    expect(changed).toMatchObject({
      id: v1.id,
      phrase: "tested",
      context: ["public"],
      irreversible: false,
    });
    expect(await call("GET", `/api/v1/filters/${v1.id}`)).toEqual(changed);
    const blank = await t.request("/api/v1/filters", {
      method: "POST",
      token: alice.token,
      json: { phrase: "", context: ["home"] },
    });
    expect(await expectError(blank, 422)).toMatch(/phrase/i);
    await call("DELETE", `/api/v1/filters/${v1.id}`);
    expect(await call("GET", "/api/v1/filters")).toEqual([]);
    expect(await call("GET", "/api/v2/filters")).toEqual([]);
  });
});

describe("filters applied", () => {
  it("warn fills Status.filtered in home and public (whole words, any case), hide takes posts away; others unaffected", async () => {
    const warn = await makeFilter({
      title: "Spoilers",
      context: ["home", "public"],
      keywords_attributes: [{ keyword: "spoiler", whole_word: true }],
    });
    const hide = await makeFilter({
      title: "Never",
      context: ["home", "public", "thread", "account"],
      filter_action: "hide",
      keywords_attributes: [{ keyword: "crypto", whole_word: false }],
    });
    const warned = (await postStatus<{ id: string }>(t, bob, "Huge SPOILER ahead")).id;
    const wordPart = (await postStatus<{ id: string }>(t, bob, "spoilerish is not the word")).id;
    const hidden = (await postStatus<{ id: string }>(t, bob, "Buy CryptoCoins now")).id;
    const own = (await postStatus<{ id: string }>(t, alice, "my own crypto spoiler")).id;
    await settle(t);
    for (const path of ["/api/v1/timelines/home", "/api/v1/timelines/public"]) {
      const shown = await page(path);
      expect(shown.has(hidden), path).toBe(false);
      const [result] = shown.get(warned)!.filtered;
      expectDocumentedShape(result, "FilterResult", ["status_matches", "expires_at"]);
      expect(result).toMatchObject({
        filter: { id: warn.id, filter_action: "warn" },
        keyword_matches: ["SPOILER"],
        status_matches: null,
      });
      expect(shown.get(wordPart)!.filtered).toEqual([]);
      // The viewer's own posts are never filtered.
      expect(shown.get(own)!.filtered).toEqual([]);
    }
    // Hidden on bob's profile and in its thread for alice; not for bob, nor for anonymous.
    const profile = await page(`/api/v1/accounts/${bob.account.id}/statuses`);
    expect(profile.has(hidden)).toBe(false);
    expect(profile.has(warned)).toBe(true);
    expect((await page("/api/v1/timelines/public", bob)).has(hidden)).toBe(true);
    expect((await page("/api/v1/timelines/public", null)).get(warned)!.filtered).toEqual([]);
    const reply = await call<{ id: string }>(
      "POST",
      "/api/v1/statuses",
      { status: "@bob what about crypto?", in_reply_to_id: warned },
      alice,
    );
    const other = await call<{ id: string }>(
      "POST",
      "/api/v1/statuses",
      { status: "more crypto talk", in_reply_to_id: warned },
      bob,
    );
    const thread = await call<{ descendants: Status[] }>(
      "GET",
      `/api/v1/statuses/${warned}/context`,
    );
    expect(thread.descendants.map((s) => s.id)).toEqual([reply.id]);
    expect(thread.descendants.map((s) => s.id)).not.toContain(other.id);

    // A filtered status (not a keyword) matches by id, and so do boosts of it.
    const carol = await t.user("carol");
    const hers = (await postStatus<{ id: string }>(t, carol, "nothing to see")).id;
    await call("POST", `/api/v2/filters/${warn.id}/statuses`, { status_id: hers });
    const boost = await call<Status>("POST", `/api/v1/statuses/${hers}/reblog`, {}, bob);
    await settle(t);
    const home = await page("/api/v1/timelines/home");
    expect(home.get(boost.id)?.reblog?.filtered[0]).toMatchObject({ status_matches: [hers] });
    expect(home.get(boost.id)?.filtered[0]).toMatchObject({ filter: { id: warn.id } });

    // An expired filter no longer applies.
    await t.database.db.execute(
      sql`update filters set expires_at = now() - interval '1 minute' where id = ${hide.id}`,
    );
    expect((await page("/api/v1/timelines/public")).has(hidden)).toBe(true);
    await call("DELETE", `/api/v2/filters/${warn.id}`);
    await call("DELETE", `/api/v2/filters/${hide.id}`);
  });

  it("in notifications: hide drops the notification, warn marks its status; a filter for home only does neither", async () => {
    const hide = await makeFilter({
      title: "No spam",
      context: ["notifications"],
      filter_action: "hide",
      keywords_attributes: [{ keyword: "spam" }],
    });
    const warn = await makeFilter({
      title: "Careful",
      context: ["notifications"],
      keywords_attributes: [{ keyword: "careful" }],
    });
    const homeOnly = await makeFilter({
      title: "Home only",
      context: ["home"],
      filter_action: "hide",
      keywords_attributes: [{ keyword: "homeonly" }],
    });
    const spam = (await postStatus<{ id: string }>(t, bob, "@alice spam spam")).id;
    const careful = (await postStatus<{ id: string }>(t, bob, "@alice be careful")).id;
    const fine = (await postStatus<{ id: string }>(t, bob, "@alice homeonly but mentioned")).id;
    await settle(t);
    const list = (await call<{ status?: Status }[]>("GET", "/api/v1/notifications")).flatMap((n) =>
      n.status ? [n.status] : [],
    );
    const byId = new Map(list.map((s) => [s.id, s]));
    expect(byId.has(spam)).toBe(false);
    expect(byId.get(careful)?.filtered[0]).toMatchObject({ keyword_matches: ["careful"] });
    expect(byId.get(fine)?.filtered).toEqual([]);
    // Grouped (v2): the same, the hidden post's group gone with it.
    const grouped = await call<{
      statuses: Status[];
      notification_groups: { status_id?: string }[];
    }>("GET", "/api/v2/notifications");
    const groupedIds = grouped.notification_groups.map((g) => g.status_id);
    expect(groupedIds).toContain(careful);
    expect(groupedIds).not.toContain(spam);
    expect(grouped.statuses.map((s) => s.id)).not.toContain(spam);
    expect(grouped.statuses.find((s) => s.id === careful)?.filtered).toHaveLength(1);
    for (const f of [hide, warn, homeOnly]) await call("DELETE", `/api/v2/filters/${f.id}`);
  });
});
