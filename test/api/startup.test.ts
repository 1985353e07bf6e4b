/**
 * The endpoints apps call at start-up, in process: preferences, the instance and its pages,
 * custom emoji (local ones in names, bios and posts; remote ones from a signed peer's `Emoji`
 * tags), announcements with dismissals and reactions, trends and suggestions. Shapes are checked
 * against Mastodon's documented examples.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, instanceRules, instanceSettings, mutes } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import {
  createAnnouncement,
  removeAnnouncement,
} from "../../src/services/announcements/announcements.ts";
import { addLocalEmoji, removeLocalEmoji } from "../../src/services/emojis/emojis.ts";
import { FakePeer, idOf } from "../helpers/ap-fixtures.ts";
import { postStatus, statusAction } from "../helpers/api-client.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { png } from "../helpers/images.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, expectError, STATUS_NULLABLE } from "./entity-shape.ts";

type User = Awaited<ReturnType<TestTern["user"]>>;
let t: TestTern;
let gts: FakePeer;
let alice: User;
let bob: User;
let carol: User;
let tagged: { id: string };

/** A parsed JSON answer; the tests read it as clients do, field by field. */
// biome-ignore lint/suspicious/noExplicitAny: API answers are checked by expect, not by types.
type Json = any;

async function get<T = Json>(path: string, token?: string): Promise<T> {
  const res = await t.request(path, { token });
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(200);
  return body as T;
}

beforeAll(async () => {
  t = await startTestTern({ DATA_DIR: mkdtempSync(join(tmpdir(), "tern-startup-")) });
  [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => t.user(n)));
  const db = t.database.db;
  await addLocalEmoji(db, t.config, "tern_wave", await png(64, 64), "Tern");
  await db
    .update(accounts)
    .set({ displayName: "Bob :tern_wave:" })
    .where(eq(accounts.id, bob.account.id));
  tagged = await postStatus(t, bob, "Hello :tern_wave: #Trending #tern");
  await postStatus(t, carol, "me too #trending");
  await statusAction(t, alice, tagged.id, "favourite");
  await statusAction(t, carol, tagged.id, "reblog");
  await db.insert(instanceRules).values([
    { id: newId(), text: "Be kind", hint: "Really", position: 1 },
    { id: newId(), text: "No spam", position: 2 },
  ]);
  await db.insert(instanceSettings).values([
    { key: "title", value: "Tern Test" },
    { key: "contact_email", value: "admin@tern.test" },
    { key: "contact_account", value: "alice" },
    { key: "extended_description", value: "<p>About us</p>" },
    { key: "registrations", value: { enabled: true, approval_required: true, message: "Ask" } },
  ]);
  gts = await FakePeer.start("gotosocial");
}, 120_000);
afterAll(async () => {
  await gts?.close();
  await t?.close();
});

describe("preferences", () => {
  it("answers the account's posting defaults and Mastodon's reading defaults", async () => {
    const prefs = await get("/api/v1/preferences", alice.token);
    expect(prefs["posting:default:visibility"]).toBe("public");
    expect(prefs["posting:default:quote_policy"]).toBe("public");
    expect(prefs["reading:expand:media"]).toBe("default");
    expectDocumentedShape(prefs, "Preferences", ["posting:default:language"]);
    await expectError(await t.request("/api/v1/preferences"), 401);
    const pushOnly = await t.user("pushonly", { scopes: "push" });
    await expectError(await t.request("/api/v1/preferences", { token: pushOnly.token }), 403);
  });
});

