import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Tx } from "../../src/db/client.ts";
import { accountSearchText, blocks, statusSearchDocument } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { FakePeer } from "../helpers/ap-fixtures.ts";
import { type ApiUser, postStatus } from "../helpers/api-client.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError } from "./entity-shape.ts";

/**
 * GET /api/v2/search and /api/v1/accounts/search: who finds whom and what, with Mastodon's
 * operators, never a post the searcher may not see; resolve fetches a remote profile or post by
 * URL from a signed fake peer (WebFinger by handle needs https: see test/e2e/tags-search.test.ts).
 */
interface Result {
  accounts: { id: string; acct: string }[];
  statuses: { id: string; content: string }[];
  hashtags: { name: string; history: unknown[]; following?: boolean }[];
}

let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
let carol: ApiUser;
let gts: FakePeer;
const ids: Record<string, string> = {};

const search = async (q: string, who?: ApiUser, extra = "") => {
  const res = await t.request(`/api/v2/search?q=${encodeURIComponent(q)}${extra}`, {
    token: who?.token,
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Result;
};
const statusIds = async (q: string, who?: ApiUser) =>
  (await search(q, who, "&type=statuses")).statuses.map((s) => s.id);

beforeAll(async () => {
  t = await startTestTern();
  gts = await FakePeer.start("gotosocial");
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
  await t.request("/api/v1/accounts/update_credentials", {
    method: "PATCH",
    token: carol.token,
    // With a note: a display_name alone is a 500 in profile.ts today (no local_users change).
    body: new URLSearchParams({ display_name: "Margaret Hamilton", note: "Apollo" }),
  });
  const post = async (key: string, who: ApiUser, text: string, visibility = "public") => {
    ids[key] = (await postStatus(t, who, text, visibility)).id;
  };
  await post("fox", alice, "The quick brown fox jumps over the lazy dog #Foxes");
  await post("secret", alice, "a secret fox den", "private");
  await post("turtle", alice, "slow turtle wins");
  await post("carolFox", carol, "another fox, in German: Fuchs");
  const reply = await t.request("/api/v1/statuses", {
    method: "POST",
    token: bob.token,
    json: { status: "a fox reply", in_reply_to_id: ids.fox, spoiler_text: "foxes ahead" },
  });
  ids.reply = ((await reply.json()) as { id: string }).id;
});
afterAll(async () => {
  await gts?.close();
  await t?.close();
});

describe("statuses", () => {
  it("finds by full text what the searcher may see, newest first", async () => {
    expect(await statusIds("fox", bob)).toEqual([ids.reply, ids.carolFox, ids.fox]);
    // The author finds her own followers-only post; nobody else does.
    expect(await statusIds("secret den", alice)).toEqual([ids.secret]);
    expect(await statusIds("secret den", bob)).toEqual([]);
    expect(await statusIds("secret den")).toEqual([]);
    // Content warnings are searched too, and HTML tags are not words.
    expect(await statusIds("ahead", bob)).toEqual([ids.reply]);
    expect(await statusIds("href", bob)).toEqual([]);
  });

  it("reads quoted phrases, negation and Mastodon's operators", async () => {
    expect(await statusIds('"brown fox"', bob)).toEqual([ids.fox]);
    expect(await statusIds('"fox brown"', bob)).toEqual([]);
    expect(await statusIds("fox -German", bob)).toEqual([ids.reply, ids.fox]);
    expect(await statusIds("fox from:alice", bob)).toEqual([ids.fox]);
    expect(await statusIds("fox from:@carol@tern.test", bob)).toEqual([ids.carolFox]);
    expect(await statusIds("fox from:me", bob)).toEqual([ids.reply]);
    expect(await statusIds("fox -from:me", bob)).toEqual([ids.carolFox, ids.fox]);
    expect(await statusIds("fox from:nobody", bob)).toEqual([]);
    expect(await statusIds("fox is:reply", bob)).toEqual([ids.reply]);
    expect(await statusIds("fox -is:reply", bob)).toEqual([ids.carolFox, ids.fox]);
    expect(await statusIds("fox is:sensitive", bob)).toEqual([ids.reply]);
    expect(await statusIds("fox has:media", bob)).toEqual([]);
    expect(await statusIds("fox has:link", bob)).toEqual([]);
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect(await statusIds(`turtle during:${day(0)}`, bob)).toEqual([ids.turtle]);
    expect(await statusIds(`turtle before:${day(0)}`, bob)).toEqual([]);
    expect(await statusIds(`turtle before:${day(1)}`, bob)).toEqual([ids.turtle]);
    expect(await statusIds(`turtle after:${day(-1)}`, bob)).toEqual([ids.turtle]);
    expect(await statusIds(`turtle after:${day(0)}`, bob)).toEqual([]);
    // account_id narrows to one author.
    const mine = await search("fox", bob, `&type=statuses&account_id=${carol.account.id}`);
    expect(mine.statuses.map((s) => s.id)).toEqual([ids.carolFox]);
  });

  it("leaves out authors the searcher blocked or who blocked them", async () => {
    const margaret = async () =>
      (await search("margaret", bob, "&type=accounts")).accounts.map((a) => a.acct);
    expect(await margaret()).toEqual(["carol"]);
    await t.database.db.insert(blocks).values({
      id: newId(),
      accountId: carol.account.id,
      targetAccountId: bob.account.id,
      uri: "https://tern.test/blocks/1",
    });
    expect(await statusIds("fox", bob)).toEqual([ids.reply, ids.fox]);
    expect(await margaret()).toEqual([]);
    await queryRows(t.database.db, sql`delete from blocks`);
  });
});

describe("accounts and hashtags", () => {
  it("finds accounts by exact handle, prefix and a typo, through both endpoints", async () => {
    const accts = async (q: string, who = bob, path = "/api/v2/search?type=accounts&q=") => {
      const res = await t.request(`${path}${encodeURIComponent(q)}`, { token: who.token });
      const body = (await res.json()) as Result | Result["accounts"];
      expect(res.status).toBe(200);
      return (Array.isArray(body) ? body : body.accounts).map((a) => a.acct);
    };
    expect((await accts("@alice@tern.test"))[0]).toBe("alice");
    expect((await accts("alice"))[0]).toBe("alice");
    expect(await accts("marg")).toEqual(["carol"]);
    expect(await accts("hamiltn")).toEqual(["carol"]);
    expect(await accts("hamiltn", bob, "/api/v1/accounts/search?q=")).toEqual(["carol"]);
    expect(await accts("zzzz")).toEqual([]);
    // following=true: only accounts the searcher follows.
    const follows = await accts("a", bob, "/api/v1/accounts/search?following=true&q=");
    expect(follows).toEqual([]);
    const res = await t.request("/api/v1/accounts/search?q=carol", { token: bob.token });
    expectDocumentedShape(
      ((await res.json()) as unknown[])[0],
      "Account",
      [
        "avatar_static",
        "header_static",
        "moved",
        "limited",
        "noindex",
        "suspended",
        "memorial",
        "hide_collections",
        "last_status_at",
        "locked",
        "roles",
      ],
      { optional: ["source", "role", "mute_expires_at"] },
    );
  });

  it("finds hashtags by prefix, with their history", async () => {
    const found = await search("#fox", bob, "&type=hashtags");
    expect(found.hashtags.map((h) => h.name)).toEqual(["foxes"]);
    expect(found.hashtags[0].history).toHaveLength(7);
    expect(found.hashtags[0]).toMatchObject({ following: false });
    expect((await search("fox")).hashtags[0]).not.toHaveProperty("following");
    expect((await search("#xyz", bob)).hashtags).toEqual([]);
  });
});

describe("resolve", () => {
  it("fetches a remote profile and a remote post by URL for a signed-in caller only", async () => {
    const actorUrl = gts.actorId;
    await expectError(
      await t.request(`/api/v2/search?resolve=true&q=${encodeURIComponent(actorUrl)}`),
      401,
    );
    expect((await search(actorUrl, bob)).accounts).toEqual([]); // no resolve: not known yet
    const found = await search(actorUrl, bob, "&resolve=true");
    expect(found.accounts.map((a) => a.acct)).toEqual([`bob@${new URL(gts.origin).host}`]);
    const postUrl = gts.rewrite("http://gts.test/users/bob/statuses/01M81HWNZ7P8FAK9EACJG1M2XN");
    const post = await search(postUrl, bob, "&resolve=true&type=statuses");
    expect(post.statuses).toHaveLength(1);
    expect(post.statuses[0].content).toContain("Hello fediverse!");
    // Stored now, but bob@gts is not indexable: a full-text search does not find it.
    expect(await statusIds("fediverse", alice)).toEqual([]);
    // A followers-only post the searcher may not see is not handed out by URL either.
    const hidden = gts.rewrite("http://gts.test/users/bob/statuses/01M81HWYSZGFTQ8R1V4PP3CE2E");
    expect((await search(hidden, bob, "&resolve=true")).statuses).toEqual([]);
  });
});

describe("bad input", () => {
  it("answers 4xx with a reason", async () => {
    for (const [query, status] of [
      ["", 400],
      ["q=", 400],
      ["q=%20%20", 400],
      [`q=${"a".repeat(10_000)}`, 422],
      ["q=fox&type=people", 422],
      ["q=fox&account_id=abc", 422],
      ["q=fox%20has:embed", 422],
      ["q=fox%20before:yesterday", 422],
      ["q=fox&offset=20", 401], // anonymous paging, as Mastodon
    ] as const) {
      const message = await expectError(await t.request(`/api/v2/search?${query}`), status);
      expect(message, query).not.toBe("");
    }
    await expectError(await t.request("/api/v1/accounts/search?q="), 400);
  });
});

describe("query plans", () => {
  const plan = async (tx: Tx, query: SQL) => {
    const rows = await queryRows<Record<string, string>>(tx, sql`explain ${query}`);
    return rows.map((r) => Object.values(r)[0]).join("\n");
  };
  it("uses the full-text and trigram indexes", async () => {
    // Tiny tables would be scanned whole; what matters is that the index can serve the query.
    // One transaction: the setting holds for the same connection (postgres.js pools them).
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const text = await plan(
        tx,
        sql`select id from statuses where ${statusSearchDocument} @@ websearch_to_tsquery('simple', 'fox') order by id + 0 desc limit 20`,
      );
      expect(text).toContain("statuses_search_idx");
      const accounts = await plan(
        tx,
        sql`select id from accounts where ${accountSearchText} like '%marg%' or 'hamiltn' <% ${accountSearchText}`,
      );
      expect(accounts).toContain("accounts_search_trgm_idx");
    });
  });
});
