import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathFolders } from "../../config/index.ts";
import type { MediaMeta } from "../../db/schema/media.ts";
import { AppError } from "../../lib/errors.ts";
import { logger } from "../../lib/logger.ts";
import {
  makePreview,
  ORIGINAL_MAX_PIXELS,
  PREVIEW_MAX_PIXELS,
  type ProcessedImage,
  sizeMeta,
  within,
} from "./image.ts";

const log = logger("media", "video");

/**
 * Video, gifv and audio through Debian's ffmpeg/ffprobe found on the PATH. They run as child
 * processes with a deadline (a file crafted to make ffmpeg spin is killed, and is a 422), on a
 * private temporary copy of the upload.
 */
const PROBE_TIMEOUT_MS = 20_000;
const TRANSCODE_TIMEOUT_MS = 10 * 60_000;
/** Mastodon's limits for video: 3840×2160 pixels (8.3 MP), 120 frames a second. */
const MAX_FPS = 120;
const MAX_DURATION_S = 3 * 3600;

export type AvKind = "video" | "audio" | "gifv";

export interface ProcessedAv {
  kind: AvKind;
  file: { bytes: Uint8Array; contentType: string; extension: string };
  /** Video and gifv: the first frame. Audio has none. */
  preview: ProcessedImage["preview"] | null;
  blurhash: string | null;
  meta: MediaMeta;
}

function run(cmd: string, args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout, killSignal: "SIGKILL", maxBuffer: 4 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) =>
        error
          ? reject(Object.assign(error, { stderr: String(stderr).slice(-500) }))
          : resolve(stdout),
    );
  });
}

let available: Promise<boolean> | undefined;

/** Looks ffmpeg up again on the next upload (tests change the PATH). */
export function forgetFfmpegLookup(): void {
  available = undefined;
}

/** Whether an executable file `name` is in one of the PATH's folders. */
async function onPath(name: string): Promise<boolean> {
  for (const dir of pathFolders()) {
    const file = join(dir, name);
    try {
      await access(file, constants.X_OK);
      if ((await stat(file)).isFile()) return true;
    } catch {}
  }
  return false;
}

/**
 * Whether ffmpeg and ffprobe are on the PATH (looked up once per process). Found, not run:
 * running `-version` of each took ~0.4 s and two processes, and the first `/api/v1/instance`
 * of every server (its media limits ask this) waited for it. An install that is found but
 * cannot run fails its upload with a 422 (processAv's errors), as a corrupt file does.
 */
export function hasFfmpeg(): Promise<boolean> {
  available ??= Promise.all([onPath("ffprobe"), onPath("ffmpeg")]).then((found) =>
    found.every(Boolean),
  );
  return available;
}

interface Stream {
  codec_type?: string;
  codec_name?: string;
  codec_long_name?: string;
  profile?: string;
  codec_tag_string?: string;
  codec_tag?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

export interface Probe {
  format: string;
  duration: number;
  bitrate: number | null;
  video: Stream | null;
  audio: Stream | null;
}

const rate = (r: string | undefined) => {
  const [n, d] = (r ?? "0/0").split("/").map(Number);
  return d ? n / d : 0;
};

/** What ffprobe reads in the file; a 422 when it reads nothing playable. */
export async function probeFile(path: string): Promise<Probe> {
  let out: string;
  try {
    out = await run(
      "ffprobe",
      ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
      PROBE_TIMEOUT_MS,
    );
  } catch (error) {
    throw new AppError(
      422,
      "Validation failed: the file cannot be read as video or audio (corrupt, truncated or an unknown format)",
      error,
    );
  }
  const parsed = JSON.parse(out) as {
    format?: { format_name?: string; duration?: string; bit_rate?: string };
    streams?: Stream[];
  };
  const streams = parsed.streams ?? [];
  const video =
    streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic) ?? null;
  const audio = streams.find((s) => s.codec_type === "audio") ?? null;
  if (!video && !audio)
    throw new AppError(422, "Validation failed: the file has neither a video nor an audio track");
  const duration = Number(parsed.format?.duration);
  return {
    format: parsed.format?.format_name ?? "",
    duration: Number.isFinite(duration) ? duration : 0,
    bitrate: Number(parsed.format?.bit_rate) || null,
    video,
    audio,
  };
}

