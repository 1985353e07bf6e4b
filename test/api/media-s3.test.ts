import { readdirSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { formWith, png } from "../helpers/images.ts";
import { startS3 } from "../helpers/s3.ts";
import { eventually } from "../helpers/tern.ts";
import { mediaSuite } from "./media-suite.ts";

/**
 * The media API suite again with S3-compatible storage: files go to a real S3 server (s3rver)
 * started here, clients load them from its public URL. Then what only a bucket shows: a large
 * upload's job reads and writes through it, and nothing lands under DATA_DIR.
 */
let s3: Awaited<ReturnType<typeof startS3>>;
beforeAll(async () => {
  s3 = await startS3();
}, 120_000);
afterAll(() => s3?.close());

type Media = { id: string; url: string | null; preview_url: string };

mediaSuite({ name: "S3", local: false, env: () => s3.env }, (ctx) => {
  it("processes large uploads in a job through the bucket, and deletes the files with the post", async () => {
    const { t, token, dataDir } = ctx();
    const res = await t.request("/api/v2/media", {
      method: "POST",
      token,
      body: formWith(await png(3000, 2000, true)),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as Media;
    const ready = await eventually(async () => {
      const r = await t.request(`/api/v1/media/${id}`, { token });
      return r.status === 200 ? ((await r.json()) as Media) : null;
    }, 60_000);
    expect(ready.url!.startsWith(`${s3.env.S3_PUBLIC_URL}/`)).toBe(true);
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
    expect(readdirSync(dataDir)).not.toContain("media");
  }, 90_000);
});
