/**
 * Posts from GoToSocial, Hollo and snac as they really arrive (captured Create/Update/Delete,
 * re-signed by a fake peer, see test/helpers/ap-fixtures.ts), checked where `probe` would see
 * them: its home timeline and the status API.
 *
 * For each server: a post from an account nobody here follows, mentioning nobody, is not kept;
 * then `probe` follows the sender (an accepted follow row, inserted directly: the handshake itself
 * is covered by inbound-follows.test.ts) and the public, unlisted, followers-only and direct
 * captures land in the home timeline with Mastodon's visibility, sanitized HTML, mentions and
 * tags; edits apply (GoToSocial reuses one Update id for every edit, both must apply; snac's
 * `contentMap` keeps the old text); deletes (GoToSocial's bare IRI, Hollo's and snac's Tombstone)
 * remove the post. Hollo's double delivery (personal + shared inbox) is stored once.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, jobs, statuses } from "../../src/db/schema/index.ts";
import { apiGet, FakePeer, idOf, type Software, settle, TERN } from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let tern: TestTern;
let probe: Awaited<ReturnType<TestTern["user"]>>;
const peers = {} as Record<Software, FakePeer>;

beforeAll(async () => {
  tern = await startTestTern();
  probe = await tern.user("probe");
  for (const sw of ["gotosocial", "hollo", "snac"] as const) peers[sw] = await FakePeer.start(sw);
});
afterAll(async () => {
  await Promise.all(Object.values(peers).map((p) => p.close()));
  await tern?.close();
});

interface ApiStatus {
  id: string;
  uri: string;
  content: string;
  visibility: string;
  edited_at: string | null;
  spoiler_text: string;
  sensitive: boolean;
  language: string | null;
  account: { uri: string };
  mentions: { acct: string; url: string }[];
  tags: { name: string }[];
}

const home = () => apiGet<ApiStatus[]>(tern, "/api/v1/timelines/home?limit=40", probe.token);
const noteId = (peer: FakePeer, capture: string, edit = (t: string) => t) =>
  idOf(JSON.parse(edit(peer.capture(capture))).object)!;

/** Delivers a captured Create and waits for its post in probe's home timeline. */
async function deliverToHome(
  peer: FakePeer,
  capture: string,
  opts?: Parameters<FakePeer["deliver"]>[2],
) {
  const uri = noteId(peer, capture, opts?.edit);
  expect((await peer.deliver(tern, capture, opts)).status).toBe(202);
  const status = await eventually(async () => (await home()).find((s) => s.uri === uri));
  expect(status.account.uri).toBe(peer.actorId);
  return status;
}

/** Delivers a captured Create that must not be kept: nothing stored once the queue is idle. */
async function deliverIgnored(peer: FakePeer, capture: string) {
  const uri = noteId(peer, capture);
  expect((await peer.deliver(tern, capture)).status).toBe(202);
  await settle(tern);
  expect(await tern.database.db.select().from(statuses).where(eq(statuses.uri, uri))).toEqual([]);
  expect((await home()).map((s) => s.uri)).not.toContain(uri);
}

const probeFollows = (peer: FakePeer) => followAccepted(tern, probe.account, peer.actorId);

async function editedTo(uri: string, text: string) {
  return eventually(async () => {
    const s = (await home()).find((x) => x.uri === uri);
    return s?.content.includes(text) && s;
  });
}

async function deleted(uri: string, statusId: string) {
  await eventually(async () => !(await home()).some((s) => s.uri === uri));
  expect((await tern.request(`/api/v1/statuses/${statusId}`, { token: probe.token })).status).toBe(
    404,
  );
  expect(await tern.database.db.select().from(statuses).where(eq(statuses.uri, uri))).toEqual([]);
}

const mentionsProbe = (s: ApiStatus) =>
  s.mentions.some((m) => m.acct === "probe" && m.url === `${TERN}/@probe`);

