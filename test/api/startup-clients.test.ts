/**
 * The calls Ivory, Elk, Phanpy and Tusky make right after logging in, in their order, through the
 * real client libraries: masto (Elk, Phanpy) and megalodon (the Tusky-like v1 set). Each must
 * answer 200 with Mastodon's shape, or a client stops at that step. Lists, filters and followed
 * tags belong to other parts of issue 9: a 404 from them is tolerated until those land.
 */
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { createRestAPIClient } from "masto";
import generator from "megalodon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnnouncement } from "../../src/services/announcements/announcements.ts";
import { addLocalEmoji } from "../../src/services/emojis/emojis.ts";
import { postStatus, statusAction } from "../helpers/api-client.ts";
import { png } from "../helpers/images.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape, STATUS_NULLABLE } from "./entity-shape.ts";

let t: TestTern;
let server: ServerType;
let url: string;
let token: string;

beforeAll(async () => {
  t = await startTestTern({ DATA_DIR: mkdtempSync(join(tmpdir(), "tern-clients-")) });
  const [alice, bob] = await Promise.all([t.user("alice"), t.user("bob")]);
  token = alice.token;
  await addLocalEmoji(t.database.db, t.config, "blobcat", await png(32, 32));
  await createAnnouncement(t.database.db, t.config, { text: "Welcome :blobcat:" });
  const post = await postStatus(t, bob, "First :blobcat: #welcome");
  await statusAction(t, alice, post.id, "favourite");
  server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server?.close();
  await t?.close();
});

/** A step another helper's endpoint answers: 404 is allowed until it exists, nothing else. */
async function optional<T>(call: () => PromiseLike<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    const status =
      (error as { statusCode?: number }).statusCode ??
      (error as { response?: { status?: number } }).response?.status;
    if (status === 404) return null;
    throw error;
  }
}

describe("masto (Elk, Phanpy, Ivory's order)", () => {
  it("finishes the login-time calls with Mastodon's shapes", async () => {
    const masto = createRestAPIClient({ url, accessToken: token });
    const v1 = await masto.v1.instance.fetch();
    const v2 = await masto.v2.instance.fetch();
    expect(v1.version).toBe(v2.version);
    expect(v2.apiVersions.mastodon).toBeGreaterThanOrEqual(6);
    const me = await masto.v1.accounts.verifyCredentials();
    expect(me.username).toBe("alice");
    const prefs = await masto.v1.preferences.fetch();
    expect(prefs["posting:default:visibility"]).toBe("public");
    const emojis = await masto.v1.customEmojis.list();
    expect(emojis.map((e) => e.shortcode)).toEqual(["blobcat"]);
    const filters = await optional(() => masto.v2.filters.list());
    if (filters) expect(Array.isArray(filters)).toBe(true);
    const lists = await optional(() => masto.v1.lists.list());
    if (lists) expect(Array.isArray(lists)).toBe(true);
    const markers = await masto.v1.markers.fetch({ timeline: ["home", "notifications"] });
    expect(typeof markers).toBe("object");
    const announcements = await masto.v1.announcements.list();
    expect(announcements[0].content).toContain("Welcome");
    expect((announcements[0] as { read?: boolean }).read).toBe(false);
    expect(announcements[0].emojis.map((e) => e.shortcode)).toEqual(["blobcat"]);
    const tags = await masto.v1.trends.tags.list();
    expect(tags.map((x) => x.name)).toContain("welcome");
    const trending = await masto.v1.trends.statuses.list();
    expect(trending[0].emojis.map((e) => e.shortcode)).toEqual(["blobcat"]);
    expect(await masto.v1.trends.links.list()).toEqual([]);
    const suggestions = await masto.v2.suggestions.list();
    expect(suggestions.map((s) => s.account.username)).toEqual(["bob"]);
    const notifications = await masto.v1.notifications.list();
    expect(Array.isArray(notifications)).toBe(true);
    const home = await masto.v1.timelines.home.list();
    expect(Array.isArray(home)).toBe(true);
    const followed = await optional(() => masto.v1.followedTags.list());
    if (followed) expect(Array.isArray(followed)).toBe(true);
  });
});

describe("megalodon (Tusky's v1 calls)", () => {
  it("finishes the login-time calls with 200s and Mastodon's shapes", async () => {
    const client = generator("mastodon", url, token);
    const instance = await client.getInstance();
    expect(instance.status).toBe(200);
    expectDocumentedShape(instance.data, "V1_Instance", [
      "contact_account",
      "last_status_at",
      "verified_at",
    ]);
    expect((await client.verifyAccountCredentials()).data.username).toBe("alice");
    expect((await client.getPreferences()).status).toBe(200);
    const emojis = await client.getInstanceCustomEmojis();
    // Mastodon documents `category` as nullable (an emoji added without one).
    expectDocumentedShape(emojis.data[0], "CustomEmoji", ["category"]);
    await optional(() => client.getFilters());
    await optional(() => client.getLists());
    expect((await client.getMarkers(["home", "notifications"])).status).toBe(200);
    const announcements = await client.getInstanceAnnouncements();
    expectDocumentedShape(announcements.data[0], "Announcement", ["starts_at", "ends_at"], {
      optional: ["reactions"],
    });
    const trends = await client.getInstanceTrends();
    expect(trends.data[0].history).toHaveLength(7);
    expect((await client.getSuggestions()).data.map((a) => a.username)).toEqual(["bob"]);
    expect((await client.getNotifications()).status).toBe(200);
    const home = await client.getHomeTimeline();
    expect(home.status).toBe(200);
    const raw = await fetch(`${url}/api/v1/trends/statuses`);
    expectDocumentedShape((await raw.json())[0], "Status", STATUS_NULLABLE);
    await optional(() => client.getFollowedTags());
  });
});
