import { and, inArray, isNull } from "drizzle-orm";
import { serializeNotifications } from "../api/mastodon/entities/notification.ts";
import { serializeBundles } from "../api/mastodon/entities/status.ts";
import type { Database, Db } from "../db/client.ts";
import { accessTokens, notifications, statuses } from "../db/schema/index.ts";
import { logger } from "../lib/logger.ts";
import {
  listsWithMember,
  notificationAllowed,
  viewersHolding,
  viewersOfAuthors,
  viewersOfPrivate,
} from "../services/events/audience.ts";
import { EVENTS_CHANNEL, type LiveEvent } from "../services/events/publish.ts";
import { loadBundles } from "../services/statuses/load.ts";
import type { StatusBundle } from "../services/statuses/types.ts";
import { keyOf, type Subscription } from "./streams.ts";

const log = logger("streaming");

/** One open socket or event stream of one token. */
export interface StreamClient {
  accountId: string;
  tokenId: string;
  scopes: string[];
  subs: Map<string, Subscription>;
  /** Sends one event (payload: a JSON string, a bare id, or nothing). */
  send(stream: string[], event: string, payload?: string): void;
  close(): void;
}

export interface HubOptions {
  db: Db;
  publicUrl: string;
  listen: Database["listen"];
  /** How often the tokens behind open streams are checked for revocation. */
  revocationCheckMs?: number;
}

/**
 * Every web process has one hub: it LISTENs for the events services publish, and hands each to
 * the streams of this process that may see it (visibility, blocks, mutes checked for all viewers
 * in one query), rendered once per event; a notification once for its one recipient.
 */
export class StreamingHub {
  private clients = new Set<StreamClient>();
  private byAccount = new Map<string, Set<StreamClient>>();
  private bySub = new Map<string, Set<StreamClient>>();
  private unlisten?: () => Promise<void>;
  private timer?: NodeJS.Timeout;
  /** Events are handled one after the other, so a delete never overtakes its status's update. */
  private chain = Promise.resolve();

  private opts: HubOptions;

  constructor(opts: HubOptions) {
    this.opts = opts;
  }

  get size(): number {
    return this.clients.size;
  }

  /** How many clients of this process hold a stream (`public:local`, `hashtag\u0000cats`). */
  subscribers(key: string): number {
    return this.bySub.get(key)?.size ?? 0;
  }

  async start(): Promise<void> {
    this.unlisten = await this.opts.listen(EVENTS_CHANNEL, (payload) => {
      this.chain = this.chain.then(() =>
        this.dispatch(payload).catch((error) =>
          log.error("Event {payload} not delivered: {error}", { payload, error }),
        ),
      );
    });
    this.timer = setInterval(
      () => void this.closeRevoked().catch(() => {}),
      this.opts.revocationCheckMs ?? 60_000,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const client of [...this.clients]) client.close();
    await this.unlisten?.().catch(() => {});
    await this.chain;
  }

  add(client: StreamClient): void {
    this.clients.add(client);
    setOf(this.byAccount, client.accountId).add(client);
  }

  remove(client: StreamClient): void {
    this.clients.delete(client);
    this.byAccount.get(client.accountId)?.delete(client);
    if (this.byAccount.get(client.accountId)?.size === 0) this.byAccount.delete(client.accountId);
    for (const key of client.subs.keys()) this.dropFromSub(key, client);
  }

  subscribe(client: StreamClient, sub: Subscription): void {
    const key = keyOf(sub);
    client.subs.set(key, sub);
    setOf(this.bySub, key).add(client);
  }

  unsubscribe(client: StreamClient, sub: Subscription): void {
    const key = keyOf(sub);
    client.subs.delete(key);
    this.dropFromSub(key, client);
  }

  private dropFromSub(key: string, client: StreamClient): void {
    const set = this.bySub.get(key);
    set?.delete(client);
    if (set?.size === 0) this.bySub.delete(key);
  }