describe("GoToSocial", () => {
  const peer = () => peers.gotosocial;

  it("drops a post from an account nobody follows that mentions nobody", async () => {
    await deliverIgnored(peer(), "create-note-image");
  });

  it("shows a followed account's public post with sanitized content", async () => {
    await probeFollows(peer());
    const s = await deliverToHome(peer(), "create-note-public");
    expect(s.visibility).toBe("public");
    expect(s.content).toContain("Hello fediverse!");
    expect(s.content).toMatch(
      /^<p>Public post from <a href="mailto:bob@127\.0\.0\.1:\d+" rel="nofollow noopener noreferrer" target="_blank">/,
    );
    expect(s.language).toBe("en");
    expect(s.edited_at).toBeNull();
  });

  it("maps to:followers + cc:Public to unlisted, to:followers to private", async () => {
    expect((await deliverToHome(peer(), "create-note-unlisted")).visibility).toBe("unlisted");
    expect((await deliverToHome(peer(), "create-note-followers-only")).visibility).toBe("private");
  });

  it("shows a direct message to probe as direct, with the mention", async () => {
    const s = await deliverToHome(peer(), "create-note-direct");
    expect(s.visibility).toBe("direct");
    expect(mentionsProbe(s)).toBe(true);
    expect(s.content).toContain("Direct message from");
  });

  it("keeps mentions and (lower-cased) hashtags; home, a list and a followed tag get it once", async () => {
    // probe follows its author, one of its tags, and keeps the author in a list: three ways into
    // home (follow, mention, tag) that must give one entry, and one in the list.
    const [author] = await tern.database.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.uri, peer().actorId));
    const post = (path: string, body?: unknown) =>
      tern.request(path, { method: "POST", token: probe.token, json: body });
    expect((await post("/api/v1/tags/fixtures/follow")).status).toBe(200);
    const list = (await (await post("/api/v1/lists", { title: "peers" })).json()) as { id: string };
    const added = await post(`/api/v1/lists/${list.id}/accounts`, { account_ids: [author.id] });
    expect(added.status).toBe(200);
    const before = await apiGet<{ statuses_count: number }>(
      tern,
      `/api/v1/accounts/${author.id}`,
      probe.token,
    );
    const s = await deliverToHome(peer(), "create-note-hashtag-mention");
    expect(s.visibility).toBe("public");
    expect(mentionsProbe(s)).toBe(true);
    expect(s.tags.map((t) => t.name).sort()).toEqual(["fixtures", "interoptest"]);
    expect(s.content).toContain('class="mention hashtag"');
    expect((await home()).filter((h) => h.uri === s.uri)).toHaveLength(1);
    const inList = await apiGet<ApiStatus[]>(
      tern,
      `/api/v1/timelines/list/${list.id}`,
      probe.token,
    );
    // (adding the member backfilled their earlier posts below it)
    expect(inList[0].uri).toBe(s.uri);
    expect(inList.filter((h) => h.uri === s.uri)).toHaveLength(1);
    const after = await apiGet<{ statuses_count: number }>(
      tern,
      `/api/v1/accounts/${author.id}`,
      probe.token,
    );
    expect(after.statuses_count).toBe(before.statuses_count + 1);
  });

  it("keeps the content warning", async () => {
    const s = await deliverToHome(peer(), "create-note-content-warning");
    expect(s.spoiler_text).not.toBe("");
    expect(s.sensitive).toBe(true);
  });

  it("applies Update(Note), and a second Update under the same id too", async () => {
    const uri = noteId(peer(), "create-note-public");
    expect((await peer().deliver(tern, "update-note")).status).toBe(202);
    const first = await editedTo(uri, "Hello fediverse! (edited)");
    expect(first.edited_at).toBe("2026-11-22T11:58:24.000Z");
    // GoToSocial's next edit of the same status: the very same activity id, new content.
    const again = await peer().deliver(tern, "update-note", {
      edit: (t) =>
        t
          .replace("(edited)", "(edited twice)")
          .replace('"updated":"2026-11-22T11:58:24Z"', '"updated":"2026-11-22T11:59:00Z"'),
    });
    expect(again.status).toBe(202);
    const second = await editedTo(uri, "(edited twice)");
    expect(second.edited_at).toBe("2026-11-22T11:59:00.000Z");
    expect((await home()).filter((s) => s.uri === uri)).toHaveLength(1);
  });

  it("takes both poll Updates that share one id, neither of them an edit (same text)", async () => {
    const uri = noteId(peer(), "create-question-poll-mentioning-probe");
    const s = await deliverToHome(peer(), "create-question-poll-mentioning-probe");
    for (const capture of ["update-question-after-vote", "update-question-closed"]) {
      expect((await peer().deliver(tern, capture)).status).toBe(202);
      await settle(tern);
    }
    // A vote count is no edit (as on Mastodon): no version kept, the post not marked edited.
    const after = (await home()).find((x) => x.uri === uri)!;
    expect(after.edited_at).toBeNull();
    const history = await apiGet<unknown[]>(tern, `/api/v1/statuses/${s.id}/history`, probe.token);
    expect(history).toHaveLength(1);
  });

  it("deletes a post named by a bare IRI", async () => {
    const uri = noteId(peer(), "create-note-to-delete");
    const s = await deliverToHome(peer(), "create-note-to-delete");
    expect(idOf(peer().captureJson("delete-note").object)).toBe(uri);
    expect((await peer().deliver(tern, "delete-note")).status).toBe(202);
    await deleted(uri, s.id);
  });

  it("fetches the Note of a Create that only names it", async () => {
    const create = peer().captureJson("create-note-reply");
    const uri = idOf(create.object)!;
    create.object = uri; // the peer serves fetched/note-reply.json at this URL
    expect((await peer().send(tern, create)).status).toBe(202);
    const s = await eventually(async () => (await home()).find((x) => x.uri === uri));
    expect(s.visibility).toBe("public");
    expect(s.content).toContain("Reply from");
    expect(mentionsProbe(s)).toBe(true);
  });

  it("ignores the Create of a known post coming again under another id (no revert, no edit mark)", async () => {
    const uri = noteId(peer(), "create-note-public");
    const before = (await home()).find((x) => x.uri === uri)!;
    const again = await peer().deliver(tern, "create-note-public", {
      edit: (t) => t.replace("/activity#Create", "/activity#Create-again"),
    });
    expect(again.status).toBe(202);
    await settle(tern);
    const after = (await home()).filter((x) => x.uri === uri);
    expect(after).toHaveLength(1);
    expect(after[0].edited_at).toBe(before.edited_at);
    expect(after[0].content).toBe(before.content);
    expect(before.content).toContain("(edited twice)");
  });

  it("sanitizes hostile HTML in a post", async () => {
    const s = await deliverToHome(peer(), "create-note-unlisted", {
      edit: (t) =>
        t
          .replaceAll("01M81HWTCSW7SS2J39WMTA6CT7", "01M81HWTCSW7SS2J39WMTAEVIL")
          .replaceAll(
            "Unlisted post from",
            "<script>alert(1)</script><img src=x onerror=alert(2)><a href='javascript:alert(3)' onclick='x()' style='position:fixed'>click</a><iframe src='http://x'></iframe> Unlisted post from",
          ),
    });
    expect(s.content).toContain("click");
    expect(s.content).toContain("Unlisted post from");
    for (const bad of [
      "<script",
      "alert(1)",
      "<img",
      "onerror",
      "javascript:",
      "onclick",
      "style=",
      "<iframe",
    ]) {
      expect(s.content).not.toContain(bad);
    }
  });
});

