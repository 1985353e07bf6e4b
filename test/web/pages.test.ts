import { crc32, inflateSync } from "node:zlib";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts } from "../../src/db/schema/index.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

let t: TestTern;
let aliceToken: string;
let bobToken: string;

async function post(token: string, json: Record<string, unknown>): Promise<string> {
  const res = await t.request("/api/v1/statuses", { method: "POST", token, json });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.id;
}

async function page(path: string, accept = BROWSER_ACCEPT) {
  const res = await t.request(path, { headers: { accept } });
  return { res, html: await res.text() };
}

function expectHtmlHeaders(res: Response) {
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toContain("script-src");
}

beforeAll(async () => {
  t = await startTestTern();
  aliceToken = (await t.user("alice")).token;
  bobToken = (await t.user("bob")).token;
  await t.database.db
    .update(accounts)
    .set({ displayName: "Alice Liddell", note: "<p>Down the rabbit hole</p>" })
    .where(eq(accounts.username, "alice"));
});
afterAll(() => t.close());

describe("profile page", () => {
  it("shows the name, the bio, counts, posts and the actor link, on both URLs", async () => {
    const id = await post(aliceToken, { status: "First post from Alice", visibility: "public" });
    await post(aliceToken, { status: "Quiet unlisted post", visibility: "unlisted" });
    await post(aliceToken, { status: "Secret for followers", visibility: "private" });
    for (const path of ["/@alice", "/users/alice"]) {
      const { res, html } = await page(path);
      expect(res.status).toBe(200);
      expectHtmlHeaders(res);
      expect(res.headers.get("vary")).toContain("Accept");
      expect(html).toContain("<!doctype html>");
      expect(html).toContain('<meta name="viewport"');
      expect(html).toContain("Alice Liddell");
      expect(html).toContain("@alice@tern.test");
      expect(html).toContain("<p>Down the rabbit hole</p>");
      expect(html).toContain("First post from Alice");
      expect(html).toContain("Quiet unlisted post");
      expect(html).not.toContain("Secret for followers");
      expect(html).toContain(`href="https://tern.test/@alice/${id}"`);
      expect(html).toContain(
        '<link rel="alternate" type="application/activity+json" href="https://tern.test/users/alice">',
      );
      expect(html).toContain('<meta property="og:type" content="profile">');
      expect(html).toContain('<meta property="og:url" content="https://tern.test/@alice">');
      expect(html).toContain(
        '<meta property="og:title" content="Alice Liddell (@alice@tern.test)">',
      );
      expect(html).toContain('<meta property="og:description" content="Down the rabbit hole">');
    }
  });

  it("pages older posts with max_id, newest first", async () => {
    const { token } = await t.user("carol");
    const ids: string[] = [];
    for (let i = 1; i <= 22; i++)
      ids.push(await post(token, { status: `Carol post number ${i}.` }));
    const first = await page("/@carol");
    expect(first.html.indexOf("number 22.")).toBeLessThan(first.html.indexOf("number 21."));
    expect(first.html).toContain("number 3.");
    expect(first.html).not.toContain("number 2.");
    const older = /href="\?max_id=(\d+)"/.exec(first.html);
    expect(older?.[1]).toBe(ids[2]);
    const second = await page(`/@carol?max_id=${older![1]}`);
    expect(second.html).toContain("number 2.");
    expect(second.html).toContain("number 1.");
    expect(second.html).not.toContain("number 3.");
    expect(second.html).not.toContain("?max_id=");
    expect(second.html).toContain(">22</strong> posts");
  });

  it("folds a content warning into <details> with the warning as <summary>", async () => {
    await post(bobToken, { status: "Spoiler: the butler did it", spoiler_text: "Film ending" });
    const { html } = await page("/@bob");
    expect(html).toMatch(
      /<details><summary>Film ending<\/summary><div class="content"[^>]*><p>Spoiler: the butler did it<\/p>/,
    );
  });

  it("answers an unknown user with a 404 page", async () => {
    for (const path of [
      "/@nobody",
      "/users/nobody",
      "/@nobody/123",
      "/users/nobody/statuses/123",
    ]) {
      const { res, html } = await page(path);
      expect(res.status, path).toBe(404);
      expectHtmlHeaders(res);
      expect(html).toContain("Not found");
    }
  });
});

