import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { escapeHtml, htmlToPlainText, sanitizeRemoteHtml } from "../../src/lib/html.ts";

// Real captures from GoToSocial, Hollo and snac (copied from the shared fixtures).
const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
const SERVERS = ["gotosocial-0.19.2", "hollo-0.6.18", "snac-2.75"];

type Json = Record<string, unknown>;
const readJson = (rel: string): Json => JSON.parse(readFileSync(join(FIXTURES, rel), "utf8"));
const contentOf = (rel: string) => (readJson(rel).object as Json).content as string;

/** Every HTML field a remote Create/Update carried: Note content and actor summaries. */
function remoteHtmlSamples(): { name: string; html: string }[] {
  const out: { name: string; html: string }[] = [];
  for (const server of SERVERS) {
    for (const file of readdirSync(join(FIXTURES, server, "inbox"))) {
      if (!/^(create|update)-.*\.json$/.test(file) || file.endsWith(".headers.json")) continue;
      const object = readJson(join(server, "inbox", file)).object as Json;
      for (const key of ["content", "summary"]) {
        const html = object[key];
        if (typeof html === "string" && html !== "") out.push({ name: `${file} ${key}`, html });
      }
    }
  }
  return out;
}

/** What may appear in sanitized output: tag → allowed attributes. */
const ALLOWED: Record<string, string[]> = {
  a: ["href", "class", "rel", "target", "translate"],
  span: ["class", "translate"],
  ol: ["start", "reversed"],
  li: ["value"],
};
for (const t of "p br abbr del s pre code em strong b i u ul blockquote ruby rt rp".split(" ")) {
  ALLOWED[t] = [];
}
const SAFE_HREF = /^(https?|mailto|dat|dweb|ipfs|ipns|ssb|gopher|xmpp|magnet|gemini):/i;

/**
 * Structural check, stricter than looking for bad words: every `<` in the output must start a
 * well-formed allowed tag whose attributes are all allowed and double-quoted, every link must
 * have a safe scheme and our rel/target. Anything else (`<script`, `onerror=`, an unescaped `<`
 * that a browser might read as a tag) fails.
 */