/** Width and height as shown, once a phone's rotation flag is applied. */
function shownSize(video: Stream): { width: number; height: number } {
  const rotation = Math.abs(
    Number(video.tags?.rotate ?? video.side_data_list?.find((d) => d.rotation)?.rotation ?? 0),
  );
  const w = video.width ?? 0;
  const h = video.height ?? 0;
  return rotation % 180 === 90 ? { width: h, height: w } : { width: w, height: h };
}

/** Refuses (422) what Mastodon would not take: too many pixels, frames or hours. */
export function checkLimits(probe: Probe): void {
  if (probe.duration > MAX_DURATION_S)
    throw new AppError(422, "Validation failed: the file is longer than 3 hours");
  if (!probe.video) return;
  const { width, height } = shownSize(probe.video);
  if (!width || !height) throw new AppError(422, "Validation failed: the video has no size");
  if (width * height > ORIGINAL_MAX_PIXELS)
    throw new AppError(
      422,
      `Validation failed: the video is ${width}×${height} pixels, more than 3840×2160`,
    );
  if (rate(probe.video.avg_frame_rate) > MAX_FPS)
    throw new AppError(
      422,
      `Validation failed: the video has more than ${MAX_FPS} frames a second`,
    );
}

/** Decides between video and audio from the tracks (an MP4 may hold only sound). */
export const kindOf = (probe: Probe): "video" | "audio" => (probe.video ? "video" : "audio");

/** Codecs every current browser plays from these containers: kept as they are (remuxed). */
function playableAs(probe: Probe, kind: AvKind): "mp4" | "webm" | "mp3" | null {
  const v = probe.video?.codec_name;
  const a = probe.audio?.codec_name;
  if (kind === "audio") return a === "mp3" ? "mp3" : null;
  if (kind === "gifv") return null;
  if (
    probe.format.includes("mp4") &&
    v === "h264" &&
    probe.video?.pix_fmt === "yuv420p" &&
    (!a || a === "aac" || a === "mp3")
  )
    return "mp4";
  if (
    probe.format.includes("webm") &&
    (v === "vp8" || v === "vp9" || v === "av1") &&
    (!a || a === "opus" || a === "vorbis")
  )
    return "webm";
  return null;
}

const OUTPUT = {
  mp4: { contentType: "video/mp4", extension: "mp4" },
  webm: { contentType: "video/webm", extension: "webm" },
  mp3: { contentType: "audio/mpeg", extension: "mp3" },
} as const;

/**
 * ffmpeg arguments turning `input` into `output` of `target`: metadata (a phone's GPS position)
 * always dropped; playable streams copied, anything else transcoded to H.264/AAC (video) or MP3.
 */
function transcodeArgs(probe: Probe, kind: AvKind, input: string, output: string): string[] {
  const keep = playableAs(probe, kind);
  const common = ["-v", "error", "-y", "-i", input, "-map_metadata", "-1", "-threads", "2"];
  if (kind === "audio")
    return [
      ...common,
      "-vn",
      ...(keep ? ["-c:a", "copy"] : ["-c:a", "libmp3lame", "-q:a", "2"]),
      output,
    ];
  if (keep)
    return [
      ...common,
      "-c",
      "copy",
      ...(keep === "mp4" ? ["-movflags", "+faststart"] : []),
      output,
    ];
  return [
    ...common,
    // H.264 wants even sizes; yuv420p is what browsers decode.
    "-vf",
    "scale=trunc(iw/2)*2:trunc(ih/2)*2",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "23",
    "-pix_fmt",
    "yuv420p",
    ...(kind === "gifv" || !probe.audio ? ["-an"] : ["-c:a", "aac", "-b:a", "128k"]),
    "-movflags",
    "+faststart",
    output,
  ];
}

const clock = (seconds: number) => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = (seconds % 60).toFixed(2).padStart(5, "0");
  return `${h}:${String(m).padStart(2, "0")}:${s}`;
};

const round2 = (n: number) => Math.round(n * 100) / 100;

