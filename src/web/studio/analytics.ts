/**
 * /studio/analytics: the acting account's follower growth, top servers and top posts, and a
 * post's reach by server. Server-rendered (an inline SVG chart, no script); counts only.
 */
import type { Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import {
  accountSummary,
  assertMayRead,
  type GrowthDay,
  publicRepliesTo,
  statusAuthor,
  statusSummary,
  topStatuses,
} from "../../services/analytics/read.ts";
import type { StatusBundle } from "../../services/statuses/types.ts";
import { mayReadAnalytics } from "../../services/teams/access.ts";
import { currentSession, requireSession } from "../session.ts";
import { studioPage } from "./layout.ts";

/** "1 follower", "2 followers". */
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A table of figures: the first column text, the rest right-aligned numbers; headers unbroken. */
function figuresTable(headers: string[], rows: string[][]): string {
  const th = headers
    .map(
      (h, i) =>
        `<th style="white-space:nowrap;padding:.2rem .4rem;text-align:${i ? "right" : "left"}">${h}</th>`,
    )
    .join("");
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.map((cell, i) => `<td style="padding:.2rem .4rem${i ? ";text-align:right" : ""}">${cell}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table style="width:100%;border-collapse:collapse;overflow-wrap:normal"><tr>${th}</tr>${tr}</table>`;
}

/**
 * Daily gains above the axis and losses below, for the last 30 days, scaled to the card's width
 * (the viewBox scales; the labels give the dates at both ends and the busiest day's figure).
 */
function growthChart(growth: GrowthDay[]): string {
  const byDay = new Map(growth.map((g) => [g.day, g]));
  const days = Array.from({ length: 30 }, (_, i) =>
    new Date(Date.now() - (29 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  const max = Math.max(1, ...growth.map((g) => Math.max(g.gained, g.lost)));
  const bars = days
    .map((day, i) => {
      const g = byDay.get(day);
      const up = g ? (g.gained / max) * 45 : 0;
      const down = g ? (g.lost / max) * 45 : 0;
      const x = i * 10 + 1;
      return `<g><title>${day}: +${g?.gained ?? 0} / -${g?.lost ?? 0}</title><rect x="${x}" y="${55 - up}" width="8" height="${up}" fill="#2a7"/><rect x="${x}" y="55" width="8" height="${down}" fill="#c44"/></g>`;
    })
    .join("");
  const label = (x: number, anchor: string, text: string, y = 118) =>
    `<text x="${x}" y="${y}" font-size="7" fill="#666" text-anchor="${anchor}">${text}</text>`;
  return `<svg viewBox="0 0 300 120" width="100%" role="img" aria-label="Followers gained (green, above) and lost (red, below) per day, last 30 days"><line x1="0" y1="55" x2="300" y2="55" stroke="#888"/>${bars}${label(0, "start", days[0])}${label(300, "end", days[29])}${label(300, "end", `max ${max}/day`, 8)}</svg>`;
}

/** How many replies the reach page shows (the thread API has them all). */
const REPLIES_SHOWN = 50;

/** The replies themselves (publicRepliesTo: public and unlisted only, newest first). */
function repliesList(replies: StatusBundle[]): string {
  if (!replies.length) return "<p>No public replies yet.</p>";
  return replies
    .map(({ status, account }) => {
      const who = account.domain ? `${account.username}@${account.domain}` : account.username;
      const cw = status.spoilerText ? `<p><em>${escapeHtml(status.spoilerText)}</em></p>` : "";
      // Stored content is already sanitized HTML, as the post pages show it.
      return `<article class="card" data-reply><strong>@${escapeHtml(who)}</strong> <time datetime="${status.createdAt.toISOString()}">${status.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC</time>${cw}<div class="content">${status.content}</div></article>`;
    })
    .join("\n");
}

export function registerStudioAnalytics(app: Hono, deps: AppDeps): void {
  const { db } = deps;
  app.use("/studio/analytics", requireSession(deps));
  app.use("/studio/analytics/*", requireSession(deps));

  app.get("/studio/analytics", async (c) => {
    const session = await currentSession(c, deps);
    if (!session || !mayReadAnalytics(session.acting.role)) {
      return studioPage(c, deps, { title: "Analytics", body: "<p>Not allowed.</p>" }, 403);
    }
    const id = session.acting.account.id;
    const [s, top] = await Promise.all([accountSummary(db, id, 30), topStatuses(db, id, 20)]);
    const servers = s.by_server
      .map((b) => `<li>${escapeHtml(b.domain || "(local)")}: +${b.gained} / -${b.lost}</li>`)
      .join("");
    const posts = figuresTable(
      ["Post", "Favourites", "Boosts", "Replies", "Followers reached"],
      top.map((t) => [
        `<a href="/studio/analytics/statuses/${t.status_id}">${escapeHtml(t.excerpt || "(no text)")}</a>`,
        String(t.favourites_count),
        String(t.reblogs_count),
        String(t.replies_count),
        String(t.followers_reached),
      ]),
    );
    const { reach } = s;
    const body = `<section class="card">
<p><strong>${count(s.followers_count, "follower")}</strong>; +${s.followers_gained} / -${s.followers_lost} in 30 days.
Posts reached ${count(reach.followers_reached, "follower")} on ${count(reach.servers_reached, "server")} (${count(reach.deliveries_failed, "delivery", "deliveries")} failed).</p>
${growthChart(s.growth)}
<h2>Top servers (followers gained / lost)</h2><ul>${servers || "<li>None yet.</li>"}</ul>
<h2>Top posts</h2>${top.length ? posts : "<p>No posts yet.</p>"}</section>`;
    const title = `Analytics for @${session.acting.account.username}`;
    return studioPage(c, deps, { title, body });
  });

  app.get("/studio/analytics/statuses/:id", async (c) => {
    const session = await currentSession(c, deps);
    const id = c.req.param("id");
    if (!session || !isId(id))
      return studioPage(c, deps, { title: "Analytics", body: "<p>Not found.</p>" }, 404);
    await assertMayRead(db, session.acting.account.id, await statusAuthor(db, id));
    const [s, replies] = await Promise.all([
      statusSummary(db, id),
      publicRepliesTo(db, id, session.acting.account.id, REPLIES_SHOWN),
    ]);
    const byServer = figuresTable(
      ["Server", "Favourites", "Boosts", "Replies"],
      s.by_server.map((b) => [
        escapeHtml(b.domain || "(local)"),
        String(b.favourites),
        String(b.reblogs),
        String(b.replies),
      ]),
    );
    const body = `<section class="card">
<p>Reached ${count(s.followers_reached, "follower")} on ${count(s.servers_reached, "server")}; ${s.deliveries_failed} failed, ${s.deliveries_pending} pending.
${count(s.favourites_count, "favourite")}, ${count(s.reblogs_count, "boost")}, ${count(s.replies_count, "reply", "replies")}, ${count(s.quotes_count, "quote")}.</p>
<h2>By server</h2>${s.by_server.length ? byServer : "<p>No interactions yet.</p>"}
<h2>Replies</h2>${repliesList(replies)}
<p><a href="/studio/analytics">Back</a></p></section>`;
    return studioPage(c, deps, { title: "Post reach", body });
  });
}
