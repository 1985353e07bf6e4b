import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError, STATUS_NULLABLE } from "./entity-shape.ts";

interface Status {
  id: string;
  content: string;
  visibility: string;
  sensitive: boolean;
  spoiler_text: string;
  edited_at: string | null;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  mentions: { id: string; acct: string; url: string }[];
  tags: { name: string; url: string }[];
  account: { id: string; acct: string };
  text?: string;
}

let t: TestTern;
let alice: { account: { id: string }; token: string };
let bob: { account: { id: string }; token: string };
let carol: { account: { id: string }; token: string };
let dave: { account: { id: string }; token: string };

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
  dave = await t.user("dave");
  // carol follows alice, so she may read alice's followers-only posts.
  const res = await t.request(`/api/v1/accounts/${alice.account.id}/follow`, {
    method: "POST",
    token: carol.token,
  });
  expect(res.status).toBe(200);
});
afterAll(() => t.close());

async function post(
  token: string,
  json: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<Status> {
  const res = await t.request("/api/v1/statuses", { method: "POST", token, json, headers });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Status;
}

const get = (id: string, token?: string) => t.request(`/api/v1/statuses/${id}`, { token });

describe("POST /api/v1/statuses", () => {
  it("takes a JSON body and answers a Status shaped like Mastodon's", async () => {
    const s = await post(alice.token, { status: "Hello from JSON", language: "en" });
    expect(s.content).toBe("<p>Hello from JSON</p>");
    expect(s.visibility).toBe("public");
    expect(s.sensitive).toBe(false);
    expect(s.account.id).toBe(alice.account.id);
    expect(s.id).toMatch(/^\d+$/);
    expectDocumentedShape(s, "Status", STATUS_NULLABLE);
  });

  it("takes a form-urlencoded body", async () => {
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        status: "Hello from a form",
        visibility: "unlisted",
        sensitive: "true",
      }).toString(),
    });
    const s = (await res.json()) as Status;
    expect(res.status).toBe(200);
    expect(s.content).toBe("<p>Hello from a form</p>");
    expect(s.visibility).toBe("unlisted");
    expect(s.sensitive).toBe(true);
  });

  it("takes a multipart body", async () => {
    const form = new FormData();
    form.set("status", "Hello from multipart");
    form.set("visibility", "private");
    form.set("spoiler_text", "cw");
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      body: form,
    });
    const s = (await res.json()) as Status;
    expect(res.status, JSON.stringify(s)).toBe(200);
    expect(s.content).toBe("<p>Hello from multipart</p>");
    expect(s.visibility).toBe("private");
    expect(s.spoiler_text).toBe("cw");
  });

  it("accepts every visibility and nothing else", async () => {
    for (const visibility of ["public", "unlisted", "private", "direct"]) {
      expect(
        (await post(alice.token, { status: `A ${visibility} post`, visibility })).visibility,
      ).toBe(visibility);
    }
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      json: { status: "x", visibility: "bogus" },
    });
    await expectError(res, 422);
  });

  it("marks a post with a content warning sensitive", async () => {
    const s = await post(alice.token, {
      status: "Spoilers ahead",
      spoiler_text: "Film plot",
      sensitive: false,
    });
    expect(s.spoiler_text).toBe("Film plot");
    expect(s.sensitive).toBe(true);
  });

  it("links mentions of local accounts and hashtags", async () => {
    const s = await post(alice.token, { status: "Hi @bob, and @bob@tern.test again #Tern #tern" });
    expect(s.mentions).toEqual([
      { id: bob.account.id, username: "bob", acct: "bob", url: "https://tern.test/@bob" },
    ]);
    expect(s.content).toContain(
      '<a href="https://tern.test/@bob" class="u-url mention">@<span>bob</span></a>',
    );
    expect(s.content).toContain('href="https://tern.test/tags/tern"');
    expect(s.content).toContain('class="mention hashtag" rel="tag">#<span>Tern</span></a>');
    expect(s.tags).toEqual([{ name: "tern", url: "https://tern.test/tags/tern" }]);
    // A handle nobody here has stays plain text.
    const plain = await post(alice.token, { status: "Hi @nobody" });
    expect(plain.mentions).toEqual([]);
    expect(plain.content).toBe("<p>Hi @nobody</p>");
  });

  it("answers the same status twice for the same Idempotency-Key", async () => {
    const key = { "Idempotency-Key": "abc-123" };
    const first = await post(alice.token, { status: "Only once" }, key);
    const second = await post(alice.token, { status: "Only once" }, key);
    expect(second.id).toBe(first.id);
    // Another account may use the same key for its own post.
    const other = await post(bob.token, { status: "Only once" }, key);
    expect(other.id).not.toBe(first.id);
    const third = await post(alice.token, { status: "Only once" });
    expect(third.id).not.toBe(first.id);
  });

  it("answers one status to retries racing each other with the same Idempotency-Key", async () => {
    const headers = { "Idempotency-Key": "racing" };
    const all = await Promise.all(
      [1, 2, 3, 4].map(() => post(alice.token, { status: "Racing" }, headers)),
    );
    expect(new Set(all.map((s) => s.id)).size).toBe(1);
    const mine = await t.request(`/api/v1/accounts/${alice.account.id}/statuses?limit=40`);
    const racing = ((await mine.json()) as Status[]).filter((s) => s.content === "<p>Racing</p>");
    expect(racing.map((s) => s.id)).toEqual([all[0].id]);
  });

  it("replies", async () => {
    const parent = await post(bob.token, { status: "A question" });
    const reply = await post(alice.token, { status: "@bob An answer", in_reply_to_id: parent.id });
    expect(reply.in_reply_to_id).toBe(parent.id);
    expect(reply.in_reply_to_account_id).toBe(bob.account.id);
    // in_reply_to_id: null is "not a reply".
    expect(
      (await post(alice.token, { status: "Not a reply", in_reply_to_id: null })).in_reply_to_id,
    ).toBeNull();
    // A missing or hidden parent is refused.
    const hidden = await post(bob.token, { status: "For bob only", visibility: "direct" });
    for (const id of ["1", hidden.id]) {
      const res = await t.request("/api/v1/statuses", {
        method: "POST",
        token: alice.token,
        json: { status: "reply", in_reply_to_id: id },
      });
      await expectError(res, [404, 422]);
    }
  });

  it("counts characters as Mastodon does: 500 fit, 501 do not, blank is refused", async () => {
    expect((await post(alice.token, { status: "a".repeat(500) })).content).toBe(
      `<p>${"a".repeat(500)}</p>`,
    );
    // Characters, not UTF-16 units: 500 emoji fit too.
    await post(alice.token, { status: "🐦".repeat(500) });
    for (const status of ["a".repeat(501), "", "   \n  "]) {
      const res = await t.request("/api/v1/statuses", {
        method: "POST",
        token: alice.token,
        json: { status },
      });
      await expectError(res, 422);
    }
    // Clients count a link as 23 characters (configuration.statuses.characters_reserved_per_url).
    const link = `https://example.com/${"x".repeat(300)}`;
    await post(alice.token, { status: `${"a".repeat(400)} ${link}` });
  });
});

