import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { formWith, jpegWithExif, png } from "../helpers/images.ts";
import { startS3 } from "../helpers/s3.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * The same uploads with S3-compatible storage: files go to a real S3 server (s3rver) started
 * here, clients load them from its public URL, nothing lands under DATA_DIR.
 */
let s3: Awaited<ReturnType<typeof startS3>>;
let t: TestTern;
let token: string;
const dataDir = mkdtempSync(join(tmpdir(), "tern-media-s3-"));
beforeAll(async () => {
  s3 = await startS3();
  t = await startTestTern({ DATA_DIR: dataDir, ...s3.env });
  token = (await t.user("alice")).token;
}, 120_000);
afterAll(async () => {
  await t?.close();
  await s3?.close();
});

type Media = { id: string; url: string | null; preview_url: string };

const upload = (file: Uint8Array, fields: Record<string, string> = {}) =>
  t.request("/api/v2/media", { method: "POST", token, body: formWith(file, fields) });

it("stores processed images in the bucket, served from S3_PUBLIC_URL", async () => {
  const res = await upload(await jpegWithExif(400, 200), { description: "flag" });
  expect(res.status, await res.clone().text()).toBe(200);
  const media = (await res.json()) as Media;
  expect(media.url!.startsWith(`${s3.env.S3_PUBLIC_URL}/`)).toBe(true);
  const file = await fetch(media.url!);
  expect(file.status).toBe(200);
  expect(file.headers.get("content-type")).toBe("image/jpeg");
  const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
  expect([meta.width, meta.height, meta.exif]).toEqual([200, 400, undefined]);
  expect((await fetch(media.preview_url)).status).toBe(200);
  expect(readdirSync(dataDir)).not.toContain("media");
});

it("processes large uploads in a job through the bucket, and deletes the files with the post", async () => {
  const res = await upload(await png(3000, 2000, true));
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as Media;
  const ready = await eventually(async () => {
    const r = await t.request(`/api/v1/media/${id}`, { token });
    return r.status === 200 ? ((await r.json()) as Media) : null;
  }, 60_000);
  expect((await fetch(ready.url!)).status).toBe(200);
  const posted = await t.request("/api/v1/statuses", {
    method: "POST",
    token,
    json: { status: "from the bucket", media_ids: [id] },
  });
  const status = (await posted.json()) as { id: string };
  await t.request(`/api/v1/statuses/${status.id}`, { method: "DELETE", token });
  await eventually(async () => (await fetch(ready.url!)).status === 404);
  expect((await fetch(ready.preview_url)).status).toBe(404);
}, 90_000);
