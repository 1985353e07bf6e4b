import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaAttachments, statuses } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { type ApiUser, postStatus, statusAction } from "../helpers/api-client.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError, links } from "./entity-shape.ts";

/**
 * The filters of GET /api/v1/accounts/:id/statuses (Mastodon's AccountStatusesFilter), and
 * GET /api/v1/statuses?id[]= (several statuses at once).
 */
interface Status {
  id: string;
  uri: string;
}

let t: TestTern;
let alice: ApiUser;
let bob: ApiUser;
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  const post = async (who: ApiUser, text: string, extra: Record<string, unknown> = {}) => {
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: who.token,
      json: { status: text, ...extra },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as Status).id;
  };
  ids.bobs = await post(bob, "bob says hi");
  ids.top = await post(alice, "a thread about #Cats");
  ids.selfReply = await post(alice, "and more on it", { in_reply_to_id: ids.top });
  ids.replyToBob = await post(alice, "@bob hi back", { in_reply_to_id: ids.bobs });
  ids.dogs = await post(alice, "now #dogs");
  ids.cats2 = await post(alice, "#cats again");
  // A boost as the boosts work will store it (the column exists; the endpoint comes with boosts).
  ids.boost = newId();
  await t.database.db.insert(statuses).values({
    id: ids.boost,
    uri: `https://tern.test/users/alice/statuses/${ids.boost}/activity`,
    accountId: alice.account.id,
    content: "",
    visibility: "public",
    local: true,
    reblogOfId: ids.bobs,
  });
});
afterAll(() => t.close());

async function listed(query: string, who?: ApiUser): Promise<string[]> {
  const res = await t.request(`/api/v1/accounts/${alice.account.id}/statuses${query}`, {
    token: who?.token,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as Status[]).map((s) => s.id);
}

describe("GET /api/v1/accounts/:id/statuses filters", () => {
  it("without filters: everything of the account, newest first", async () => {
    expect(await listed("")).toEqual([
      ids.boost,
      ids.cats2,
      ids.dogs,
      ids.replyToBob,
      ids.selfReply,
      ids.top,
    ]);
  });

  it("exclude_replies keeps the account's replies to itself (threads), as Mastodon does", async () => {
    expect(await listed("?exclude_replies=true")).toEqual([
      ids.boost,
      ids.cats2,
      ids.dogs,
      ids.selfReply,
      ids.top,
    ]);
    // Rails' false values mean false.
    expect(await listed("?exclude_replies=false")).toContain(ids.replyToBob);
    expect(await listed("?exclude_replies=0")).toContain(ids.replyToBob);
  });

  it("exclude_reblogs leaves the boosts out", async () => {
    expect(await listed("?exclude_reblogs=true")).not.toContain(ids.boost);
    expect(await listed("?exclude_reblogs=1")).toHaveLength(5);
  });

  it("tagged finds the hashtag whatever its case, with or without #", async () => {
    expect(await listed("?tagged=cats")).toEqual([ids.cats2, ids.top]);
    expect(await listed("?tagged=CATS")).toEqual([ids.cats2, ids.top]);
    expect(await listed("?tagged=%23Cats")).toEqual([ids.cats2, ids.top]);
    expect(await listed("?tagged=birds")).toEqual([]);
  });

  it("only_media: only the statuses with attachments", async () => {
    expect(await listed("?only_media=true")).toEqual([]);
    await t.database.db.insert(mediaAttachments).values({
      id: newId(),
      accountId: alice.account.id,
      statusId: ids.dogs,
      type: "image",
      url: "https://tern.test/media/x/original.png",
    });
    expect(await listed("?only_media=true")).toEqual([ids.dogs]);
    expect(await listed("?only_media=true&tagged=cats")).toEqual([]);
  });

  it("pinned combines with the other filters", async () => {
    await statusAction(t, alice, ids.top, "pin");
    await statusAction(t, alice, ids.dogs, "pin");
    expect(await listed("?pinned=true")).toEqual([ids.dogs, ids.top]);
    expect(await listed("?pinned=true&tagged=cats")).toEqual([ids.top]);
    expect(await listed("?pinned=true&exclude_replies=true")).toEqual([ids.dogs, ids.top]);
    await statusAction(t, alice, ids.top, "unpin");
    await statusAction(t, alice, ids.dogs, "unpin");
    expect(await listed("?pinned=true")).toEqual([]);
  });

  it("pages keep their filter in the Link header", async () => {
    const res = await t.request(
      `/api/v1/accounts/${alice.account.id}/statuses?exclude_replies=true&limit=2`,
    );
    expect(((await res.clone().json()) as Status[]).map((s) => s.id)).toEqual([
      ids.boost,
      ids.cats2,
    ]);
    const next = links(res).next;
    expect(next).toContain("exclude_replies=true");
    const more = await t.request(next);
    expect(((await more.json()) as Status[]).map((s) => s.id)).toEqual([ids.dogs, ids.selfReply]);
  });

  it("a filter still hides what the reader may not see", async () => {
    const hidden = await postStatus(t, alice, "#cats for followers", "private");
    expect(await listed("?tagged=cats", bob)).not.toContain(hidden.id);
    expect(await listed("?tagged=cats", alice)).toContain(hidden.id);
  });
});

describe("GET /api/v1/statuses?id[]=", () => {
  const many = (query: string, who?: ApiUser) =>
    t.request(`/api/v1/statuses?${query}`, { token: who?.token });

  it("answers the statuses asked for, in that order, leaving out unknown and hidden ones", async () => {
    const secret = await postStatus(t, bob, "for followers", "private");
    const query = [ids.dogs, "123", ids.top, secret.id, "junk", ids.dogs]
      .map((id) => `id[]=${id}`)
      .join("&");
    const res = await many(query, alice);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Status[]).map((s) => s.id)).toEqual([ids.dogs, ids.top]);
    const own = await many(`id[]=${secret.id}`, bob);
    expect(((await own.json()) as Status[]).map((s) => s.id)).toEqual([secret.id]);
    const anonymous = await many(`id[]=${secret.id}&id[]=${ids.bobs}`);
    expect(((await anonymous.json()) as Status[]).map((s) => s.id)).toEqual([ids.bobs]);
  });

  it("no ids is an empty list; more than 20 is a 422 that says so", async () => {
    expect(await (await many("")).json()).toEqual([]);
    const tooMany = Array.from({ length: 21 }, (_, i) => `id[]=${1000 + i}`).join("&");
    expect(await expectError(await many(tooMany), 422)).toMatch(/at most 20/);
    const twenty = Array.from({ length: 20 }, (_, i) => `id[]=${1000 + i}`).join("&");
    expect((await many(`${twenty}&id[]=${ids.top}`)).status).toBe(422);
    expect((await many(`${twenty}&id[]=1000`)).status).toBe(200);
  });
});
