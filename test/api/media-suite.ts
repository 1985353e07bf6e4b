import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode, isBlurhashValid } from "blurhash";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepUnattachedMedia } from "../../src/services/media/media.ts";
import { ffmpegAvailable } from "../helpers/av.ts";
import { animatedGif, formWith, jpegWithExif, mp4Header, png, pngBomb } from "../helpers/images.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/** Where the files go: DATA_DIR/media served by Tern, or an S3 bucket serving them itself. */
export interface MediaBackend {
  name: string;
  local: boolean;
  /** Storage configuration (read when the suite's Tern starts). */
  env(): Record<string, string>;
}

/**
 * The media API with real images made by sharp, files read back over HTTP as clients load
 * them; run by media.test.ts on local storage and by media-s3.test.ts on a real S3 server.
 */
export function mediaSuite(
  backend: MediaBackend,
  /** Cases of one backend only, run with the suite's server (`ctx` is read inside a case). */
  more?: (ctx: () => { t: TestTern; token: string; dataDir: string }) => void,
): void {
  describe(`media API on ${backend.name} storage`, () => {
    let t: TestTern;
    let alice: { token: string };
    let bob: { token: string };
    const dataDir = mkdtempSync(join(tmpdir(), "tern-media-"));
    beforeAll(async () => {
      t = await startTestTern({
        DATA_DIR: dataDir,
        ...backend.env(),
      });
      alice = await t.user("alice");
      bob = await t.user("bob");
    });
    afterAll(() => t?.close());

    type Media = {
      id: string;
      type: string;
      url: string | null;
      preview_url: string | null;
      description: string | null;
      blurhash: string | null;
      meta: {
        original?: { width: number; height: number; aspect: number };
        small?: { width: number; height: number };
        focus?: { x: number; y: number };
      } | null;
    };

    async function upload(
      file: Uint8Array,
      fields: Record<string, string> = {},
      who = alice,
      version = 2,
    ): Promise<Response> {
      return t.request(`/api/v${version}/media`, {
        method: "POST",
        token: who.token,
        body: formWith(file, fields),
      });
    }

    async function uploaded(file: Uint8Array, fields: Record<string, string> = {}, who = alice) {
      const res = await upload(file, fields, who);
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as Media;
    }

    /** A file as a client loads it. */
    const download = (url: string, headers: Record<string, string> = {}) =>
      backend.local ? t.request(new URL(url).pathname, { headers }) : fetch(url, { headers });

    const post = (json: unknown, who = alice) =>
      t.request("/api/v1/statuses", { method: "POST", token: who.token, json });

    describe("uploading an image", () => {
      it("orients it, strips EXIF and GPS, and gives Mastodon's MediaAttachment", async () => {
        const media = await uploaded(await jpegWithExif(400, 200), {
          description: "A red and blue flag",
          focus: "0.5,-0.25",
        });
        expect(media).toMatchObject({
          type: "image",
          description: "A red and blue flag",
          meta: {
            // Stored sideways as 400×200 with "rotate 90°": upright it is 200×400.
            original: { width: 200, height: 400, aspect: 0.5 },
            focus: { x: 0.5, y: -0.25 },
          },
        });
        expect(
          media.url!.startsWith(
            backend.local ? "https://tern.test/media/" : backend.env().S3_PUBLIC_URL,
          ),
        ).toBe(true);
        expect(media.url).toMatch(/\/[0-9a-f]{32}\/original\.jpeg$/);
        expect(isBlurhashValid(media.blurhash!).result).toBe(true);
        expect(decode(media.blurhash!, 8, 8)).toHaveLength(8 * 8 * 4);

        const res = await download(media.url!);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("image/jpeg");
        // Tern's own headers (the bucket sends its own, set when the object was put).
        if (backend.local) expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        expect(res.headers.get("cache-control")).toMatch(/max-age=\d+/);
        const bytes = Buffer.from(await res.arrayBuffer());
        const meta = await sharp(bytes).metadata();
        expect([meta.width, meta.height]).toEqual([200, 400]);
        expect(meta.exif).toBeUndefined();
        expect(meta.orientation).toBeUndefined();
        expect(bytes.includes("TernCam")).toBe(false);
        // The red half is on top now.
        const { data } = await sharp(bytes)
          .extract({ left: 100, top: 20, width: 1, height: 1 })
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect(data[0]).toBeGreaterThan(200);
        expect(data[2]).toBeLessThan(60);

        const preview = await download(media.preview_url!);
        expect(preview.status).toBe(200);
        const ranged = await download(media.url!, { range: "bytes=0-9" });
        expect(ranged.status).toBe(206);
        expect((await ranged.arrayBuffer()).byteLength).toBe(10);
      });

      it("takes PNG and animated GIF (gifv with ffmpeg, else kept animated) and scales big pictures to 8.3 MP by a job", async () => {
        const p = await uploaded(await png(64, 48));
        expect(p.meta?.original).toMatchObject({ width: 64, height: 48 });
        expect(p.url).toMatch(/\.png$/);

        const gifRes = await upload(await animatedGif());
        const gif = (await gifRes.json()) as Media;
        const done = await eventually(async () => {
          const r = await t.request(`/api/v1/media/${gif.id}`, { token: alice.token });
          return r.status === 200 ? ((await r.json()) as Media) : null;
        });
        if (ffmpegAvailable()) {
          // As on Mastodon: a silent looping video (test/api/media-video.test.ts looks inside).
          expect(done).toMatchObject({ type: "gifv", url: expect.stringMatching(/\.mp4$/) });
        } else {
          const stored = await sharp(Buffer.from(await (await download(done.url!)).arrayBuffer()), {
            animated: true,
          }).metadata();
          expect(stored.format).toBe("gif");
          expect(stored.pages).toBe(2);
        }

        // The big picture's job is shown once (local; media-s3.test.ts has its own through the bucket).
        if (!backend.local) return;
        const big = await upload(await png(4000, 2500, true));
        expect(big.status).toBe(202);
        const pending = (await big.json()) as Media;
        expect(pending.url).toBeNull();
        const early = await t.request(`/api/v1/media/${pending.id}`, { token: alice.token });
        expect([200, 206]).toContain(early.status);
        const ready = await eventually(async () => {
          const r = await t.request(`/api/v1/media/${pending.id}`, { token: alice.token });
          return r.status === 200 ? ((await r.json()) as Media) : null;
        }, 60_000);
        const { width, height } = ready.meta!.original!;
        expect(width * height).toBeLessThanOrEqual(3840 * 2160);
        expect(width / height).toBeCloseTo(1.6, 1);
        // A processing upload cannot be attached yet; once ready it can.
        expect((await post({ status: "big", media_ids: [ready.id] })).status).toBe(200);
      }, 90_000);

      it("refuses what is not a readable image with a 422 that says why, storing nothing", async () => {
        const jpeg = await jpegWithExif();
        const cases: [string, Uint8Array, RegExp][] = [
          ["a decompression bomb", pngBomb(), /50000×50000 pixels/],
          [
            "a truncated JPEG",
            jpeg.subarray(0, Math.floor(jpeg.length / 2)),
            /corrupt|truncated|readable/,
          ],
          [
            "a text file",
            new TextEncoder().encode("hello, this is not a picture at all"),
            /not an image/,
          ],
          // Only its first bytes: ffprobe reads nothing in it (and without ffmpeg it is refused anyway).
          [
            "a truncated video",
            mp4Header(),
            ffmpegAvailable() ? /cannot be read as video/ : /ffmpeg/,
          ],
        ];
        for (const [name, bytes, reason] of cases) {
          const res = await upload(bytes);
          expect(res.status, name).toBe(422);
          expect((await res.json()).error, name).toMatch(reason);
        }
      });

      it("refuses unknown parameters, bad focus, a missing file and pictures over 16 MiB", async () => {
        const image = await png(8, 8);
        expect((await upload(image, { colour: "red" })).status).toBe(422);
        expect(
          ((await (await upload(image, { colour: "red" })).json()) as { error: string }).error,
        ).toMatch(/colour/);
        expect((await upload(image, { focus: "2,0" })).status).toBe(422);
        const none = await t.request("/api/v2/media", {
          method: "POST",
          token: alice.token,
          body: formWith(image, {}, "picture"),
        });
        expect(none.status).toBe(422);
        const huge = new Uint8Array(17 * 1024 * 1024);
        huge.set(image);
        // Serialized first, as it comes off a socket (undici's own FormData stream trips over the
        // early cancel of a body nobody reads to its end, which a socket does not).
        const serialized = new Response(formWith(huge));
        const res = await t.request("/api/v2/media", {
          method: "POST",
          token: alice.token,
          headers: { "content-type": serialized.headers.get("content-type")! },
          body: await serialized.arrayBuffer(),
        });
        // Under the 99 MiB a video may have, so read, then refused as a too large picture.
        expect(res.status).toBe(422);
        expect(((await res.json()) as { error: string }).error).toMatch(/16 MiB/);
      });

      it("is not mistaken for NUL-laden text by the NUL guard, but a NUL in a text field is", async () => {
        const bytes = await png(8, 8);
        expect(bytes.includes(0)).toBe(true);
        expect((await upload(bytes, { description: "fine" })).status).toBe(200);
        const res = await upload(bytes, { description: "bad\u0000" });
        expect(res.status).toBe(400);
      });

      it("v1 upload, PUT alt text and focus, DELETE only while unattached; others get 404", async () => {
        const res = await upload(await png(10, 10), {}, alice, 1);
        expect(res.status).toBe(200);
        const media = (await res.json()) as Media;
        const put = await t.request(`/api/v1/media/${media.id}`, {
          method: "PUT",
          token: alice.token,
          json: { description: "Ten pixels", focus: "-1,1" },
        });
        expect(put.status).toBe(200);
        expect(await put.json()).toMatchObject({
          description: "Ten pixels",
          meta: { focus: { x: -1, y: 1 } },
        });
        expect((await t.request(`/api/v1/media/${media.id}`, { token: bob.token })).status).toBe(
          404,
        );
        const del = await t.request(`/api/v1/media/${media.id}`, {
          method: "DELETE",
          token: alice.token,
        });
        expect(del.status).toBe(200);
        expect((await t.request(`/api/v1/media/${media.id}`, { token: alice.token })).status).toBe(
          404,
        );
        await eventually(async () => (await download(media.url!)).status === 404);
      });
    });

    describe("attaching media to statuses", () => {
      it("posts a photo without text and shows it on the status and in the home timeline", async () => {
        const media = await uploaded(await png(30, 20), { description: "Green" });
        const res = await post({ status: "", media_ids: [media.id] });
        expect(res.status, await res.clone().text()).toBe(200);
        const status = (await res.json()) as {
          id: string;
          uri: string;
          media_attachments: Media[];
        };
        expect(status.media_attachments).toEqual([media]);
        const again = await t.request(`/api/v1/statuses/${status.id}`, { token: bob.token });
        expect(
          ((await again.json()) as { media_attachments: Media[] }).media_attachments[0].description,
        ).toBe("Green");
        await eventually(async () => {
          const home = await t.request("/api/v1/timelines/home", { token: alice.token });
          const list = (await home.json()) as { id: string; media_attachments: Media[] }[];
          return list.find((s) => s.id === status.id)?.media_attachments.length === 1;
        });
        // Its public page shows the picture with its alt text (and shares its preview).
        const page = await (await t.request(`/@alice/${status.id}`)).text();
        expect(page).toContain(`<img src="${media.preview_url}" alt="Green"`);
        expect(page).toContain(`<meta property="og:image" content="${media.preview_url}">`);
        // Peers fetch it as a Note with a Document per file.
        const note = await t.request(new URL(status.uri).pathname, {
          headers: { accept: "application/activity+json" },
        });
        expect(note.status).toBe(200);
        expect(((await note.json()) as { attachment: unknown }).attachment).toMatchObject({
          type: "Document",
          mediaType: "image/png",
          url: media.url,
          name: "Green",
          width: 30,
          height: 20,
        });
        // Attached: no longer deletable on its own, and not attachable to another post.
        expect(
          (await t.request(`/api/v1/media/${media.id}`, { method: "DELETE", token: alice.token }))
            .status,
        ).toBe(422);
        expect((await post({ status: "again", media_ids: [media.id] })).status).toBe(422);
      });

      it("refuses someone else's media, more than four, and a blank post without media", async () => {
        const bobs = await uploaded(await png(5, 5), {}, bob);
        const res = await post({ status: "stolen", media_ids: [bobs.id] });
        expect(res.status).toBe(422);
        const five = [];
        for (let i = 0; i < 5; i++) five.push((await uploaded(await png(5 + i, 5))).id);
        expect((await post({ status: "five", media_ids: five })).status).toBe(422);
        expect((await post({ status: " " })).status).toBe(422);
        // Nothing was posted nor attached by the refused requests.
        expect((await post({ status: "four", media_ids: five.slice(0, 4) })).status).toBe(200);
      });

      it("edits change order and alt text; media taken off the post are gone", async () => {
        const a = await uploaded(await png(11, 11), { description: "a" });
        const b = await uploaded(await png(12, 12), { description: "b" });
        const created = (await (await post({ status: "two", media_ids: [a.id, b.id] })).json()) as {
          id: string;
        };
        const edit = (json: unknown) =>
          t.request(`/api/v1/statuses/${created.id}`, { method: "PUT", token: alice.token, json });
        const swapped = await edit({
          status: "two, swapped",
          media_ids: [b.id, a.id],
          media_attributes: [{ id: a.id, description: "a, described better", focus: "0.1,0.2" }],
        });
        expect(swapped.status, await swapped.clone().text()).toBe(200);
        const body = (await swapped.json()) as { media_attachments: Media[] };
        expect(body.media_attachments.map((m) => m.id)).toEqual([b.id, a.id]);
        expect(body.media_attachments[1]).toMatchObject({
          description: "a, described better",
          meta: { focus: { x: 0.1, y: 0.2 } },
        });
        // Text only: the media stay.
        const kept = (await (await edit({ status: "text only" })).json()) as {
          media_attachments: Media[];
        };
        expect(kept.media_attachments).toHaveLength(2);
        const one = (await (await edit({ status: "one", media_ids: [b.id] })).json()) as {
          media_attachments: Media[];
        };
        expect(one.media_attachments.map((m) => m.id)).toEqual([b.id]);
        await eventually(async () => (await download(a.url!)).status === 404);
        // Deleting the post deletes its files.
        await t.request(`/api/v1/statuses/${created.id}`, { method: "DELETE", token: alice.token });
        await eventually(async () => (await download(b.url!)).status === 404);
      });

      it("uploads left unattached for a day are swept with their files", async () => {
        const media = await uploaded(await png(13, 13));
        expect(await sweepUnattachedMedia(t.database.db)).toBe(0);
        const tomorrow = new Date(Date.now() + 25 * 3_600_000);
        expect(await sweepUnattachedMedia(t.database.db, tomorrow)).toBeGreaterThanOrEqual(1);
        expect((await t.request(`/api/v1/media/${media.id}`, { token: alice.token })).status).toBe(
          404,
        );
        await eventually(async () => (await download(media.url!)).status === 404);
      });
    });
    more?.(() => ({ t, token: alice.token, dataDir }));
  });
}