describe("instance", () => {
  it("v2 shows the admin's settings, rules, contact and real limits; v1 agrees", async () => {
    const v2 = await get("/api/v2/instance");
    expect(v2.title).toBe("Tern Test");
    expect(v2.api_versions.mastodon).toBeGreaterThanOrEqual(6);
    // The VAPID pair made at first start (services/push/vapid.ts): an uncompressed P-256 point.
    expect(v2.configuration.vapid.public_key).toMatch(/^B[A-Za-z0-9_-]{86}$/);
    expect(v2.configuration.media_attachments.supported_mime_types).toContain("image/png");
    expect(v2.configuration.statuses.max_media_attachments).toBe(4);
    expect(v2.configuration.polls.max_expiration).toBe(2_629_746);
    expect(v2.registrations).toMatchObject({
      enabled: true,
      approval_required: true,
      message: "Ask",
    });
    expect(v2.contact.email).toBe("admin@tern.test");
    expect(v2.contact.account.username).toBe("alice");
    expect(v2.rules.map((r: { text: string }) => r.text)).toEqual(["Be kind", "No spam"]);
    expect(v2.usage.users.active_month).toBe(2);
    const v1 = await get("/api/v1/instance");
    expect(v1.title).toBe(v2.title);
    expect(v1.configuration.statuses).toEqual(v2.configuration.statuses);
    expect(v1.contact_account.username).toBe("alice");
    expect(v1.registrations).toBe(true);
  });

  it("serves rules, peers, activity, pages and translation languages", async () => {
    const rules = await get("/api/v1/instance/rules");
    expect(rules[0]).toMatchObject({ text: "Be kind", hint: "Really" });
    expectDocumentedShape(rules[0], "Rule", [], { optional: ["translations.fr"] });
    const activity = await get("/api/v1/instance/activity");
    expect(activity).toHaveLength(12);
    expect(activity[0].statuses).toBe("2"); // posts, not boosts
    expect(Number(activity[0].logins)).toBeGreaterThanOrEqual(3);
    expect(Number(activity[0].registrations)).toBeGreaterThanOrEqual(3);
    expect(Number(activity[1].week)).toBe(Number(activity[0].week) - 7 * 86400);
    const about = await get("/api/v1/instance/extended_description");
    expect(about.content).toBe("<p>About us</p>");
    expectDocumentedShape(about, "ExtendedDescription");
    expectDocumentedShape(await get("/api/v1/instance/privacy_policy"), "PrivacyPolicy");
    expect(await get("/api/v1/instance/translation_languages")).toEqual({});
    expect((await t.request("/api/v1/instance/terms_of_service")).status).toBe(404);
    expect(Array.isArray(await get("/api/v1/instance/peers"))).toBe(true);
  });
});

