import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { request as httpRequest } from "node:http";
import type { Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./process.ts";
import { openTlsFront } from "./tls.ts";

/**
 * snac2 (https://codeberg.org/grunfink/snac2), a real ActivityPub server written in C, as an
 * independent peer on loopback: one instance in a temp dir, behind the same TLS front as Tern's
 * test sites. `.ci/install-snac` installs it from Debian's bookworm-backports.
 *
 * snac fetches with libcurl, which on Debian reads its CA bundle from a fixed path and ignores
 * SSL_CERT_FILE and CURL_CA_BUNDLE; snac has no setting for it either. So snac and its CLI run
 * in a private mount namespace (`unshare -m`, or `-rm` for a non-root user) where the system
 * bundle is bind-mounted over by a copy with our test certificate appended. Nothing on the
 * machine changes.
 */
export interface Snac {
  /** `localhost:<port>`, as in snac's handles (`user@localhost:<port>`). */
  host: string;
  origin: string;
  user: string;
  /** The user's actor id (`https://localhost:<port>/<user>`). */
  actorId: string;
  baseDir: string;
  /** Runs `snac <command> <basedir> <user> ...args` (follow, unfollow, note, boost, unboost…). */
  cli(command: string, ...args: string[]): Promise<string>;
  /** A button of snac's web UI on a post (`Like`, `Unlike`, `Boost`, `Unboost`…), as the user. */
  action(action: string, postId: string, actor?: string): Promise<void>;
  /** Posts through snac's web UI form; `inReplyTo` makes it a reply. */
  post(content: string, inReplyTo?: string): Promise<void>;
  /** The JSON object snac stored for `id` (a post or an actor), or null. */
  object(id: string): Record<string, unknown> | null;
  /** Whether `actorId` is among the user's followers (snac's followers/ folder). */
  isFollowedBy(actorId: string): boolean;
  /** Whether the user follows `actorId` (an accepted follow in snac's following/ folder). */
  isFollowing(actorId: string): boolean;
  /** Who snac recorded as liking (`l`) or boosting (`a`) the post `id`: md5s of actor ids. */
  admirers(id: string, kind: "l" | "a"): string[];
  /** The user's notifications, as snac stores them (type, utype, actor, objid). */
  notifications(): SnacNotification[];
  /** The ids of the posts in the user's timeline whose text contains `text`. */
  findPosts(text: string): string[];
  /** Every request snac answered, oldest first, with its User-Agent (and activity, for POSTs). */
  received(): SnacRequest[];
  output(): string;
  stop(): Promise<void>;
}

export interface SnacRequest {
  method: string;
  path: string;
  userAgent: string;
  type?: string;
  objectId?: string;
}

export interface SnacNotification {
  type: string;
  utype?: string;
  actor: string;
  objid?: string;
}

const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
/** The User-Agent of the harness's own requests to snac, told apart from Tern's in received(). */
export const HARNESS_AGENT = "tern-test-harness";
export const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function has(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why snac cannot run here, or null when it can. */
export function snacUnavailable(): string | null {
  if (!has("snac")) return "snac2 is not installed (.ci/install-snac installs it from backports)";
  if (!has("unshare"))
    return "unshare (util-linux) is missing: snac cannot be made to trust the test CA";
  if (!existsSync(CA_BUNDLE)) return `no system CA bundle at ${CA_BUNDLE} to extend for snac`;
  try {
    const bindToItself = `mount --bind ${CA_BUNDLE} ${CA_BUNDLE}`;
    execFileSync("unshare", [...unshareFlags(), "sh", "-c", bindToItself], { stdio: "ignore" });
  } catch {
    return "no private mount namespace allowed here (unshare -m, mount --bind), which snac needs";
  }
  return null;
}

function unshareFlags(): string[] {
  return process.getuid?.() === 0 ? ["-m"] : ["-r", "-m"];
}

/** argv that runs `snac ...args` seeing `bundle` as the system CA bundle. */
function inNamespace(bundle: string, args: string[]): string[] {
  return [
    ...unshareFlags(),
    "sh",
    "-c",
    `mount --bind "$0" ${CA_BUNDLE} && exec snac "$@"`,
    bundle,
    ...args,
  ];
}

function run(argv: string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", argv, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`snac ${argv.join(" ")}: ${code}\n${out}`)),
    );
    child.stdin.end(input);
  });
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean);
}

