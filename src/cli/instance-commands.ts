/**
 * `tern emoji ...` and `tern announcement ...`: the admin's say over what every app shows at
 * start-up (custom emoji pickers, announcements). Parsed here, run by tern.ts on the database.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Config } from "../config/index.ts";
import type { Db } from "../db/client.ts";
import { isId } from "../lib/ids.ts";
import { createAnnouncement, removeAnnouncement } from "../services/announcements/announcements.ts";
import { addLocalEmoji, removeLocalEmoji, SHORTCODE } from "../services/emojis/emojis.ts";

export const INSTANCE_USAGE = `  tern emoji add <shortcode> <file> [--category <name>]
      Add a custom emoji (PNG, GIF, WebP or JPEG, at most 256 KiB).
  tern emoji remove <shortcode>
      Remove a custom emoji.
  tern announcement add <text> [--starts <time>] [--ends <time>] [--all-day]
      Announce something to every user (times in ISO 8601, e.g. 2026-12-24T18:00Z).
  tern announcement remove <id>
      Remove an announcement.
`;

/**
 * A parsed command: it runs on the opened database and returns the line to print. `cwd` is where
 * the user typed it (a running server may run it for them): relative file names start there.
 */
export type InstanceCommand = (db: Db, config: Config, cwd: string) => Promise<string>;

export interface InstanceOptions {
  starts?: string;
  ends?: string;
  category?: string;
  "all-day"?: boolean;
}

/** Throws `fail(message)` for a usage error. */
export function parseInstanceCommand(
  group: "emoji" | "announcement",
  args: string[],
  opts: InstanceOptions,
  fail: (message: string) => Error,
): InstanceCommand {
  const [action, subject, ...rest] = args;
  const expect = (n: number, usage: string) => {
    if (!subject || rest.length !== n) throw fail(`Usage: tern ${group} ${action} ${usage}`);
  };
  const only = (...allowed: (keyof InstanceOptions)[]) => {
    for (const key of Object.keys(opts) as (keyof InstanceOptions)[])
      if (opts[key] !== undefined && !allowed.includes(key))
        throw fail(`--${key} is not an option of tern ${group} ${action}`);
  };
  if (group === "emoji" && action === "add") {
    expect(1, "<shortcode> <file>");
    only("category");
    const shortcode = subject.replace(/^:|:$/g, "");
    if (!SHORTCODE.test(shortcode)) throw fail("A shortcode is 2 to 64 letters, digits or _");
    return async (db, config, cwd) => {
      const bytes = await readFile(resolve(cwd, rest[0])).catch(() => {
        throw fail(`Cannot read ${rest[0]}`);
      });
      await addLocalEmoji(db, config, shortcode, new Uint8Array(bytes), opts.category ?? null);
      return `Added :${shortcode}:`;
    };
  }
  if (group === "emoji" && action === "remove") {
    expect(0, "<shortcode>");
    only();
    const shortcode = subject.replace(/^:|:$/g, "");
    return async (db, config) => {
      await removeLocalEmoji(db, config, shortcode);
      return `Removed :${shortcode}:`;
    };
  }
  if (group === "announcement" && action === "add") {
    expect(0, "<text> [--starts <time>] [--ends <time>] [--all-day]");
    only("starts", "ends", "all-day");
    const time = (name: string, v: string | undefined) => {
      if (v === undefined) return null;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw fail(`--${name} is not a time: ${v}`);
      return d;
    };
    const startsAt = time("starts", opts.starts);
    const endsAt = time("ends", opts.ends);
    return async (db, config) => {
      const a = await createAnnouncement(db, config, {
        text: subject,
        startsAt,
        endsAt,
        allDay: opts["all-day"] ?? false,
      });
      return `Announced (id ${a.id})`;
    };
  }
  if (group === "announcement" && action === "remove") {
    expect(0, "<id>");
    only();
    if (!isId(subject)) throw fail(`Not an announcement id: ${subject}`);
    return async (db) => {
      await removeAnnouncement(db, subject);
      return `Removed announcement ${subject}`;
    };
  }
  throw fail(`Unknown command: ${group} ${action ?? ""}. Run "tern help".`.replace(" .", "."));
}