  /** Closes the streams whose token was revoked (or whose account is gone) since they opened. */
  async closeRevoked(): Promise<void> {
    const ids = [...new Set([...this.clients].map((c) => c.tokenId))];
    if (ids.length === 0) return;
    const live = await this.opts.db
      .select({ id: accessTokens.id })
      .from(accessTokens)
      .where(and(inArray(accessTokens.id, ids), isNull(accessTokens.revokedAt)));
    const alive = new Set(live.map((r) => r.id));
    for (const client of [...this.clients]) if (!alive.has(client.tokenId)) client.close();
  }

  private async dispatch(payload: string): Promise<void> {
    if (this.clients.size === 0) return;
    const event = JSON.parse(payload) as LiveEvent;
    switch (event.t) {
      case "home":
        return this.home(event.id, event.to);
      case "status":
        return this.publicStatus(event.id, "update");
      case "status.update":
        await this.edited(event.id);
        return this.publicStatus(event.id, "status.update");
      case "delete":
        return this.deleted(event.id);
      case "notification":
        return this.notification(event.id, event.to);
      case "token_revoked":
        for (const c of [...this.clients]) if (c.tokenId === event.id) c.close();
        return;
      case "filters_changed":
        for (const c of this.subscribed(event.to, ["user"])) c.send(["user"], "filters_changed");
        return;
    }
  }

  /** This account's clients that hold one of these streams. */
  private subscribed(accountId: string, names: string[]): StreamClient[] {
    return [...(this.byAccount.get(accountId) ?? [])].filter((c) =>
      names.some((n) => c.subs.has(n)),
    );
  }

  private async bundle(id: string): Promise<StatusBundle | undefined> {
    const rows = await this.opts.db
      .select()
      .from(statuses)
      .where(inArray(statuses.id, [id]));
    return rows.length ? (await loadBundles(this.opts.db, rows))[0] : undefined;
  }

  private authorsOf(b: StatusBundle): string[] {
    return [b.status.accountId, ...(b.reblog ? [b.reblog.status.accountId] : [])];
  }

  /**
   * Sends a status to each viewer's `user` streams. Rendered once, without a viewer (as Mastodon
   * does): a post that just arrived carries no favourite or bookmark of anyone yet, and one
   * rendering per reader made 100 readers wait 1-2 s (bench/streaming.ts).
   */
  private async toUsers(b: StatusBundle, viewers: Set<string>, event: string): Promise<void> {
    if (viewers.size === 0) return;
    const [rendered] = await serializeBundles(this.opts.db, [b], this.opts.publicUrl, null);
    const json = JSON.stringify(rendered);
    for (const viewer of viewers)
      for (const c of this.subscribed(viewer, ["user"])) c.send(["user"], event, json);
  }

  private async home(id: string, to: string[]): Promise<void> {
    // Readers streaming their home, or one of their lists (whose members they follow).
    const streaming = (c: StreamClient) =>
      c.subs.has("user") || [...c.subs.values()].some((s) => s.name === "list");
    const connected = to.filter((a) => [...(this.byAccount.get(a) ?? [])].some(streaming));
    if (connected.length === 0) return;
    const b = await this.bundle(id);
    if (!b) return;
    // The fan-out chose followers by visibility; blocks and mutes are checked here, now.
    const allowed = await viewersOfAuthors(this.opts.db, connected, this.authorsOf(b));
    await this.toUsers(b, allowed, "update");
    await this.toLists(b, allowed);
  }

  /** A post that reached its readers' home goes to those of their lists that hold its author. */
  private async toLists(b: StatusBundle, viewers: Set<string>): Promise<void> {
    const subs = [...viewers].flatMap((v) =>
      [...(this.byAccount.get(v) ?? [])].flatMap((c) =>
        [...c.subs.values()].filter((s) => s.name === "list").map((s) => ({ c, s })),
      ),
    );
    if (subs.length === 0) return;
    // A boost belongs on the lists of its booster, as in the list feed.
    const author = b.status.accountId;
    const lists = await listsWithMember(
      this.opts.db,
      [...new Set(subs.map((x) => x.s.arg!))],
      author,
    );
    if (lists.size === 0) return;
    const [rendered] = await serializeBundles(this.opts.db, [b], this.opts.publicUrl, null);
    const json = JSON.stringify(rendered);
    for (const { c, s } of subs) if (lists.has(s.arg!)) c.send(s.label, "update", json);
  }