describe("Hollo", () => {
  const peer = () => peers.hollo;

  it("drops a post from an account nobody follows that mentions nobody", async () => {
    await deliverIgnored(peer(), "create-note-content-warning");
  });

  it("delivers a direct message from a stranger to the mentioned account", async () => {
    const s = await deliverToHome(peer(), "create-note-direct");
    expect(s.visibility).toBe("direct");
    expect(mentionsProbe(s)).toBe(true);
    expect(s.content).toContain('class="h-card u-url mention"');
    expect(s.content).not.toContain("data-account");
  });

  it('reads "as:Public" in to as public, and cc "as:Public" with no to as unlisted', async () => {
    await probeFollows(peer());
    const pub = await deliverToHome(peer(), "create-note-public");
    expect(pub.visibility).toBe("public");
    expect(pub.content).toBe(
      "<p>Public post from alice@hollo.test. Hello fediverse!</p>\n".replace(
        "hollo.test",
        new URL(peer().origin).host,
      ),
    );
    expect((await deliverToHome(peer(), "create-note-unlisted")).visibility).toBe("unlisted");
    expect((await deliverToHome(peer(), "create-note-followers-only")).visibility).toBe("private");
  });

  it("stores the same activity delivered to the personal and the shared inbox once", async () => {
    const uri = noteId(peer(), "create-note-hashtag-mention.personal-inbox");
    expect(noteId(peer(), "create-note-hashtag-mention.shared-inbox")).toBe(uri);
    const [personal, shared] = await Promise.all([
      peer().deliver(tern, "create-note-hashtag-mention.personal-inbox"),
      peer().deliver(tern, "create-note-hashtag-mention.shared-inbox"),
    ]);
    expect([personal.status, shared.status]).toEqual([202, 202]);
    await settle(tern);
    // Neither delivery failed (a failure would sit in the queue, waiting for its retry).
    expect(await tern.database.db.select().from(jobs)).toEqual([]);
    const copies = (await home()).filter((s) => s.uri === uri);
    expect(copies).toHaveLength(1);
    expect(copies[0].edited_at).toBeNull();
    expect(copies[0].tags.map((t) => t.name).sort()).toEqual(["fixtures", "interoptest"]);
    expect(mentionsProbe(copies[0])).toBe(true);
    expect(
      await tern.database.db.select().from(statuses).where(eq(statuses.uri, uri)),
    ).toHaveLength(1);
  });

  it("applies Update(Note)", async () => {
    const uri = noteId(peer(), "create-note-public");
    expect((await peer().deliver(tern, "update-note")).status).toBe(202);
    const s = await editedTo(uri, "Hello fediverse! (edited)");
    expect(s.edited_at).toBe("2026-11-22T12:00:09.388Z");
  });

  it("deletes a post named by a Tombstone", async () => {
    const uri = noteId(peer(), "create-note-to-delete");
    const s = await deliverToHome(peer(), "create-note-to-delete");
    expect(idOf(peer().captureJson("delete-note").object)).toBe(uri);
    expect((await peer().deliver(tern, "delete-note")).status).toBe(202);
    await deleted(uri, s.id);
  });
});

