import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sanitizeRemoteHtml } from "../../src/lib/html.ts";
import {
  extractHashtags,
  extractMentions,
  formatStatusText,
  type MentionTarget,
} from "../../src/lib/text-to-html.ts";

// The server under test runs as localhost:8443, like the e2e setup; `carol` lives on a remote
// server that also has a port, `dave` on a plain remote host.
const PUBLIC_URL = "https://localhost:8443";
const LOCAL_HOST = "localhost:8443";
const accounts: Record<string, MentionTarget> = {
  alice: {
    id: "1",
    username: "alice",
    domain: null,
    url: `${PUBLIC_URL}/@alice`,
    uri: `${PUBLIC_URL}/users/alice`,
  },
  "carol@remote.test:9443": {
    id: "2",
    username: "carol",
    domain: "remote.test:9443",
    url: "https://remote.test:9443/@carol",
    uri: "https://remote.test:9443/users/carol",
  },
  "dave@snac.test": {
    id: "3",
    username: "dave",
    domain: "snac.test",
    url: "http://snac.test/dave",
    uri: "http://snac.test/dave",
  },
};
const asked: [string, string | null][] = [];
const opts = {
  publicUrl: PUBLIC_URL,
  localHost: LOCAL_HOST,
  resolveMention: (username: string, domain: string | null) => {
    asked.push([username, domain]);
    const key = (domain ? `${username}@${domain}` : username).toLowerCase();
    return accounts[key];
  },
};
const format = (text: string) => formatStatusText(text, opts);

const mentionHtml = (t: MentionTarget) =>
  `<span class="h-card" translate="no"><a href="${t.url}" class="u-url mention">@<span>${t.username}</span></a></span>`;
const tagHtml = (name: string, slug = name.toLowerCase()) =>
  `<a href="${PUBLIC_URL}/tags/${slug}" class="mention hashtag" rel="tag">#<span>${name}</span></a>`;
const linkHtml = (href: string, prefix: string, shown: string, hidden = "", ellipsis = false) =>
  `<a href="${href}" target="_blank" rel="nofollow noopener noreferrer" translate="no">` +
  `<span class="invisible">${prefix}</span><span class="${ellipsis ? "ellipsis" : ""}">${shown}</span>` +
  `<span class="invisible">${hidden}</span></a>`;