  private async edited(id: string): Promise<void> {
    const connected = [...this.byAccount.keys()].filter(
      (a) => this.subscribed(a, ["user"]).length > 0,
    );
    if (connected.length === 0) return;
    const b = await this.bundle(id);
    if (!b) return;
    const holding = await viewersHolding(this.opts.db, connected, id);
    const allowed = await viewersOfAuthors(this.opts.db, [...holding], this.authorsOf(b));
    await this.toUsers(b, allowed, "status.update");
  }

  /** The public, local, remote and hashtag streams a status belongs on. */
  private publicKeys(b: StatusBundle): string[] {
    const { status, media, tags } = b;
    const where = status.local ? "local" : "remote";
    const keys = ["public", `public:${where}`];
    if (media.length) keys.push("public:media", `public:${where}:media`);
    for (const tag of tags) {
      keys.push(keyOf({ name: "hashtag", arg: tag.toLowerCase() }));
      if (status.local) keys.push(keyOf({ name: "hashtag:local", arg: tag.toLowerCase() }));
    }
    return keys;
  }

  private async publicStatus(id: string, event: string): Promise<void> {
    // Most statuses find nobody on a public or hashtag stream here: not even loaded then.
    const open = [...this.bySub.keys()].some(
      (k) => k.startsWith("public") || k.startsWith("hashtag"),
    );
    if (!open) return;
    const b = await this.bundle(id);
    // Only public posts, not boosts, are on the public streams (as on Mastodon).
    if (b?.status.visibility !== "public" || b.status.reblogOfId) return;
    const targets = this.publicKeys(b).flatMap((key) =>
      [...(this.bySub.get(key) ?? [])].map((c) => ({ c, key })),
    );
    if (targets.length === 0) return;
    const viewers = [...new Set(targets.map((t) => t.c.accountId))];
    const allowed = await viewersOfAuthors(this.opts.db, viewers, this.authorsOf(b));
    // One rendering for everybody: the public streams carry no per-viewer flags.
    const [rendered] = await serializeBundles(this.opts.db, [b], this.opts.publicUrl, null);
    const json = JSON.stringify(rendered);
    for (const { c, key } of targets) {
      if (allowed.has(c.accountId)) c.send(c.subs.get(key)!.label, event, json);
    }
  }

  /** A deleted status's id goes to every timeline stream (an id alone discloses nothing). */
  private deleted(id: string): void {
    for (const c of this.clients) {
      for (const sub of c.subs.values()) {
        if (sub.name !== "user:notification") c.send(sub.label, "delete", id);
      }
    }
  }

  private async notification(id: string, to: string): Promise<void> {
    const clients = this.subscribed(to, ["user", "user:notification"]);
    if (clients.length === 0) return;
    const rows = await this.opts.db
      .select()
      .from(notifications)
      .where(inArray(notifications.id, [id]));
    const n = rows[0];
    if (!n || !(await notificationAllowed(this.opts.db, to, n.fromAccountId))) return;
    if (n.statusId) {
      const b = await this.bundle(n.statusId);
      if (!b) return;
      const mayView = await viewersOfPrivate(this.opts.db, [to], b.status);
      if (b.status.visibility !== "public" && b.status.visibility !== "unlisted" && !mayView.size)
        return;
    }
    const [rendered] = await serializeNotifications(this.opts.db, [n], this.opts.publicUrl, to);
    const json = JSON.stringify(rendered);
    for (const c of clients) {
      for (const name of ["user", "user:notification"]) {
        if (c.subs.has(name)) c.send([name], "notification", json);
      }
    }
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  const found = map.get(key);
  if (found) return found;
  const set = new Set<V>();
  map.set(key, set);
  return set;
}
