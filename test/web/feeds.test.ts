import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formWith, png } from "../helpers/images.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * Feeds and sharing (issue 13): account and hashtag feeds read by a real feed parser, the pages'
 * alternate links and author meta, the embed page and oEmbed.
 */
type User = Awaited<ReturnType<TestTern["user"]>>;
interface Status {
  id: string;
  url: string;
  uri: string;
}

const parser = new Parser({
  customFields: { item: [["media:content", "media", { keepArray: true }]] },
});

let t: TestTern;
let alice: User;
const posted: Record<string, Status> = {};
beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  const bob = await t.user("bob");
  const post = async (key: string, json: Record<string, unknown>, who = alice) => {
    const res = await t.request("/api/v1/statuses", { method: "POST", token: who.token, json });
    expect(res.status).toBe(200);
    posted[key] = (await res.json()) as Status;
  };
  await post("first", { status: "The first post #tern" });
  await post("private", { status: "for followers #tern", visibility: "private" });
  await post("bob", { status: "bob speaks" }, bob);
  // A reply to someone else is left out (a reply to oneself, a thread, would stay, as on Mastodon).
  await post("reply", { status: "a reply", in_reply_to_id: posted.bob!.id });
  const upload = await t.request("/api/v2/media", {
    method: "POST",
    token: alice.token,
    body: formWith(await png(64, 48), { description: "a small picture" }),
  });
  expect(upload.status).toBe(200);
  const media = (await upload.json()) as { id: string };
  await post("media", { status: "with a picture", media_ids: [media.id] });
  await post("article", {
    status: "Opening words.\n\nThe rest.",
    title: "A long read",
    content_type: "text/markdown",
  });
  await post("hostile", {
    status: "<script>alert(1)</script> ]]> & </description></item> #tern",
    spoiler_text: "cw \u0001 <b>x</b> ]]>",
  });
});
afterAll(() => t.close());

async function feed(path: string, type: string) {
  const res = await t.request(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toBe(`${type}; charset=utf-8`);
  expect(res.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
  return parser.parseString(await res.text());
}

describe("account feeds", () => {
  it("RSS: public posts without replies, newest first, with dates, links and enclosures", async () => {
    const rss = await feed("/@alice.rss", "application/rss+xml");
    expect(rss.title).toBe("alice (@alice@tern.test)");
    expect(rss.link).toBe("https://tern.test/@alice");
    const keys = ["hostile", "article", "media", "first"];
    expect(rss.items.map((i) => i.link)).toEqual(keys.map((k) => posted[k]!.url));
    expect(rss.items.map((i) => i.guid)).toEqual(keys.map((k) => posted[k]!.url));
    const [hostile, article, media, first] = rss.items;
    expect(article!.title).toBe("A long read");
    expect(first!.title).toBe("The first post #tern");
    expect(new Date(first!.pubDate!).getTime()).toBeGreaterThan(Date.now() - 600_000);
    expect(media!.enclosure).toMatchObject({ type: "image/png" });
    expect(media!.enclosure!.url).toMatch(/^https:\/\/tern\.test\/.+/);
    expect(Number(media!.enclosure!.length)).toBeGreaterThan(0);
    expect(JSON.stringify(media!.media)).toContain("a small picture");
    // The hostile post is text in the feed, not markup breaking out of it.
    expect(hostile!.content).toContain("&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt;");
    expect(hostile!.content).toContain("cw  &lt;b&gt;x&lt;/b&gt; ]]&gt;");
    expect(hostile!.categories).toEqual(["tern"]);
  });

  it("Atom: the same entries, parsed by the same reader", async () => {
    const atom = await feed("/@alice.atom", "application/atom+xml");
    expect(atom.title).toBe("alice (@alice@tern.test)");
    expect(atom.items.map((i) => i.link)).toEqual(
      ["hostile", "article", "media", "first"].map((k) => posted[k]!.url),
    );
    expect((atom.items[0] as { id?: string }).id).toBe(posted.hostile!.uri);
    expect(atom.items[1]!.title).toBe("A long read");
    expect(new Date(atom.items[3]!.isoDate!).getTime()).toBeGreaterThan(Date.now() - 600_000);
  });

  it("is 404 for nobody", async () => {
    expect((await t.request("/@nobody.rss")).status).toBe(404);
  });
});

describe("hashtag feeds", () => {
  it("list the public posts with the tag", async () => {
    const rss = await feed("/tags/Tern.rss", "application/rss+xml");
    expect(rss.title).toBe("#tern");
    expect(rss.items.map((i) => i.link)).toEqual([posted.hostile!.url, posted.first!.url]);
    const atom = await feed("/tags/tern.atom", "application/atom+xml");
    expect(atom.items).toHaveLength(2);
    // The tag page itself still answers.
    expect((await t.request("/tags/tern")).status).toBe(200);
  });
});

describe("pages and embeds", () => {
  const html = async (path: string) => {
    const res = await t.request(path, { headers: { accept: "text/html" } });
    expect(res.status, path).toBe(200);
    return { text: await res.text(), csp: res.headers.get("content-security-policy") ?? "" };
  };

  it("announce the feeds and the author", async () => {
    const profile = (await html("/@alice")).text;
    expect(profile).toContain(
      '<link rel="alternate" type="application/rss+xml" title="alice (@alice@tern.test)" href="https://tern.test/@alice.rss">',
    );
    expect(profile).toContain('type="application/atom+xml"');
    expect(profile).toContain('<meta name="fediverse:creator" content="alice@tern.test">');
    const post = (await html(`/@alice/${posted.article!.id}`)).text;
    expect(post).toContain('<meta name="fediverse:creator" content="alice@tern.test">');
    expect(post).toContain('<meta property="og:title" content="A long read">');
    expect(post).toContain('<meta property="og:type" content="article">');
    expect(post).toContain('type="application/json+oembed"');
    const tag = (await html("/tags/tern")).text;
    expect(tag).toContain('href="https://tern.test/tags/tern.rss"');
  });

  it("embed page may be framed; oEmbed points at it; private posts are neither", async () => {
    const embed = await html(`/@alice/${posted.first!.id}/embed`);
    expect(embed.csp).toContain("frame-ancestors *");
    expect(embed.csp).toContain("default-src 'none'");
    expect(embed.text).toContain("The first post");
    const res = await t.request(`/api/oembed?url=${encodeURIComponent(posted.first!.url)}`);
    expect(res.status).toBe(200);
    const o = await res.json();
    expect(o).toMatchObject({
      type: "rich",
      version: "1.0",
      author_name: "alice",
      author_url: "https://tern.test/@alice",
      provider_name: "tern.test",
      width: 400,
    });
    expect(o.html).toContain(`src="https://tern.test/@alice/${posted.first!.id}/embed"`);
    const hidden = posted.private!;
    expect((await t.request(`/@alice/${hidden.id}/embed`)).status).toBe(404);
    const url = encodeURIComponent(hidden.url);
    expect((await t.request(`/api/oembed?url=${url}`)).status).toBe(404);
    expect((await t.request("/api/oembed?url=https://elsewhere.test/@a/1")).status).toBe(404);
    expect((await t.request(`/api/oembed?format=xml&url=${url}`)).status).toBe(501);
  });
});