describe("formatStatusText: paragraphs and escaping", () => {
  it("splits paragraphs on blank lines and turns single newlines into <br>", () => {
    expect(format("first line\nsecond line\n\nnew paragraph").html).toBe(
      "<p>first line<br>second line</p><p>new paragraph</p>",
    );
  });

  it("treats several blank or whitespace-only lines as one break, CRLF as LF, and trims", () => {
    expect(format("\n\n  a\r\n\r\n \n\t\n\nb\r\nc  \n\n").html).toBe("<p>a</p><p>b<br>c</p>");
  });

  it("escapes markup the user typed", () => {
    expect(format(`<b>bold</b> & "quotes" 'too' <script>alert(1)</script>`).html).toBe(
      "<p>&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot; &#39;too&#39; &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    );
  });

  it("renders empty or blank text as nothing", () => {
    expect(format("")).toEqual({ html: "", mentions: [], hashtags: [] });
    expect(format(" \n\n ").html).toBe("");
  });
});

describe("formatStatusText: links", () => {
  it("links a URL in Mastodon's shape with the scheme invisible", () => {
    expect(format("see https://example.com/path").html).toBe(
      `<p>see ${linkHtml("https://example.com/path", "https://", "example.com/path")}</p>`,
    );
  });

  it("keeps the query string and escapes & in both href and text", () => {
    expect(format("https://example.com/s?q=tern&lang=en").html).toBe(
      `<p>${linkHtml("https://example.com/s?q=tern&amp;lang=en", "https://", "example.com/s?q=tern&amp;lang=en")}</p>`,
    );
  });

  it("leaves sentence punctuation and an enclosing parenthesis outside the link", () => {
    expect(format("Read https://example.com/a. Then (https://example.com/b), ok?").html).toBe(
      `<p>Read ${linkHtml("https://example.com/a", "https://", "example.com/a")}. ` +
        `Then (${linkHtml("https://example.com/b", "https://", "example.com/b")}), ok?</p>`,
    );
  });

  it("keeps balanced parentheses that belong to the URL", () => {
    const { html } = format("https://en.wikipedia.org/wiki/Tern_(bird).");
    expect(html).toContain('href="https://en.wikipedia.org/wiki/Tern_(bird)"');
    expect(html).toMatch(/<\/a>\.<\/p>$/);
  });

  it("shortens long URLs after 30 characters, hiding https://www. like Mastodon", () => {
    // Same URL as Mastodon's own Status example: the spans must split at the same places.
    const url =
      "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code";
    const expected = linkHtml(
      url,
      "https://www.",
      "theguardian.com/money/2019/dec",
      "/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code",
      true,
    );
    expect(format(url).html).toBe(`<p>${expected}</p>`);
    const docs = JSON.parse(
      readFileSync(
        new URL("../fixtures/mastodon-docs/entities/Status/01-example.json", import.meta.url),
        "utf8",
      ),
    ).content as string;
    // Mastodon's anchor attributes differ slightly (no translate); the three spans must match.
    expect(docs).toContain(expected.slice(expected.indexOf("<span")));
  });

  it("does not link a bare scheme, a scheme glued to a word, or non-http schemes", () => {
    expect(format("https:// xhttps://a.test javascript:alert(1) ftp://f.test").html).toBe(
      "<p>https:// xhttps://a.test javascript:alert(1) ftp://f.test</p>",
    );
  });

  it("stops a URL at < and > so <https://a.test> works", () => {
    expect(format("<https://a.test/x>").html).toBe(
      `<p>&lt;${linkHtml("https://a.test/x", "https://", "a.test/x")}&gt;</p>`,
    );
  });
});

describe("formatStatusText: mentions", () => {
  it("links local and remote (with port) mentions and reports them", () => {
    asked.length = 0;
    const r = format("Hi @alice and @carol@remote.test:9443, also @dave@snac.test.");
    expect(r.html).toBe(
      `<p>Hi ${mentionHtml(accounts.alice!)} and ${mentionHtml(accounts["carol@remote.test:9443"]!)}, ` +
        `also ${mentionHtml(accounts["dave@snac.test"]!)}.</p>`,
    );
    expect(r.mentions.map((m) => m.id)).toEqual(["1", "2", "3"]);
    expect(asked).toEqual([
      ["alice", null],
      ["carol", "remote.test:9443"],
      ["dave", "snac.test"],
    ]);
  });

  it("asks for a mention of our own host as a local one", () => {
    asked.length = 0;
    const r = format("@alice@localhost:8443 @alice@LOCALHOST:8443 hi");
    expect(asked).toEqual([
      ["alice", null],
      ["alice", null],
    ]);
    expect(r.html).toBe(
      `<p>${mentionHtml(accounts.alice!)} ${mentionHtml(accounts.alice!)} hi</p>`,
    );
    expect(r.mentions).toEqual([accounts.alice]); // deduplicated
  });

  it("leaves an unresolved mention as escaped plain text", () => {
    const r = format("cc @nobody@gone.test and @ghost");
    expect(r.html).toBe("<p>cc @nobody@gone.test and @ghost</p>");
    expect(r.mentions).toEqual([]);
  });

  it("does not take an e-mail address or a URL path for a mention", () => {
    asked.length = 0;
    const r = format("mail alice@example.com or see https://mastodon.social/@alice");
    expect(asked).toEqual([]);
    expect(r.html).toBe(
      `<p>mail alice@example.com or see ${linkHtml("https://mastodon.social/@alice", "https://", "mastodon.social/@alice")}</p>`,
    );
  });

  it("deduplicates mentions, keeping first-seen order", () => {
    const r = format("@dave@snac.test @alice @DAVE@snac.test @alice");
    expect(r.mentions.map((m) => m.id)).toEqual(["3", "1"]);
  });
});

describe("formatStatusText: hashtags", () => {
  it("links hashtags to our tag page, lower-cased, showing the name as typed", () => {
    const r = format("Hello #Fediverse and #tern_2026!");
    expect(r.html).toBe(`<p>Hello ${tagHtml("Fediverse")} and ${tagHtml("tern_2026")}!</p>`);
    expect(r.hashtags).toEqual(["Fediverse", "tern_2026"]);
  });

  it("accepts Unicode letters and percent-encodes them in the href", () => {
    const r = format("#café #日本語");
    expect(r.html).toBe(
      `<p>${tagHtml("café", "caf%C3%A9")} ${tagHtml("日本語", "%E6%97%A5%E6%9C%AC%E8%AA%9E")}</p>`,
    );
    expect(r.hashtags).toEqual(["café", "日本語"]);
  });

  it("does not treat numbers, mid-word #, doubled # or URL fragments as hashtags", () => {
    const r = format("#123 C#sharp issue##7 https://example.com/#top");
    expect(r.hashtags).toEqual([]);
    expect(r.html).toBe(
      `<p>#123 C#sharp issue##7 ${linkHtml("https://example.com/#top", "https://", "example.com/#top")}</p>`,
    );
  });

  it("finds hashtags after punctuation and deduplicates them case-insensitively", () => {
    const r = format("(#Tern) #tern,#TERN\n#Birds");
    expect(r.hashtags).toEqual(["Tern", "Birds"]);
    expect(r.html).toBe(
      `<p>(${tagHtml("Tern")}) ${tagHtml("tern")},${tagHtml("TERN")}<br>${tagHtml("Birds")}</p>`,
    );
  });
});

describe("formatStatusText: output is safe remote HTML for other servers", () => {
  it("survives sanitizeRemoteHtml with only rel/target added", () => {
    const { html } = format("Hi @alice! #Tern https://example.com/?a=1&b=<2>\n\n<i>x</i>");
    const rel = 'rel="nofollow noopener noreferrer" target="_blank"';
    expect(sanitizeRemoteHtml(html)).toBe(
      `<p>Hi <span class="h-card" translate="no"><a href="${PUBLIC_URL}/@alice" class="u-url mention" ${rel}>@<span>alice</span></a></span>! ` +
        `<a href="${PUBLIC_URL}/tags/tern" class="mention hashtag" rel="tag nofollow noopener noreferrer" target="_blank">#<span>Tern</span></a> ` +
        `<a href="https://example.com/?a=1&amp;b=" ${rel} translate="no"><span class="invisible">https://</span><span>example.com/?a=1&amp;b=</span><span class="invisible"></span></a>&lt;2&gt;</p>` +
        "<p>&lt;i&gt;x&lt;/i&gt;</p>",
    );
  });
});

describe("extractMentions", () => {
  it("finds local, remote and port-qualified mentions with their acct", () => {
    expect(extractMentions("@alice hi @carol@Remote.Test:9443 and @dave@snac.test.")).toEqual([
      { username: "alice", domain: null, acct: "alice" },
      { username: "carol", domain: "remote.test:9443", acct: "carol@remote.test:9443" },
      { username: "dave", domain: "snac.test", acct: "dave@snac.test" },
    ]);
  });

  it("maps our own host to a local mention when told which it is", () => {
    expect(extractMentions("@alice@localhost:8443", LOCAL_HOST)).toEqual([
      { username: "alice", domain: null, acct: "alice" },
    ]);
    expect(extractMentions("@alice@localhost:8443")).toEqual([
      { username: "alice", domain: "localhost:8443", acct: "alice@localhost:8443" },
    ]);
  });

  it("ignores e-mail addresses, URLs and @ glued to words", () => {
    expect(extractMentions("bob@example.com https://x.test/@bob?u=@eve foo@bar @@x =@y")).toEqual(
      [],
    );
  });

  it("keeps dotted and dashed remote usernames but not a trailing dot", () => {
    expect(extractMentions("@first.last@pleroma.test. @a-b.")).toEqual([
      { username: "first.last", domain: "pleroma.test", acct: "first.last@pleroma.test" },
      { username: "a-b", domain: null, acct: "a-b" },
    ]);
  });

  it("deduplicates case-insensitively in first-seen order", () => {
    expect(extractMentions("@Bob@x.test @alice @bob@X.test @ALICE").map((m) => m.acct)).toEqual([
      "Bob@x.test",
      "alice",
    ]);
  });
});

describe("extractHashtags", () => {
  it("returns names as typed, deduplicated case-insensitively", () => {
    expect(extractHashtags("#Café #café #Tern #123 #a1 x#y https://t.test/#frag")).toEqual([
      "Café",
      "Tern",
      "a1",
    ]);
  });
});