describe("custom emoji", () => {
  it("lists local emoji whose files are really stored, a PNG still next to each", async () => {
    const list = await get("/api/v1/custom_emojis");
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      shortcode: "tern_wave",
      category: "Tern",
      visible_in_picker: true,
    });
    expectDocumentedShape(list[0], "CustomEmoji");
    // A second emoji under a taken shortcode, or a file that is no picture: 422, nothing stored.
    const again = addLocalEmoji(t.database.db, t.config, "tern_wave", await png(8, 8));
    await expect(again).rejects.toMatchObject({ status: 422 });
    // Removing one deletes its files; the picker no longer offers it.
    const gone = await addLocalEmoji(t.database.db, t.config, "gone", await png(8, 8));
    await removeLocalEmoji(t.database.db, t.config, "gone");
    for (const url of [gone.imageUrl, gone.staticUrl!])
      expect((await t.request(new URL(url).pathname)).status).toBe(404);
    await expect(removeLocalEmoji(t.database.db, t.config, "gone")).rejects.toMatchObject({
      status: 404,
    });
    const text = new TextEncoder().encode("not an image at all");
    await expect(addLocalEmoji(t.database.db, t.config, "text", text)).rejects.toMatchObject({
      status: 422,
    });
    for (const url of [list[0].url, list[0].static_url]) {
      const res = await t.request(new URL(url).pathname);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
    }
  });

  it("fills `emojis` of statuses and accounts, and the Note and actor carry Emoji tags", async () => {
    const status = await get(`/api/v1/statuses/${tagged.id}`, alice.token);
    expect(status.emojis.map((e: { shortcode: string }) => e.shortcode)).toEqual(["tern_wave"]);
    expect(status.account.emojis.map((e: { shortcode: string }) => e.shortcode)).toEqual([
      "tern_wave",
    ]);
    // Changing only the name (as apps do) works, and the credential account carries the emoji.
    const renamed = await t.request("/api/v1/accounts/update_credentials", {
      method: "PATCH",
      token: carol.token,
      json: { display_name: "Carol :tern_wave:" },
    });
    expect(renamed.status).toBe(200);
    expect((await renamed.json()).emojis).toMatchObject([{ shortcode: "tern_wave" }]);
    const note = await t.request(new URL(status.uri).pathname, {
      headers: { accept: "application/activity+json" },
    });
    const tags = (await note.json()).tag as {
      type: string;
      name: string;
      icon?: { url: string };
    }[];
    expect(tags.find((x) => x.type === "Emoji")).toMatchObject({ name: ":tern_wave:" });
    const actor = await (
      await t.request("/users/bob", { headers: { accept: "application/activity+json" } })
    ).json();
    expect([actor.tag].flat()).toMatchObject([{ type: "Emoji", name: ":tern_wave:" }]);
  });

  it("stores a remote post's and actor's Emoji tags by their domain and renders them", async () => {
    const actorDoc = await (
      await fetch(gts.actorId, { headers: { accept: "application/activity+json" } })
    ).json();
    const icon = (name: string) => ({
      type: "Emoji",
      id: `${gts.origin}/emoji/${name}`,
      name: `:${name}:`,
      icon: { type: "Image", mediaType: "image/png", url: `${gts.origin}/emoji/${name}.png` },
    });
    // Servers that send Emoji tags define the term (Mastodon's namespace), as GoToSocial does.
    const toot = { toot: "http://joinmastodon.org/ns#", Emoji: "toot:Emoji" };
    actorDoc["@context"] = [actorDoc["@context"], toot].flat();
    actorDoc.name = "Remote :gts_face:";
    actorDoc.tag = [icon("gts_face")];
    gts.serve(new URL(gts.actorId).pathname, actorDoc);
    await followAccepted(t, alice.account, gts.actorId);
    const create = gts.captureJson("create-note-public");
    const note = create.object as Record<string, unknown>;
    create["@context"] = [create["@context"], toot].flat();
    note.content = "<p>Remote :gts_party: and :tern_wave:</p>";
    note.contentMap = { en: note.content };
    note.tag = [icon("gts_party")];
    expect((await gts.send(t, create)).status).toBe(202);
    const home = await eventually(async () => {
      const page = await get<Json[]>("/api/v1/timelines/home", alice.token);
      return page.find((s) => s.uri === idOf(note));
    });
    // Only the remote server's own emoji: its `:tern_wave:` is not ours.
    expect(home.emojis).toEqual([
      expect.objectContaining({ shortcode: "gts_party", url: `${gts.origin}/emoji/gts_party.png` }),
    ]);
    expect(home.account.emojis.map((e: { shortcode: string }) => e.shortcode)).toEqual([
      "gts_face",
    ]);
    expect(
      (await get("/api/v1/custom_emojis")).map((e: { shortcode: string }) => e.shortcode),
    ).toEqual(["tern_wave"]);
  });
});