/** `meta` as Mastodon shows it for video, gifv and audio (its documented example's fields). */
function metaOf(probe: Probe, kind: AvKind, small: MediaMeta["small"]): MediaMeta {
  const meta: MediaMeta = { length: clock(probe.duration), duration: round2(probe.duration) };
  if (probe.video && kind !== "audio") {
    const { width, height } = shownSize(probe.video);
    const frameRate = probe.video.avg_frame_rate ?? probe.video.r_frame_rate ?? "0/1";
    Object.assign(meta, {
      fps: Math.round(rate(frameRate)),
      ...sizeMeta(width, height),
    });
    meta.original = {
      width,
      height,
      frame_rate: frameRate,
      duration: probe.duration,
      ...(probe.bitrate ? { bitrate: probe.bitrate } : {}),
    };
    if (small) meta.small = small;
  } else
    meta.original = {
      duration: probe.duration,
      ...(probe.bitrate ? { bitrate: probe.bitrate } : {}),
    };
  if (probe.audio && kind !== "gifv") {
    const a = probe.audio;
    meta.audio_encode = a.profile ? `${a.codec_name} (${a.profile})` : (a.codec_name ?? "");
    if (a.sample_rate) meta.audio_bitrate = `${a.sample_rate} Hz`;
    meta.audio_channels = a.channels === 1 ? "mono" : (a.channel_layout ?? `${a.channels}`);
  }
  return meta;
}

/** Runs `fn` with a private temporary directory holding `bytes` as `input`, removed after. */
export async function withTempFile<T>(
  bytes: Uint8Array,
  fn: (dir: string, input: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "tern-media-"));
  try {
    const input = join(dir, "input");
    await writeFile(input, bytes);
    return await fn(dir, input);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Probes the bytes (a 422 for what is not playable), without processing them. */
export async function probeBytes(bytes: Uint8Array): Promise<Probe> {
  return withTempFile(bytes, async (_dir, input) => {
    const probe = await probeFile(input);
    checkLimits(probe);
    return probe;
  });
}

/**
 * The `media.process` work for video, gifv (an animated GIF becomes a silent MP4, as Mastodon
 * makes it) and audio: probe, remux or transcode, first frame as preview and blurhash.
 */
export async function processAv(bytes: Uint8Array, requested: AvKind): Promise<ProcessedAv> {
  return withTempFile(bytes, async (dir, input) => {
    const probe = await probeFile(input);
    checkLimits(probe);
    const kind: AvKind = requested === "gifv" ? "gifv" : kindOf(probe);
    const target = kind === "audio" ? "mp3" : (playableAs(probe, kind) ?? "mp4");
    const output = join(dir, `output.${OUTPUT[target].extension}`);
    try {
      await run("ffmpeg", transcodeArgs(probe, kind, input, output), TRANSCODE_TIMEOUT_MS);
    } catch (error) {
      log.info("ffmpeg failed: {stderr}", { stderr: (error as { stderr?: string }).stderr });
      throw new AppError(
        422,
        "Validation failed: the file cannot be played (ffmpeg could not convert it)",
        error,
      );
    }
    let preview: ProcessedAv["preview"] = null;
    let blurhash: string | null = null;
    let small: MediaMeta["small"];
    if (kind !== "audio") {
      const frame = join(dir, "frame.png");
      try {
        await run(
          "ffmpeg",
          [
            "-v",
            "error",
            "-y",
            "-i",
            output,
            "-frames:v",
            "1",
            "-f",
            "image2",
            "-c:v",
            "png",
            frame,
          ],
          PROBE_TIMEOUT_MS,
        );
        const shown = shownSize(probe.video!);
        const size = within(shown.width, shown.height, PREVIEW_MAX_PIXELS);
        ({ preview, blurhash } = await makePreview(await readFile(frame), size));
        small = sizeMeta(size.width, size.height);
      } catch (error) {
        throw new AppError(422, "Validation failed: the video has no frame to show", error);
      }
    }
    return {
      kind,
      file: { bytes: new Uint8Array(await readFile(output)), ...OUTPUT[target] },
      preview,
      blurhash,
      meta: metaOf(probe, kind, small),
    };
  });
}