function expectHarmless(html: string) {
  const tags = html.match(/<[^>]*>?/g) ?? [];
  const lessThans = html.match(/</g) ?? [];
  expect(tags.length).toBe(lessThans.length);
  for (const tag of tags) {
    const m = /^<(\/?)([a-z0-9]+)((?: [a-z-]+="[^"<>]*")*)>$/.exec(tag);
    expect(m, `malformed or unexpected tag ${tag}`).not.toBeNull();
    const [, closing, name, attrText] = m!;
    expect(Object.keys(ALLOWED), `tag ${tag}`).toContain(name);
    if (closing) expect(attrText).toBe("");
    const attrs = Object.fromEntries(
      [...attrText!.matchAll(/ ([a-z-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]),
    );
    for (const attr of Object.keys(attrs))
      expect(ALLOWED[name!], `${attr} on ${tag}`).toContain(attr);
    if (name === "a" && !closing) {
      expect(attrs.href).toMatch(SAFE_HREF);
      expect(attrs.target).toBe("_blank");
      expect(attrs.rel).toMatch(/^(tag )?nofollow noopener noreferrer$/);
    }
  }
}

describe("sanitizeRemoteHtml: hostile input", () => {
  // [input, exact expected output]
  const cases: [string, string, string][] = [
    ["script with its text", "<p>hi<script>alert(1)</script> there</p>", "<p>hi there</p>"],
    ["style element and attribute", '<style>p{}</style><p style="color:red">x</p>', "<p>x</p>"],
    ["img with onerror", '<p><img src=x onerror="alert(1)">x</p>', "<p>x</p>"],
    ["event handler on an allowed tag", '<p onclick="alert(1)" id="x">a</p>', "<p>a</p>"],
    ["javascript: link", '<a href="javascript:alert(1)">x</a>', "<span>x</span>"],
    ["javascript: with a tab", '<a href="java\tscript:alert(1)">x</a>', "<span>x</span>"],
    ["javascript: upper case", '<a href=" JAVASCRIPT:alert(1)">x</a>', "<span>x</span>"],
    ["entity-encoded javascript:", '<a href="&#106;avascript:alert(1)">x</a>', "<span>x</span>"],
    ["data: URL", '<a href="data:text/html,<script>alert(1)</script>">x</a>', "<span>x</span>"],
    ["vbscript: URL", '<a href="vbscript:msgbox(1)">x</a>', "<span>x</span>"],
    ["relative link", '<a href="/settings">x</a>', "<span>x</span>"],
    ["protocol-relative link", '<a href="//evil.test/">x</a>', "<span>x</span>"],
    ["iframe with fallback", '<iframe src="https://evil.test"><p>fb</p></iframe>ok', "ok"],
    ["object and embed", '<object data="x.swf">t</object><embed src="x.swf">ok', "ok"],
    [
      "form controls",
      '<form action="https://evil.test"><input name="p"><button>Go</button></form>',
      "Go",
    ],
    [
      "meta refresh and base",
      '<meta http-equiv="refresh" content="0;url=https://e.test"><base href="https://e.test/">ok',
      "ok",
    ],
    ["svg script", "<svg><script>alert(1)</script><text>t</text></svg>", "t"],
    [
      "noscript mutation XSS",
      '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
      "",
    ],
    ["nested script trick", "<<script>script>alert(1)<</script>/script>", "&lt;/script&gt;"],
    [
      "escaped markup stays text",
      "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
      "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    ],
    ["unclosed tags are closed", "<p>open <b>bold <i>both", "<p>open <b>bold <i>both</i></b></p>"],
    [
      "disallowed classes",
      '<p class="x">a <span class="invisible hidden fixed">b</span></p>',
      '<p>a <span class="invisible">b</span></p>',
    ],
    [
      "translate other than no",
      '<span translate="yes" class="h-card">x</span>',
      '<span class="h-card">x</span>',
    ],
    [
      "sender's rel and target replaced",
      '<a href="https://x.test/" rel="me opener" target="_self" onmouseover="x">x</a>',
      '<a href="https://x.test/" rel="nofollow noopener noreferrer" target="_blank">x</a>',
    ],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    const out = sanitizeRemoteHtml(input);
    expect(out).toBe(expected);
    expectHarmless(out);
  });

  it("defuses a broken-up <script> tag", () => {
    // htmlparser2 reads `<scr<script>` as one odd tag; what remains must be inert text.
    const out = sanitizeRemoteHtml("<scr<script>ipt>alert(1)</script><p>after</p>");
    expectHarmless(out);
    expect(out).not.toMatch(/<script/i);
    expect(out).toContain("<p>after</p>");
  });

  it("does not let an attribute value break out of its quotes", () => {
    const out = sanitizeRemoteHtml(
      '<a href="https://x.test/?q=&quot;><script>alert(1)</script>">x</a>',
    );
    expectHarmless(out);
    expect(out).toBe(
      '<a href="https://x.test/?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" rel="nofollow noopener noreferrer" target="_blank">x</a>',
    );
  });
});

describe("sanitizeRemoteHtml: what Mastodon keeps", () => {
  it("keeps formatting elements", () => {
    const html =
      "<p><em>e</em> <strong>s</strong> <b>b</b> <i>i</i> <u>u</u> <del>d</del> <code>c</code></p>" +
      '<pre><code>x = 1\n  y</code></pre><blockquote><p>q</p></blockquote><ol start="3"><li>one</li></ol><ul><li>a</li></ul>';
    expect(sanitizeRemoteHtml(html)).toBe(html);
  });

  it("turns headings into bold paragraphs, as Mastodon does", () => {
    expect(sanitizeRemoteHtml("<h1>Title</h1><p>text</p><h3>Sub</h3>")).toBe(
      "<p><strong>Title</strong></p><p>text</p><p><strong>Sub</strong></p>",
    );
  });

  it("writes line breaks as <br>", () => {
    expect(sanitizeRemoteHtml("<p>a<br/>b<br />c<br>d</p>")).toBe("<p>a<br>b<br>c<br>d</p>");
  });

  it("keeps the fediverse link schemes and microformat classes", () => {
    for (const href of ["mailto:a@b.test", "gemini://g.test/", "xmpp:a@b.test", "ipfs://bafy"]) {
      expect(sanitizeRemoteHtml(`<a href="${href}">x</a>`)).toContain(`href="${href}"`);
    }
    const quote = '<span class="quote-inline p-name dt-published e-content u-photo">RE: x</span>';
    expect(sanitizeRemoteHtml(quote)).toBe(quote);
  });

  it("keeps a Mastodon-rendered long link with its invisible and ellipsis parts", () => {
    const content = (readJson("mastodon-docs/entities/Status/01-example.json").content as string)
      .replace("&quot;I lost", '"I lost')
      .replace("code&quot;", 'code"');
    expect(sanitizeRemoteHtml(content)).toBe(content);
  });
});

describe("sanitizeRemoteHtml: real fediverse content", () => {
  it("GoToSocial: mention and hashtags survive with classes and hrefs", () => {
    const out = sanitizeRemoteHtml(
      contentOf("gotosocial-0.19.2/inbox/create-note-hashtag-mention.json"),
    );
    expect(out).toBe(
      '<p>Hello <span class="h-card"><a href="https://app.test/@probe" class="u-url mention" rel="nofollow noopener noreferrer" target="_blank">@<span>probe</span></a></span>, ' +
        'this is tagged <a href="http://gts.test/tags/interoptest" class="mention hashtag" rel="tag nofollow noopener noreferrer" target="_blank">#<span>InteropTest</span></a> ' +
        '<a href="http://gts.test/tags/fixtures" class="mention hashtag" rel="tag nofollow noopener noreferrer" target="_blank">#<span>fixtures</span></a></p>',
    );
  });

  it("Hollo: data-* attributes go, h-card on the link and translate=no stay", () => {
    const out = sanitizeRemoteHtml(
      contentOf("hollo-0.6.18/inbox/create-note-hashtag-mention.shared-inbox.json"),
    );
    expect(out).not.toContain("data-");
    expect(out).toContain(
      '<a href="https://app.test/@probe" class="h-card u-url mention" rel="nofollow noopener noreferrer" target="_blank" translate="no">@<span>probe</span></a>',
    );
    expect(out).toContain(
      '<a href="http://hollo.test/tags/InteropTest" class="mention hashtag" rel="tag nofollow noopener noreferrer" target="_blank">#<span>InteropTest</span></a>',
    );
    expect(out).toContain('href="http://hollo.test/tags/fixtures"');
  });

  it("snac: query-string tag links and the full-handle mention survive", () => {
    const out = sanitizeRemoteHtml(contentOf("snac-2.75/inbox/create-note-hashtag-mention.json"));
    expect(out).toBe(
      'Hello <span class="h-card"><a href="https://app.test/users/probe" class="u-url mention" rel="nofollow noopener noreferrer" target="_blank">@probe@app.test</a></span>, ' +
        'this is tagged <a href="http://snac.test?t=interoptest" class="mention hashtag" rel="tag nofollow noopener noreferrer" target="_blank">#InteropTest</a> ' +
        '<a href="http://snac.test?t=fixtures" class="mention hashtag" rel="tag nofollow noopener noreferrer" target="_blank">#fixtures</a><br>',
    );
  });

  it("GoToSocial: mailto links stay links", () => {
    expect(sanitizeRemoteHtml(contentOf("gotosocial-0.19.2/inbox/create-note-public.json"))).toBe(
      '<p>Public post from <a href="mailto:bob@gts.test" rel="nofollow noopener noreferrer" target="_blank">bob@gts.test</a>. Hello fediverse!</p>',
    );
  });

  it("every captured content and summary comes out harmless, complete and stable", () => {
    const samples = remoteHtmlSamples();
    expect(samples.length).toBeGreaterThan(40);
    const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;
    for (const { name, html } of samples) {
      const out = sanitizeRemoteHtml(html);
      expectHarmless(out);
      // None of these posts has anything to remove: every link, mention and hashtag remains.
      expect(hrefs(out), name).toEqual(hrefs(html));
      expect(count(out, /u-url mention/g), name).toBe(count(html, /u-url mention/g));
      expect(count(out, /mention hashtag/g), name).toBe(count(html, /mention hashtag/g));
      expect(htmlToPlainText(out), name).toBe(htmlToPlainText(html));
      // Idempotent: content we stored sanitized can be sanitized again without drifting.
      expect(sanitizeRemoteHtml(out), name).toBe(out);
    }
  });
});

describe("htmlToPlainText", () => {
  it("gives preview text for each server's mention-and-hashtag post", () => {
    expect(
      htmlToPlainText(contentOf("gotosocial-0.19.2/inbox/create-note-hashtag-mention.json")),
    ).toBe("Hello @probe, this is tagged #InteropTest #fixtures");
    expect(
      htmlToPlainText(
        contentOf("hollo-0.6.18/inbox/create-note-hashtag-mention.shared-inbox.json"),
      ),
    ).toBe("Hello @probe, this is tagged #InteropTest #fixtures");
    expect(htmlToPlainText(contentOf("snac-2.75/inbox/create-note-hashtag-mention.json"))).toBe(
      "Hello @probe@app.test, this is tagged #InteropTest #fixtures",
    );
  });

  it("turns <br> into a newline and paragraphs into blank-line-separated blocks", () => {
    expect(htmlToPlainText("<p>one<br>two</p>\n<p>three</p>")).toBe("one\ntwo\n\nthree");
    expect(htmlToPlainText("<p>a</p><p></p><p>b</p>")).toBe("a\n\nb");
    expect(htmlToPlainText("line<br><br>after a blank")).toBe("line\n\nafter a blank");
    expect(htmlToPlainText("<ul><li>x</li><li>y</li></ul><blockquote>q</blockquote>")).toBe(
      "x\ny\n\nq",
    );
  });

  it("collapses source whitespace except inside <pre>", () => {
    expect(htmlToPlainText("<p>\n  many   spaces\n</p>")).toBe("many spaces");
    expect(htmlToPlainText("<p>a </p>\n  <p> b <br> c</p>")).toBe("a\n\nb\nc");
    expect(htmlToPlainText("<p>code:</p><pre>if x:\n    y</pre>")).toBe("code:\n\nif x:\n    y");
  });

  it("decodes entities and drops markup, links and script text", () => {
    expect(htmlToPlainText("<p>1 &lt; 2 &amp;&amp; &quot;q&quot; &#x1F600; &#39;</p>")).toBe(
      '1 < 2 && "q" \u{1F600} \'',
    );
    expect(
      htmlToPlainText(
        '<p>x<script>alert(1)</script><style>p{}</style> <a href="https://a.test/">y</a></p>',
      ),
    ).toBe("x y");
  });

  it("keeps the whole URL of a shortened Mastodon link", () => {
    const content = readJson("mastodon-docs/entities/Status/01-example.json").content as string;
    expect(htmlToPlainText(content)).toBe(
      '"I lost my inheritance with one wrong digit on my sort code"\n\n' +
        "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code",
    );
  });
});

describe("escapeHtml", () => {
  it("escapes the five characters that matter in text and attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
    expect(escapeHtml("plain café")).toBe("plain café");
  });
});