describe("snac", () => {
  const peer = () => peers.snac;

  it("drops a post from an account nobody follows that mentions nobody", async () => {
    await deliverIgnored(peer(), "create-note-content-warning");
  });

  it("maps to:[Public] to public, cc:[Public] to unlisted, to:[] cc:[probe] to direct", async () => {
    await probeFollows(peer());
    const pub = await deliverToHome(peer(), "create-note-public");
    expect(pub.visibility).toBe("public");
    expect(pub.content).toBe(
      `Public post from dave@${new URL(peer().origin).host}. Hello fediverse!<br>`,
    );
    expect((await deliverToHome(peer(), "create-note-unlisted")).visibility).toBe("unlisted");
    const dm = await deliverToHome(peer(), "create-note-direct");
    expect(dm.visibility).toBe("direct");
    expect(mentionsProbe(dm)).toBe(true);
  });

  it("keeps mentions and hashtags", async () => {
    const s = await deliverToHome(peer(), "create-note-hashtag-mention");
    expect(mentionsProbe(s)).toBe(true);
    expect(s.tags.map((t) => t.name).sort()).toEqual(["fixtures", "interoptest"]);
  });

  it("applies Update(Note) from content, not the stale contentMap", async () => {
    const uri = noteId(peer(), "create-note-public");
    expect((await peer().deliver(tern, "update-note")).status).toBe(202);
    const s = await editedTo(uri, "(edited)");
    expect(s.edited_at).toBe("2026-11-22T12:04:20.000Z");
  });

  it("deletes a post named by a Tombstone", async () => {
    const uri = noteId(peer(), "create-note-to-delete");
    const s = await deliverToHome(peer(), "create-note-to-delete");
    expect((await peer().deliver(tern, "delete-note")).status).toBe(202);
    await deleted(uri, s.id);
  });
});

it("remembers who sent what: every stored remote post belongs to its sender's account", async () => {
  const rows = await tern.database.db
    .select({ uri: statuses.uri, author: accounts.uri })
    .from(statuses)
    .innerJoin(accounts, eq(accounts.id, statuses.accountId));
  expect(rows.length).toBeGreaterThan(10);
  for (const row of rows) expect(new URL(row.uri).origin).toBe(new URL(row.author).origin);
});
