import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBlurhashValid } from "blurhash";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgetFfmpegLookup } from "../../src/services/media/video.ts";
import { avi, ffmpegAvailable, mp4, wav } from "../helpers/av.ts";
import { animatedGif, formWith, png } from "../helpers/images.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * Video, gifv and audio uploads with real files made by ffmpeg here, probed, remuxed or
 * transcoded and thumbnailed by Tern's ffmpeg, read back over HTTP and probed again.
 */
const hasFfmpeg = ffmpegAvailable();
if (!hasFfmpeg) console.warn("media-video.test.ts skipped: ffmpeg/ffprobe are not on the PATH");

type Media = {
  id: string;
  type: string;
  url: string | null;
  preview_url: string | null;
  blurhash: string | null;
  description: string | null;
  meta: Record<string, unknown> & {
    original?: Record<string, unknown>;
    small?: { width: number; height: number };
  };
};

describe.skipIf(!hasFfmpeg)("video and audio uploads", () => {
  let t: TestTern;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), "tern-video-"));
  beforeAll(async () => {
    t = await startTestTern({ DATA_DIR: dir });
    token = (await t.user("alice")).token;
  });
  afterAll(() => t?.close());

  /** Uploads through v2 (202 while processing) and waits for the job. */
  async function processed(
    file: Uint8Array,
    fields: Record<string, string> = {},
    thumbnail?: Uint8Array,
  ) {
    const body = formWith(file, fields);
    if (thumbnail)
      body.append("thumbnail", new Blob([thumbnail as Uint8Array<ArrayBuffer>]), "t.png");
    const res = await t.request("/api/v2/media", { method: "POST", token, body });
    expect(res.status, await res.clone().text()).toBe(202);
    const pending = (await res.json()) as Media;
    expect(pending.url).toBeNull();
    return eventually(async () => {
      const r = await t.request(`/api/v1/media/${pending.id}`, { token });
      if (r.status === 422) throw new Error(await r.text());
      return r.status === 200 ? ((await r.json()) as Media) : null;
    }, 60_000);
  }

  const download = async (url: string, headers: Record<string, string> = {}) =>
    t.request(new URL(url).pathname, { headers });

  /** What ffprobe reads in a file as clients download it. */
  async function probeServed(url: string) {
    const bytes = new Uint8Array(await (await download(url)).arrayBuffer());
    const file = join(dir, `probe-${Math.random()}`);
    writeFileSync(file, bytes);
    const out = execFileSync("ffprobe", [
      "-v",
      "error",
      "-print_format",
      "json",
      "-show_format",
      "-show_streams",
      file,
    ]);
    return JSON.parse(String(out)) as {
      format: { format_name: string; tags?: Record<string, string> };
      streams: { codec_type: string; codec_name: string }[];
    };
  }

  /** Every upload is sent at once, so the worker's jobs overlap; each case awaits its own. */
  let uploads: Record<"mp4" | "avi" | "gif" | "wav" | "cover", Promise<Media>>;
  beforeAll(async () => {
    const gif = await animatedGif();
    uploads = {
      mp4: processed(mp4(), { description: "Test card" }),
      avi: processed(avi()),
      gif: processed(gif),
      wav: processed(wav()),
      // A sound with its cover picture as `thumbnail`.
      cover: processed(wav(), {}, await png(120, 120)),
    };
    // Failures surface in the case that awaits them.
    for (const p of Object.values(uploads)) p.catch(() => {});
  });

  it("an H.264 MP4 stays as it is (remuxed without its GPS tag), with Mastodon's meta and a preview", async () => {
    const media = await uploads.mp4;
    expect(media).toMatchObject({
      type: "video",
      description: "Test card",
      meta: {
        length: "0:00:01.00",
        fps: 10,
        width: 64,
        height: 48,
        size: "64x48",
        audio_encode: "aac (LC)",
        audio_bitrate: "44100 Hz",
        audio_channels: "mono",
        original: { width: 64, height: 48, frame_rate: "10/1" },
        small: { width: 64, height: 48 },
      },
    });
    expect(media.meta.duration).toBeCloseTo(1, 1);
    expect(media.url).toMatch(/\/original\.mp4$/);
    expect(isBlurhashValid(media.blurhash!).result).toBe(true);
    const preview = await download(media.preview_url!);
    expect(preview.headers.get("content-type")).toBe("image/jpeg");
    const frame = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    expect([frame.width, frame.height]).toEqual([64, 48]);

    const served = await probeServed(media.url!);
    expect(served.streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    expect(JSON.stringify(served.format.tags ?? {})).not.toMatch(/48\.8577/);
    // Players seek with ranges.
    const full = await download(media.url!);
    expect(full.headers.get("content-type")).toBe("video/mp4");
    const size = Number(full.headers.get("content-length"));
    const ranged = await download(media.url!, { range: "bytes=100-" });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 100-${size - 1}/${size}`);
    expect((await ranged.arrayBuffer()).byteLength).toBe(size - 100);

    // Posted, it federates as a Document of type video/mp4.
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token,
      json: { status: "a clip", media_ids: [media.id] },
    });
    const status = (await res.json()) as { uri: string; media_attachments: Media[] };
    expect(status.media_attachments[0].type).toBe("video");
    const note = await t.request(new URL(status.uri).pathname, {
      headers: { accept: "application/activity+json" },
    });
    expect(((await note.json()) as { attachment: unknown }).attachment).toMatchObject({
      mediaType: "video/mp4",
      url: media.url,
      width: 64,
      height: 48,
    });
  }, 90_000);

  it("transcodes what browsers cannot play (MPEG-4 in AVI) to H.264 MP4", async () => {
    const media = await uploads.avi;
    expect(media).toMatchObject({ type: "video", meta: { width: 80, height: 60, fps: 10 } });
    expect(media.url).toMatch(/\.mp4$/);
    const served = await probeServed(media.url!);
    expect(served.streams.map((s) => s.codec_name)).toEqual(["h264"]);
  });

  it("an animated GIF becomes a silent looping MP4 (gifv)", async () => {
    const media = await uploads.gif;
    expect(media).toMatchObject({ type: "gifv", meta: { width: 40, height: 30 } });
    const served = await probeServed(media.url!);
    expect(served.streams.map((s) => s.codec_type)).toEqual(["video"]);
    expect(isBlurhashValid(media.blurhash!).result).toBe(true);
  });

  it("audio: WAV becomes MP3 (MP3 would stay); no preview frame", async () => {
    const fromWav = await uploads.wav;
    expect(fromWav).toMatchObject({
      type: "audio",
      preview_url: null,
      blurhash: null,
      meta: { length: "0:00:01.00", audio_channels: "mono", audio_bitrate: "44100 Hz" },
    });
    expect(fromWav.url).toMatch(/\.mp3$/);
    expect((await download(fromWav.url!)).headers.get("content-type")).toBe("audio/mpeg");
    expect((await probeServed(fromWav.url!)).streams[0].codec_name).toBe("mp3");
    // With a thumbnail, that picture is its preview and blurhash.
    const cover = await uploads.cover;
    expect(cover).toMatchObject({
      type: "audio",
      preview_url: expect.stringMatching(/\/preview\.jpeg$/),
    });
    expect(isBlurhashValid(cover.blurhash!).result).toBe(true);
    const picture = await sharp(
      Buffer.from(await (await download(cover.preview_url!)).arrayBuffer()),
    ).metadata();
    expect([picture.width, picture.height]).toEqual([120, 120]);
  });

  it("refuses what ffprobe cannot read with a 422 that says why, storing nothing", async () => {
    const video = mp4();
    const res = await t.request("/api/v2/media", {
      method: "POST",
      token,
      body: formWith(video.subarray(0, 600)),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/cannot be read as video/);
    const picture = formWith(await png(8, 8));
    picture.append("thumbnail", new Blob([(await png(4, 4)) as Uint8Array<ArrayBuffer>]));
    const withThumb = await t.request("/api/v2/media", { method: "POST", token, body: picture });
    expect(withThumb.status).toBe(422);
    expect(((await withThumb.json()) as { error: string }).error).toMatch(
      /only for video and audio/,
    );
  });

  it("without ffmpeg on the PATH, video and audio are a 422 that says why (pictures still work)", async () => {
    const [sound, gifBytes] = [wav(), await animatedGif()];
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    forgetFfmpegLookup();
    try {
      const res = await t.request("/api/v2/media", {
        method: "POST",
        token,
        body: formWith(sound),
      });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: string }).error).toMatch(/no ffmpeg on its PATH/);
      // An animated GIF then stays an animated GIF.
      const gif = await t.request("/api/v2/media", {
        method: "POST",
        token,
        body: formWith(gifBytes),
      });
      expect(((await gif.json()) as Media).type).toBe("image");
    } finally {
      process.env.PATH = path;
      forgetFfmpegLookup();
    }
  });
});
