import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Real video and audio files, made by ffmpeg in the test (no binary fixtures to trust). */

/** Whether ffmpeg is on the PATH (the video tests are skipped without it, saying so). */
export function ffmpegAvailable(): boolean {
  try {
    execFileSync("ffmpeg", ["-version"], { stdio: "ignore" });
    execFileSync("ffprobe", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Runs ffmpeg with `args` (lavfi sources) writing `name`; returns the file's bytes. */
export function ffmpegMake(name: string, args: string[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "tern-av-"));
  try {
    const out = join(dir, name);
    execFileSync("ffmpeg", ["-v", "error", "-y", ...args, out], { stdio: "pipe" });
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const picture = (size: string) => ["-f", "lavfi", "-i", `testsrc=size=${size}:rate=10`];
const tone = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"];

/** One second of H.264 + AAC in MP4 (kept as it is), with a GPS position in its metadata. */
export const mp4 = () =>
  ffmpegMake("v.mp4", [
    ...picture("64x48"),
    ...tone,
    "-t",
    "1",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-metadata",
    "location=+48.8577+002.2950/",
    "-shortest",
  ]);
/** One second of MPEG-4 Part 2 in AVI: browsers cannot play it, so it is transcoded. */
export const avi = () => ffmpegMake("v.avi", [...picture("80x60"), "-t", "1", "-c:v", "mpeg4"]);
/** One second of sound as WAV (becomes MP3). */
export const wav = () => ffmpegMake("a.wav", [...tone, "-t", "1"]);