describe("GET /api/v1/statuses/:id", () => {
  let pub: Status;
  let unlisted: Status;
  let priv: Status;
  let direct: Status;
  beforeAll(async () => {
    pub = await post(alice.token, { status: "public one" });
    unlisted = await post(alice.token, { status: "unlisted one", visibility: "unlisted" });
    priv = await post(alice.token, { status: "followers one", visibility: "private" });
    direct = await post(alice.token, { status: "@bob secret", visibility: "direct" });
  });

  it("shows public and unlisted posts to anybody, anonymously too", async () => {
    for (const s of [pub, unlisted]) {
      const res = await get(s.id);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Status).id).toBe(s.id);
      expect((await get(s.id, dave.token)).status).toBe(200);
    }
  });

  it("shows followers-only posts to the author and followers only", async () => {
    expect((await get(priv.id, alice.token)).status).toBe(200);
    expect((await get(priv.id, carol.token)).status).toBe(200);
    await expectError(await get(priv.id), 404);
    await expectError(await get(priv.id, dave.token), 404);
  });

  it("shows direct posts to the author and the mentioned only", async () => {
    expect((await get(direct.id, alice.token)).status).toBe(200);
    expect((await get(direct.id, bob.token)).status).toBe(200);
    await expectError(await get(direct.id, carol.token), 404);
    await expectError(await get(direct.id), 404);
  });

  it("404s for unknown and malformed ids", async () => {
    await expectError(await get("1"), 404);
    await expectError(await get("abc"), 404);
    await expectError(await get("99999999999999999999999"), 404);
  });
});