describe("content negotiation", () => {
  it("serves HTML to a browser and the actor to ActivityPub on /users/alice", async () => {
    const { res, html } = await page("/users/alice");
    expect(res.status).toBe(200);
    expect(html).toContain("Alice Liddell");
    const ap = await t.request("/users/alice", {
      headers: { accept: "application/activity+json" },
    });
    expect(ap.status).toBe(200);
    expect(ap.headers.get("content-type")).toContain("application/activity+json");
    const actor = await ap.json();
    expect(actor.id).toBe("https://tern.test/users/alice");
    expect(actor.preferredUsername).toBe("alice");
  });

  it("serves a Note to ActivityPub and HTML to a browser on the same status URL", async () => {
    const id = await post(aliceToken, { status: "Negotiated note" });
    const path = `/users/alice/statuses/${id}`;
    const ap = await t.request(path, {
      headers: { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' },
    });
    expect(ap.status).toBe(200);
    expect((await ap.json()).type).toBe("Note");
    const { res, html } = await page(path);
    expect(res.status).toBe(200);
    expect(html).toContain("Negotiated note");
  });

  it("sends ActivityPub clients of /@alice to the actor id", async () => {
    const res = await t.request("/@alice", { headers: { accept: "application/activity+json" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://tern.test/users/alice");
    expect(res.headers.get("vary")).toContain("Accept");
  });

  it("treats no Accept header, or */*, as a browser", async () => {
    expect((await t.request("/users/alice")).headers.get("content-type")).toContain("text/html");
    const any = await t.request("/users/alice", { headers: { accept: "*/*" } });
    expect(any.headers.get("content-type")).toContain("text/html");
  });
});

describe("post page", () => {
  it("shows a public post on both URLs with its author, alternate link and og meta", async () => {
    const id = await post(aliceToken, { status: "A post worth linking to" });
    for (const path of [`/@alice/${id}`, `/users/alice/statuses/${id}`]) {
      const { res, html } = await page(path);
      expect(res.status, path).toBe(200);
      expectHtmlHeaders(res);
      expect(res.headers.get("vary")).toContain("Accept");
      expect(html).toContain("A post worth linking to");
      expect(html).toContain("Alice Liddell");
      expect(html).toContain('href="https://tern.test/@alice"');
      expect(html).toContain(
        `<link rel="alternate" type="application/activity+json" href="https://tern.test/users/alice/statuses/${id}">`,
      );
      expect(html).toContain('<meta property="og:type" content="article">');
      expect(html).toContain('<meta property="og:description" content="A post worth linking to">');
      expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT/);
    }
  });

  it("never shows followers-only or direct posts to an anonymous browser", async () => {
    const privateId = await post(aliceToken, {
      status: "Only for my followers",
      visibility: "private",
    });
    const directId = await post(aliceToken, {
      status: "@bob just between us",
      visibility: "direct",
    });
    for (const id of [privateId, directId]) {
      for (const path of [`/@alice/${id}`, `/users/alice/statuses/${id}`]) {
        const { res, html } = await page(path);
        expect(res.status, path).toBe(404);
        expect(html).not.toContain("Only for my followers");
        expect(html).not.toContain("just between us");
      }
    }
    // Unsigned ActivityPub fetches of the Note are refused as well (Fedify's dispatcher).
    const ap = await t.request(`/users/alice/statuses/${privateId}`, {
      headers: { accept: "application/activity+json" },
    });
    expect(ap.status).toBe(404);
  });

  it("answers 404 for a post under another user's name, a missing id and a bad id", async () => {
    const id = await post(aliceToken, { status: "Alice's own words" });
    for (const path of [
      `/@bob/${id}`,
      `/users/bob/statuses/${id}`,
      "/@alice/1234567",
      "/@alice/not-a-number",
      "/@alice/99999999999999999999",
    ]) {
      const { res, html } = await page(path);
      expect(res.status, path).toBe(404);
      expect(html).not.toContain("Alice's own words");
    }
  });

  it("shows a content warning post folded", async () => {
    const id = await post(bobToken, { status: "Hidden details", spoiler_text: "Long thread" });
    const { html } = await page(`/@bob/${id}`);
    expect(html).toContain("<details><summary>Long thread</summary>");
    expect(html).toContain(
      '<meta property="og:description" content="Content warning: Long thread">',
    );
  });
});

describe("escaping", () => {
  it("shows <script> typed in a status, a content warning or a display name as text", async () => {
    const { account, token } = await t.user("mallory");
    await t.database.db
      .update(accounts)
      .set({ displayName: '<script>alert("name")</script>' })
      .where(eq(accounts.id, account.id));
    const id = await post(token, { status: '<script>alert("post")</script>' });
    const cwId = await post(token, { status: "x", spoiler_text: "<script>alert(1)</script>" });
    for (const path of ["/@mallory", `/@mallory/${id}`, `/@mallory/${cwId}`]) {
      const { html } = await page(path);
      expect(html, path).not.toMatch(/<script/i);
      expect(html).toContain("&lt;script&gt;");
    }
    const { html } = await page("/@mallory");
    expect(html).toContain("&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;");
  });
});

describe("home page", () => {
  it("names the server and counts local accounts", async () => {
    const { res, html } = await page("/");
    expect(res.status).toBe(200);
    expectHtmlHeaders(res);
    expect(html).toContain("tern.test");
    expect(html).toMatch(/<strong>\d+<\/strong> accounts/);
    expect(html).toContain("@username@tern.test");
  });
});

describe("default images", () => {
  it.each([
    ["/static/avatar.png", 400, 400],
    ["/static/header.png", 1500, 500],
  ])("%s is a cached PNG", async (path, width, height) => {
    const res = await t.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(bytes.subarray(12, 16).toString("ascii")).toBe("IHDR");
    expect(bytes.readUInt32BE(16)).toBe(width);
    expect(bytes.readUInt32BE(20)).toBe(height);
    expect(bytes.subarray(-8, -4).toString("ascii")).toBe("IEND");
    // IDAT follows the 25-byte IHDR chunk; its pixels must inflate to rows of filter byte + RGB.
    const idatLength = bytes.readUInt32BE(33);
    expect(bytes.subarray(37, 41).toString("ascii")).toBe("IDAT");
    const pixels = inflateSync(bytes.subarray(41, 41 + idatLength));
    expect(pixels.length).toBe(height * (1 + width * 3));
    expect(bytes.readUInt32BE(41 + idatLength)).toBe(crc32(bytes.subarray(37, 41 + idatLength)));
    expect(bytes.length).toBeLessThan(20_000);
    const again = await t.request(path, { headers: { "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });
});
