import { Article, PUBLIC_COLLECTION } from "@fedify/vocab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteToStatusData } from "../../src/federation/from-ap/note.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * Writing (issue 13): Markdown posts rendered with Mastodon's mention/hashtag/link markup and
 * sanitized, the source kept for editing, `content_type` checked, the configured character limit
 * enforced and reported, and titled posts federated as Articles.
 */
type User = Awaited<ReturnType<TestTern["user"]>>;
interface Status {
  id: string;
  uri: string;
  url: string;
  content: string;
}

let t: TestTern;
let alice: User;
let bob: User;
beforeAll(async () => {
  t = await startTestTern({ MAX_STATUS_CHARS: "120" });
  [alice, bob] = await Promise.all([t.user("alice"), t.user("bob")]);
});
afterAll(() => t.close());

async function call(who: User, path: string, method = "GET", json?: unknown) {
  const res = await t.request(path, { method, token: who.token, json });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
async function post(json: Record<string, unknown>): Promise<Status> {
  const res = await call(alice, "/api/v1/statuses", "POST", json);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as unknown as Status;
}

describe("content_type", () => {
  it("renders Markdown, with mentions and hashtags as a plain-text post renders them", async () => {
    const plain = await post({ status: "hi @bob #Tern https://example.com/x" });
    const md = await post({
      status: "**hi** @bob #Tern https://example.com/x\n\n- one\n- `@bob`",
      content_type: "text/markdown",
    });
    const mention = /<span class="h-card"[\s\S]*?<\/span><\/a><\/span>/.exec(plain.content)![0];
    const tag = /<a [^>]*class="mention hashtag"[\s\S]*?<\/a>/.exec(plain.content)![0];
    const link = /<a href="https:\/\/example.com\/x"[\s\S]*?<\/a>/.exec(plain.content)![0];
    expect(md.content).toContain(`<strong>hi</strong> ${mention} ${tag} ${link}`);
    expect(md.content).toContain("<ul><li>one</li><li><code>@bob</code></li></ul>");
    // bob is mentioned once (not again for the code span) and notified.
    const got = await call(alice, `/api/v1/statuses/${md.id}`);
    expect((got.body.mentions as { acct: string }[]).map((m) => m.acct)).toEqual(["bob"]);
    expect((got.body.tags as { name: string }[]).map((m) => m.name)).toEqual(["tern"]);
  });

  it("keeps no HTML from the source and only Mastodon's tags in the output", async () => {
    const md = await post({
      status:
        '# Head\n\n<script>alert(1)</script> [x](javascript:alert(1)) ![i](https://a.test/i.png)\n\n| a |\n|---|\n| b |"',
      content_type: "text/markdown",
    });
    expect(md.content).not.toMatch(/<script|<img|<table|<h1|href="javascript/);
    expect(md.content).toContain("<p><strong>Head</strong></p>");
    expect(md.content).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("keeps the Markdown in the source and the type across an edit", async () => {
    const s = await post({ status: "*first*", content_type: "text/markdown" });
    const edited = await call(alice, `/api/v1/statuses/${s.id}`, "PUT", { status: "_second_" });
    expect(edited.body.content).toBe("<p><em>second</em></p>");
    const source = await call(alice, `/api/v1/statuses/${s.id}/source`);
    expect(source.body).toMatchObject({ text: "_second_", content_type: "text/markdown" });
    const back = await call(alice, `/api/v1/statuses/${s.id}`, "PUT", {
      status: "_plain_",
      content_type: "text/plain",
    });
    expect(back.body.content).toBe("<p>_plain_</p>");
    // The source is the author's only.
    expect((await call(bob, `/api/v1/statuses/${s.id}/source`)).status).toBe(404);
  });

  it("refuses a content type it does not have, naming it", async () => {
    const res = await call(alice, "/api/v1/statuses", "POST", {
      status: "x",
      content_type: "text/html",
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/content_type: text\/html is not supported/);
  });
});

describe("MAX_STATUS_CHARS", () => {
  it("is enforced as Mastodon counts, and reported in both instance entities", async () => {
    // 100 letters + a long URL (23) = 123 > 120; the same with a short text fits.
    const long = `${"a".repeat(100)} https://example.com/${"p".repeat(200)}`;
    const res = await call(alice, "/api/v1/statuses", "POST", { status: long });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/limit of 120/);
    await post({ status: `${"a".repeat(90)} https://example.com/${"p".repeat(200)}` });
    // A remote mention's domain is not counted.
    await post({ status: `${"a".repeat(110)} @z@very-long-domain.example` });
    const v2 = await (await t.request("/api/v2/instance")).json();
    expect(v2.configuration.statuses.max_characters).toBe(120);
    const v1 = await (await t.request("/api/v1/instance")).json();
    expect(v1.configuration.statuses.max_characters).toBe(120);
    expect(v1.max_toot_chars).toBe(120);
  });
});

describe("titled posts", () => {
  it("federate as an Article with name, summary, content and url", async () => {
    const s = await post({
      status: "The opening paragraph.\n\nMore **text** here.",
      content_type: "text/markdown",
      title: "My long read",
    });
    const res = await t.request(s.uri, { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(200);
    const ap = await res.json();
    expect(ap).toMatchObject({
      type: "Article",
      id: s.uri,
      name: "My long read",
      summary: "The opening paragraph.",
      url: s.url,
      content: s.content,
    });
    expect(ap.content).toContain("<strong>text</strong>");
    const source = await call(alice, `/api/v1/statuses/${s.id}/source`);
    expect(source.body.title).toBe("My long read");
    // Without a title, a Note as before.
    const note = await post({ status: "short" });
    const plain = await t.request(note.uri, { headers: { accept: "application/activity+json" } });
    expect((await plain.json()).type).toBe("Note");
  });

  it("received, keep their title; a non-sensitive summary is a teaser, not a warning", async () => {
    const article = (sensitive: boolean) =>
      new Article({
        id: new URL(`https://blog.example/posts/${sensitive ? 2 : 1}`),
        attribution: new URL("https://blog.example/users/writer"),
        tos: [PUBLIC_COLLECTION],
        name: "A remote long read",
        summary: "The teaser",
        content: "<p>The whole text.</p>",
        sensitive,
      });
    const plain = await noteToStatusData(t.database.db, article(false), bob.account);
    expect(plain).toMatchObject({
      title: "A remote long read",
      spoilerText: "",
      content: "<p>The whole text.</p>",
    });
    const warned = await noteToStatusData(t.database.db, article(true), bob.account);
    expect(warned).toMatchObject({ title: "A remote long read", spoilerText: "The teaser" });
  });
});