describe("editing and deleting", () => {
  it("PUT edits the text and sets edited_at; GET /source has the plain text", async () => {
    const s = await post(alice.token, { status: "First #draft" });
    expect(s.edited_at).toBeNull();
    const res = await t.request(`/api/v1/statuses/${s.id}`, {
      method: "PUT",
      token: alice.token,
      json: { status: "Second take with @bob", spoiler_text: "edited" },
    });
    const edited = (await res.json()) as Status;
    expect(res.status, JSON.stringify(edited)).toBe(200);
    expect(edited.id).toBe(s.id);
    expect(edited.content).toContain("Second take with");
    expect(edited.mentions.map((m) => m.acct)).toEqual(["bob"]);
    expect(edited.tags).toEqual([]);
    expect(edited.spoiler_text).toBe("edited");
    expect(edited.sensitive).toBe(true);
    expect(Date.parse(edited.edited_at ?? "")).not.toBeNaN();
    expect(((await (await get(s.id)).json()) as Status).content).toBe(edited.content);

    const source = await t.request(`/api/v1/statuses/${s.id}/source`, { token: alice.token });
    const body = await source.json();
    expect(body).toEqual({
      id: s.id,
      text: "Second take with @bob",
      spoiler_text: "edited",
      content_type: "text/plain",
      title: null,
    });
    expectDocumentedShape(body, "StatusSource");
  });

  it("refuses to edit someone else's post or to edit into nothing", async () => {
    const s = await post(alice.token, { status: "mine" });
    const other = await t.request(`/api/v1/statuses/${s.id}`, {
      method: "PUT",
      token: bob.token,
      json: { status: "x" },
    });
    await expectError(other, [403, 404]);
    const blank = await t.request(`/api/v1/statuses/${s.id}`, {
      method: "PUT",
      token: alice.token,
      json: { status: "" },
    });
    await expectError(blank, 422);
    expect(((await (await get(s.id)).json()) as Status).content).toBe("<p>mine</p>");
  });

  it("DELETE answers the status with its source text, then it is gone", async () => {
    const s = await post(alice.token, { status: "Delete me #soon", spoiler_text: "cw" });
    const del = await t.request(`/api/v1/statuses/${s.id}`, {
      method: "DELETE",
      token: alice.token,
    });
    const body = (await del.json()) as Status;
    expect(del.status).toBe(200);
    expect(body.id).toBe(s.id);
    expect(body.text).toBe("Delete me #soon");
    expect(body.spoiler_text).toBe("cw");
    await expectError(await get(s.id, alice.token), 404);
    const again = await t.request(`/api/v1/statuses/${s.id}`, {
      method: "DELETE",
      token: alice.token,
    });
    await expectError(again, 404);
  });

  it("does not let anyone else delete a post", async () => {
    const s = await post(alice.token, { status: "Keep me" });
    const res = await t.request(`/api/v1/statuses/${s.id}`, { method: "DELETE", token: bob.token });
    await expectError(res, [403, 404]);
    expect((await get(s.id)).status).toBe(200);
    // Nor reveal that a hidden post exists.
    const hidden = await post(alice.token, { status: "@carol psst", visibility: "direct" });
    const probe = await t.request(`/api/v1/statuses/${hidden.id}`, {
      method: "DELETE",
      token: dave.token,
    });
    await expectError(probe, 404);
  });
});
