import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectDocumentedShape } from "./entity-shape.ts";

let t: TestTern;
beforeAll(async () => {
  t = await startTestTern();
  const { token } = await t.user("alice");
  await t.request("/api/v1/statuses", { method: "POST", token, json: { status: "counted" } });
});
afterAll(() => t.close());

async function get(path: string, token?: string) {
  const res = await t.request(path, { token, headers: { origin: "https://elk.zone" } });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  // Browser clients read it from another origin.
  expect(res.headers.get("access-control-allow-origin")).toBe("*");
  return body;
}

// What Mastodon documents as nullable, or what Tern does not have yet (no uploads, no rules).
const NULLABLE = [
  "contact_account",
  "account",
  "status",
  "terms_of_service",
  "privacy_policy",
  "message",
  "url",
  "min_age",
  "blurhash",
  "versions",
  "last_status_at",
  "verified_at",
];

describe("GET /api/v1/instance", () => {
  it("has Mastodon's V1 keys, a version clients parse, and the status limits", async () => {
    const v1 = await get("/api/v1/instance");
    expect(v1.uri).toBe("tern.test");
    expect(v1.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(v1.version).toContain("compatible; Tern");
    expect(v1.configuration.statuses.max_characters).toBe(500);
    expect(v1.configuration.statuses.characters_reserved_per_url).toBe(23);
    expect(v1.urls.streaming_api).toMatch(/^wss:\/\//);
    expect(v1.stats.user_count).toBe(1);
    expect(v1.stats.status_count).toBe(1);
    // The thumbnail is a picture that is really there.
    expect((await t.request(new URL(v1.thumbnail).pathname)).status).toBe(200);
    expectDocumentedShape(v1, "V1_Instance", NULLABLE);
  });

  it("answers with a token too, and ignores a bad one only by refusing it", async () => {
    const { token } = await t.user("bob");
    expect((await get("/api/v1/instance", token)).uri).toBe("tern.test");
    const res = await t.request("/api/v1/instance", { token: "not-a-token" });
    expect(res.status).toBe(401);
  });
});

describe("GET /api/v2/instance", () => {
  it("has Mastodon's Instance keys, the version and the status limits", async () => {
    const v2 = await get("/api/v2/instance");
    expect(v2.domain).toBe("tern.test");
    expect(v2.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(v2.version).toContain("compatible; Tern");
    expect(v2.configuration.statuses.max_characters).toBe(500);
    expect(v2.configuration.statuses.characters_reserved_per_url).toBe(23);
    expect(v2.configuration.urls.streaming).toMatch(/^wss:\/\//);
    expect(typeof v2.api_versions.mastodon).toBe("number");
    expect(v2.registrations.enabled).toBe(false);
    expectDocumentedShape(v2, "Instance", NULLABLE, {
      optional: [
        // Documented as optional.
        "thumbnail.blurhash",
        "thumbnail.versions",
        // A typo in the docs' example: Mastodon serves max_display_name_length (checked below).
        "configuration.accounts.max_display_name_lenth",
        // Tern has no public source repository URL to point at yet.
        "source_url",
      ],
    });
    expect(v2.configuration.accounts.max_display_name_length).toBeTypeOf("number");
  });

  it("v1 and v2 agree", async () => {
    const [v1, v2] = await Promise.all([get("/api/v1/instance"), get("/api/v2/instance")]);
    expect(v2.version).toBe(v1.version);
    expect(v2.configuration.statuses).toEqual(v1.configuration.statuses);
    // Uploads are offered: 4 per post, pictures of 16 MiB (and video of 99 MiB with ffmpeg).
    expect(v1.configuration.statuses.max_media_attachments).toBe(4);
    expect(v2.configuration.media_attachments).toMatchObject({
      image_size_limit: 16 * 1024 * 1024,
      description_limit: 1500,
      supported_mime_types: expect.arrayContaining(["image/jpeg", "image/png"]),
    });
    expect(v2.title).toBe(v1.title);
  });
});
