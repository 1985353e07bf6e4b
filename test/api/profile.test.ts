import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { jpegWithExif, png } from "../helpers/images.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/** Editing one's profile: update_credentials, verify_credentials' source, the actor document. */
let t: TestTern;
let alice: Awaited<ReturnType<TestTern["user"]>>;
beforeAll(async () => {
  t = await startTestTern({ DATA_DIR: mkdtempSync(join(tmpdir(), "tern-profile-")) });
  alice = await t.user("alice");
});
afterAll(() => t.close());

interface Credential {
  display_name: string;
  note: string;
  locked: boolean;
  bot: boolean;
  avatar: string;
  header: string;
  fields: { name: string; value: string; verified_at: string | null }[];
  source: { privacy: string; sensitive: boolean; language: string | null; note: string };
}

const patch = (init: { json?: unknown; body?: FormData }) =>
  t.request("/api/v1/accounts/update_credentials", {
    method: "PATCH",
    token: alice.token,
    ...init,
  });

it("changes name, note, lock, fields and posting defaults, shown by verify_credentials", async () => {
  const res = await patch({
    json: {
      display_name: "Alice A.",
      note: "Photos of #birds at https://alice.example",
      locked: true,
      fields_attributes: [
        { name: "Site", value: "https://alice.example" },
        { name: "Pronouns", value: "she/her" },
      ],
      source: { privacy: "private", sensitive: true, language: "en" },
    },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const me = (await (
    await t.request("/api/v1/accounts/verify_credentials", { token: alice.token })
  ).json()) as Credential;
  expect(me).toMatchObject({
    display_name: "Alice A.",
    locked: true,
    source: {
      privacy: "private",
      sensitive: true,
      language: "en",
      note: "Photos of #birds at https://alice.example",
    },
  });
  expect(me.note).toContain('rel="tag"');
  expect(me.note).toContain('href="https://alice.example"');
  expect(me.fields.map((f) => f.name)).toEqual(["Site", "Pronouns"]);
  expect(me.fields[0].value).toContain('<a href="https://alice.example"');
  expect(me.fields[1].value).toBe("she/her");
  // Posting honours the default privacy.
  const posted = await t.request("/api/v1/statuses", {
    method: "POST",
    token: alice.token,
    json: { status: "hi" },
  });
  expect(((await posted.json()) as { visibility: string }).visibility).toBe("private");

  // The actor document carries the fields and the lock.
  const actor = (await (
    await t.request("/users/alice", { headers: { accept: "application/activity+json" } })
  ).json()) as {
    name: string;
    manuallyApprovesFollowers: boolean;
    attachment: { type: string; name: string; value: string }[];
  };
  expect(actor.name).toBe("Alice A.");
  expect(actor.manuallyApprovesFollowers).toBe(true);
  expect(actor.attachment.map((a) => [a.type, a.name])).toEqual([
    ["PropertyValue", "Site"],
    ["PropertyValue", "Pronouns"],
  ]);
});

it("takes avatar and header by multipart, cropped to Mastodon's sizes, and removes them", async () => {
  const form = new FormData();
  form.append(
    "avatar",
    new Blob([(await jpegWithExif(800, 600)) as Uint8Array<ArrayBuffer>]),
    "a.jpg",
  );
  form.append("header", new Blob([(await png(3000, 1000)) as Uint8Array<ArrayBuffer>]), "h.png");
  form.append("display_name", "Alice with a face");
  const res = await patch({ body: form });
  expect(res.status, await res.clone().text()).toBe(200);
  const me = (await res.json()) as Credential;
  expect(me.display_name).toBe("Alice with a face");
  const avatar = await t.request(new URL(me.avatar).pathname);
  expect(avatar.status).toBe(200);
  const avatarMeta = await sharp(Buffer.from(await avatar.arrayBuffer())).metadata();
  expect([avatarMeta.width, avatarMeta.height, avatarMeta.exif]).toEqual([400, 400, undefined]);
  const header = await sharp(
    Buffer.from(await (await t.request(new URL(me.header).pathname)).arrayBuffer()),
  ).metadata();
  expect([header.width, header.height]).toEqual([1500, 500]);
  const actor = (await (
    await t.request("/users/alice", { headers: { accept: "application/activity+json" } })
  ).json()) as {
    icon: { url: string };
    image: { url: string };
  };
  expect(actor.icon.url).toBe(me.avatar);
  expect(actor.image.url).toBe(me.header);

  const removed = await t.request("/api/v1/profile/avatar", {
    method: "DELETE",
    token: alice.token,
  });
  expect(removed.status).toBe(200);
  expect(((await removed.json()) as Credential).avatar).toMatch(/\/static\/avatar\.png$/);
});

it("refuses unknown parameters, too many fields and a file that is no image, changing nothing", async () => {
  const unknown = await patch({ json: { display_name: "X", favourite_colour: "red" } });
  expect(unknown.status).toBe(422);
  expect(((await unknown.json()) as { error: string }).error).toMatch(/favourite_colour/);
  const five = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, value: "v" }));
  expect((await patch({ json: { fields_attributes: five } })).status).toBe(422);
  const form = new FormData();
  form.append("avatar", new Blob(["not a picture at all, just text"]), "a.jpg");
  form.append("display_name", "Should not stick");
  expect((await patch({ body: form })).status).toBe(422);
  const me = (await (
    await t.request("/api/v1/accounts/verify_credentials", { token: alice.token })
  ).json()) as Credential;
  expect(me.display_name).toBe("Alice with a face");
});