describe("announcements", () => {
  it("lists, dismisses and reacts with unicode and custom emoji", async () => {
    const a = await createAnnouncement(t.database.db, t.config, { text: "Maintenance tonight" });
    const [listed] = await get("/api/v1/announcements", alice.token);
    expect(listed).toMatchObject({ id: a.id, read: false, reactions: [] });
    expect(listed.content).toContain("Maintenance tonight");
    const put = (name: string, token: string) =>
      t.request(`/api/v1/announcements/${a.id}/reactions/${encodeURIComponent(name)}`, {
        method: "PUT",
        token,
      });
    expect((await put("🤔", alice.token)).status).toBe(200);
    expect((await put("🤔", bob.token)).status).toBe(200);
    expect((await put("tern_wave", alice.token)).status).toBe(200);
    await expectError(await put("not_an_emoji", alice.token), 422);
    await expectError(await put("%E0", alice.token), 422);
    const [reacted] = await get("/api/v1/announcements", alice.token);
    expect(reacted.reactions).toEqual([
      { name: "🤔", count: 2, me: true },
      expect.objectContaining({ name: "tern_wave", count: 1, me: true, url: expect.any(String) }),
    ]);
    // The documented example starts with a custom emoji's reaction; ours with the unicode one.
    expectDocumentedShape({ ...reacted, reactions: reacted.reactions.slice(1) }, "Announcement", [
      "starts_at",
      "ends_at",
    ]);
    const del = await t.request(
      `/api/v1/announcements/${a.id}/reactions/${encodeURIComponent("🤔")}`,
      {
        method: "DELETE",
        token: alice.token,
      },
    );
    expect(del.status).toBe(200);
    const dismiss = await t.request(`/api/v1/announcements/${a.id}/dismiss`, {
      method: "POST",
      token: alice.token,
    });
    expect(dismiss.status).toBe(200);
    expect(await get("/api/v1/announcements", alice.token)).toEqual([]);
    const [again] = await get("/api/v1/announcements?with_dismissed=true", alice.token);
    expect(again).toMatchObject({
      read: true,
      reactions: [expect.objectContaining({ name: "🤔", count: 1, me: false }), expect.anything()],
    });
    expect((await get("/api/v1/announcements", bob.token))[0].read).toBe(false);
    await expectError(
      await t.request("/api/v1/announcements/123/dismiss", { method: "POST", token: alice.token }),
      404,
    );
    await removeAnnouncement(t.database.db, a.id);
    expect(await get("/api/v1/announcements?with_dismissed=true", bob.token)).toEqual([]);
  });
});

describe("trends and suggestions", () => {
  it("trending tags rank by accounts with a 7-day history; statuses by interactions", async () => {
    const tags = await get("/api/v1/trends/tags");
    expect(tags[0].name).toBe("trending");
    expect(tags[0].history).toHaveLength(7);
    expect(tags[0].history[0]).toMatchObject({ uses: "2", accounts: "2" });
    expectDocumentedShape(tags[0], "Tag", [], { optional: ["id", "featuring"] });
    const statuses = await get("/api/v1/trends/statuses", alice.token);
    expect(statuses[0].id).toBe(tagged.id);
    expectDocumentedShape(statuses[0], "Status", STATUS_NULLABLE);
    expect(await get("/api/v1/trends/links")).toEqual([]);
    // A muted author's post and tags leave the viewer's trends (visibleAuthor).
    await t.database.db
      .insert(mutes)
      .values({ id: newId(), accountId: carol.account.id, targetAccountId: bob.account.id });
    const mine = await get("/api/v1/trends/statuses", carol.token);
    expect(mine.map((s: { id: string }) => s.id)).not.toContain(tagged.id);
    const carolTags = await get("/api/v1/trends/tags", carol.token);
    expect(carolTags.map((x: { name: string }) => x.name)).not.toContain("tern");
  });

  it("suggests recently active local accounts not followed, until dismissed", async () => {
    const v2 = await get("/api/v2/suggestions", alice.token);
    const ids = v2.map((s: { account: { id: string } }) => s.account.id);
    expect(ids).toEqual(expect.arrayContaining([bob.account.id, carol.account.id]));
    expect(ids).not.toContain(alice.account.id);
    expect(v2[0]).toMatchObject({ source: "global", sources: expect.any(Array) });
    const del = await t.request(`/api/v1/suggestions/${bob.account.id}`, {
      method: "DELETE",
      token: alice.token,
    });
    expect(del.status).toBe(200);
    const v1 = await get("/api/v1/suggestions", alice.token);
    expect(v1.map((a: { id: string }) => a.id)).toEqual([carol.account.id]);
  });
});