/** Starts snac with one user, `user`, on https://localhost:<free port> trusting `tls`. */
export async function startSnac(
  user: string,
  tls: { key: string; cert: string; certFile: string },
): Promise<Snac> {
  const dir = mkdtempSync(join(tmpdir(), "tern-snac-"));
  const baseDir = join(dir, "data");
  const bundle = join(dir, "ca-certificates.crt");
  writeFileSync(bundle, `${readFileSync(CA_BUNDLE, "utf8")}\n${tls.cert}`);
  const tlsFront = await openTlsFront(tls);
  const [tlsPort, httpPort] = [tlsFront.port, await freePort()];
  const host = `localhost:${tlsPort}`;
  const origin = `https://${host}`;
  // `snac init` asks for address, port, host name, URL prefix and admin email.
  await run(inNamespace(bundle, ["init", baseDir]), `127.0.0.1\n${httpPort}\n${host}\n\n\n`);
  const added = await run(inNamespace(bundle, ["adduser", baseDir, user]));
  const password = /User password is (\S+)/.exec(added)?.[1];
  if (!password) throw new Error(`snac adduser printed no password:\n${added}`);
  // Retry soon: a delivery that meets Tern before it has an account cached is tried again.
  // With an archive/ folder snac keeps every message in and out, headers included.
  mkdirSync(join(baseDir, "archive"));
  const configFile = join(baseDir, "server.json");
  const config = JSON.parse(readFileSync(configFile, "utf8"));
  writeFileSync(configFile, JSON.stringify({ ...config, queue_retry_minutes: 1 }, null, 2));

  const child: ChildProcess = spawn("unshare", inNamespace(bundle, ["httpd", baseDir]), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  tlsFront.forwardTo(`http://127.0.0.1:${httpPort}`);
  const front: Server = tlsFront.server;
  const actorId = `${origin}/${user}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`snac httpd exited early:\n${log}`);
    const ok = await fetch(`http://127.0.0.1:${httpPort}/${user}`, {
      headers: { accept: "application/activity+json", "user-agent": HARNESS_AGENT },
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`snac httpd did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  // node:http, not fetch: snac builds its redirects from the Host header, which fetch won't set.
  const form = (path: string, fields: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      // multipart, as snac's own forms send it (its note form takes attachments).
      const boundary = `----tern${Date.now()}`;
      const body = Buffer.from(
        `${Object.entries(fields)
          .map(
            ([k, v]) =>
              `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
          )
          .join("")}--${boundary}--\r\n`,
      );
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: httpPort,
          // A connection per request: snac closes it after answering, without saying so.
          agent: false,
          method: "POST",
          path: `/${user}/admin/${path}`,
          headers: {
            host,
            "user-agent": HARNESS_AGENT,
            authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
            "content-type": `multipart/form-data; boundary=${boundary}`,
            "content-length": body.length,
          },
        },
        (res) => {
          res.resume();
          // snac answers its forms with a redirect back to the timeline.
          const status = res.statusCode ?? 0;
          if (status >= 400) reject(new Error(`snac admin/${path}: ${status}`));
          else resolve();
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const objectFile = (id: string) => {
    const h = md5(id);
    return join(baseDir, "object", h.slice(0, 2), h);
  };
  const userDir = join(baseDir, "user", user);

  return {
    host,
    origin,
    user,
    actorId,
    baseDir,
    cli: (command, ...args) => run(inNamespace(bundle, [command, baseDir, user, ...args])),
    action: (action, postId, actor = "") => form("action", { id: postId, actor, action }),
    post: (content, inReplyTo = "") =>
      form("note", { content, in_reply_to: inReplyTo, sensitive: "", summary: "" }),
    object: (id) => readJson(`${objectFile(id)}.json`),
    isFollowedBy: (actorId) => existsSync(join(userDir, "followers", `${md5(actorId)}.json`)),
    isFollowing: (actorId) => existsSync(join(userDir, "following", `${md5(actorId)}.json`)),
    admirers: (id, kind) => lines(`${objectFile(id)}_${kind}.idx`),
    notifications() {
      const notifyDir = join(userDir, "notify");
      if (!existsSync(notifyDir)) return [];
      return readdirSync(notifyDir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => readJson(join(notifyDir, f)) as unknown as SnacNotification)
        .filter(Boolean);
    },
    findPosts(text) {
      return lines(join(userDir, "private.idx"))
        .map((h) => readJson(join(baseDir, "object", h.slice(0, 2), `${h}.json`)))
        .filter((o) => typeof o?.content === "string" && o.content.includes(text))
        .map((o) => String(o?.id));
    },
    received() {
      const archive = join(baseDir, "archive");
      return readdirSync(archive)
        .filter((entry) => entry.endsWith("_RECV"))
        .sort()
        .map((entry) => {
          // _META is "req: {…json…}" and more; the JSON object ends at the first "}" line.
          const meta = readFileSync(join(archive, entry, "_META"), "utf8");
          const req = /^req: (\{[\s\S]*?\n\})/m.exec(meta)?.[1];
          const headers = (req ? JSON.parse(req) : {}) as Record<string, unknown>;
          const activity = readJson(join(archive, entry, "payload.json"));
          const object = activity?.object as { id?: string } | string | undefined;
          return {
            method: String(headers.method),
            path: String(headers.path),
            userAgent: String(headers["user-agent"] ?? ""),
            type: activity ? String(activity.type) : undefined,
            objectId: typeof object === "string" ? object : object?.id,
          };
        });
    },
    output: () => log,
    async stop() {
      front.close();
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      if (process.env.E2E_SHOW_LOGS) console.log(`--- snac ${host}\n${log}`);
      // KEEP_SNAC=1 keeps the instance's folder (data, archive/ of every message) to look at.
      if (!process.env.KEEP_SNAC) rmSync(dir, { recursive: true, force: true });
    },
  };
}
