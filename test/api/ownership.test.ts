import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/** Only the author may read a post's source, edit or delete it; tokens only do what they grant. */
let t: TestTern;
let alice: { account: { id: string }; token: string };
let bob: { account: { id: string }; token: string };
let postId: string;
let privateId: string;

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  const post = async (json: Record<string, unknown>) => {
    const res = await t.request("/api/v1/statuses", { method: "POST", token: alice.token, json });
    return ((await res.json()) as { id: string }).id;
  };
  postId = await post({ status: "alice's *draft* source" });
  privateId = await post({ status: "for my followers", visibility: "private" });
});
afterAll(() => t.close());

describe("someone else's status", () => {
  it("has no readable source: 404, as on Mastodon, while the author reads it", async () => {
    const other = await t.request(`/api/v1/statuses/${postId}/source`, { token: bob.token });
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain("draft");
    const own = await t.request(`/api/v1/statuses/${postId}/source`, { token: alice.token });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id: postId, text: "alice's *draft* source" });
  });

  it("cannot be edited or deleted by another user", async () => {
    const edit = await t.request(`/api/v1/statuses/${postId}`, {
      method: "PUT",
      token: bob.token,
      json: { status: "defaced" },
    });
    expect(edit.status).toBe(404);
    const del = await t.request(`/api/v1/statuses/${postId}`, {
      method: "DELETE",
      token: bob.token,
    });
    expect(del.status).toBe(404);
    const still = await (await t.request(`/api/v1/statuses/${postId}`)).json();
    expect(still.content).toContain("draft");
  });
});

describe("a token without read scopes", () => {
  it("cannot read statuses or accounts through the public routes", async () => {
    const { token } = await t.user("writer", { scopes: "write push" });
    for (const path of [
      `/api/v1/statuses/${privateId}`,
      `/api/v1/statuses/${postId}`,
      `/api/v1/accounts/${alice.account.id}`,
      `/api/v1/accounts/${alice.account.id}/statuses`,
      `/api/v1/accounts/${alice.account.id}/followers`,
      "/api/v1/accounts/lookup?acct=alice",
      "/api/v1/timelines/public",
    ]) {
      expect((await t.request(path, { token })).status, path).toBe(403);
    }
  });

  it("leaves the same routes open without a token and with a read token", async () => {
    expect((await t.request(`/api/v1/statuses/${postId}`)).status).toBe(200);
    const { token } = await t.user("reader", { scopes: "read:statuses read:accounts" });
    expect((await t.request(`/api/v1/statuses/${postId}`, { token })).status).toBe(200);
    const statuses = `/api/v1/accounts/${alice.account.id}/statuses`;
    expect((await t.request(statuses, { token })).status).toBe(200);
  });
});
