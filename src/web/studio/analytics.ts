/**
 * /studio/analytics: the acting account's follower growth, top servers and top posts, and a
 * post's reach by server. Server-rendered (an inline SVG chart, no script); counts only.
 */
import type { Context, Hono } from "hono";
import type { AppDeps } from "../../deps.ts";
import { escapeHtml } from "../../lib/html.ts";
import { isId } from "../../lib/ids.ts";
import {
  accountSummary,
  assertMayRead,
  type GrowthDay,
  statusAuthor,
  statusSummary,
  topStatuses,
} from "../../services/analytics/read.ts";
import { mayReadAnalytics } from "../../services/teams/access.ts";
import { currentSession, requireSession } from "../session.ts";
import { studioPage } from "./layout.ts";

/** The studio frame (nav, acting account) around an analytics page. `body` is escaped HTML. */
function analyticsPage(c: Context, deps: AppDeps, title: string, body: string, status = 200) {
  return studioPage(c, deps, { title, body }, status);
}

/** Daily gains above the axis and losses below, for the last 30 days. */
function growthChart(growth: GrowthDay[]): string {
  const byDay = new Map(growth.map((g) => [g.day, g]));
  const days = Array.from({ length: 30 }, (_, i) =>
    new Date(Date.now() - (29 - i) * 86_400_000).toISOString().slice(0, 10),
  );
  const max = Math.max(1, ...growth.map((g) => Math.max(g.gained, g.lost)));
  const bars = days
    .map((day, i) => {
      const g = byDay.get(day);
      const up = g ? (g.gained / max) * 50 : 0;
      const down = g ? (g.lost / max) * 50 : 0;
      const x = i * 10;
      return `<g><title>${day}: +${g?.gained ?? 0} / -${g?.lost ?? 0}</title><rect x="${x}" y="${60 - up}" width="8" height="${up}" fill="#2a7"/><rect x="${x}" y="60" width="8" height="${down}" fill="#c44"/></g>`;
    })
    .join("");
  return `<svg viewBox="0 0 300 120" width="600" height="240" role="img" aria-label="Followers gained and lost per day"><line x1="0" y1="60" x2="300" y2="60" stroke="#888"/>${bars}</svg>`;
}

export function registerStudioAnalytics(app: Hono, deps: AppDeps): void {
  const { db } = deps;
  app.use("/studio/analytics", requireSession(deps));
  app.use("/studio/analytics/*", requireSession(deps));

  app.get("/studio/analytics", async (c) => {
    const session = await currentSession(c, deps);
    if (!session || !mayReadAnalytics(session.acting.role)) {
      return analyticsPage(c, deps, "Analytics", "<p>Not allowed.</p>", 403);
    }
    const id = session.acting.account.id;
    const [s, top] = await Promise.all([accountSummary(db, id, 30), topStatuses(db, id, 20)]);
    const servers = s.by_server
      .map((b) => `<li>${escapeHtml(b.domain || "(local)")}: +${b.gained} / -${b.lost}</li>`)
      .join("");
    const rows = top
      .map(
        (t) =>
          `<tr><td><a href="/studio/analytics/statuses/${t.status_id}">${escapeHtml(t.excerpt || "(no text)")}</a></td><td>${t.favourites_count}</td><td>${t.reblogs_count}</td><td>${t.replies_count}</td><td>${t.followers_reached}</td></tr>`,
      )
      .join("");
    const body = `<section class="card"><h1>Analytics for @${escapeHtml(session.acting.account.username)}</h1>
<p>${s.followers_count} followers; +${s.followers_gained} / -${s.followers_lost} in 30 days. Reached ${s.reach.followers_reached} followers on ${s.reach.servers_reached} server deliveries (${s.reach.deliveries_failed} failed).</p>
${growthChart(s.growth)}
<h2>Top servers</h2><ul>${servers || "<li>None yet.</li>"}</ul>
<h2>Top posts</h2><table><tr><th>Post</th><th>Favourites</th><th>Boosts</th><th>Replies</th><th>Followers reached</th></tr>${rows}</table></section>`;
    return analyticsPage(c, deps, "Analytics", body);
  });

  app.get("/studio/analytics/statuses/:id", async (c) => {
    const session = await currentSession(c, deps);
    const id = c.req.param("id");
    if (!session || !isId(id)) return analyticsPage(c, deps, "Analytics", "<p>Not found.</p>", 404);
    await assertMayRead(db, session.acting.account.id, await statusAuthor(db, id));
    const s = await statusSummary(db, id);
    const rows = s.by_server
      .map(
        (b) =>
          `<tr><td>${escapeHtml(b.domain || "(local)")}</td><td>${b.favourites}</td><td>${b.reblogs}</td><td>${b.replies}</td></tr>`,
      )
      .join("");
    const body = `<section class="card"><h1>Post reach</h1>
<p>Reached ${s.followers_reached} followers on ${s.servers_reached} servers; ${s.deliveries_failed} failed, ${s.deliveries_pending} pending. ${s.favourites_count} favourites, ${s.reblogs_count} boosts, ${s.replies_count} replies, ${s.quotes_count} quotes.</p>
<h2>By server</h2><table><tr><th>Server</th><th>Favourites</th><th>Boosts</th><th>Replies</th></tr>${rows}</table>
<p><a href="/studio/analytics">Back</a></p></section>`;
    return analyticsPage(c, deps, "Post reach", body);
  });
}
