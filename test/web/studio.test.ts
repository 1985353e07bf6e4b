/**
 * The studio through app.request: forms refuse a missing CSRF token, a team analyst acting for
 * an account gets a 403 page, the Preview button works without script, the per-account default
 * content type is what the API posts in when a client does not say, someone else's draft is a
 * 404, a too-early schedule is a 422 on the page, and studio posts land in the team audit log.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountAuditLog, accountMembers, webSessions } from "../../src/db/schema/index.ts";
import { createDraft } from "../../src/services/drafts/drafts.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";
import { webSignIn } from "../helpers/web-session.ts";

const form = { "content-type": "application/x-www-form-urlencoded" };
let t: TestTern;
let alice: { id: string };
let aliceToken: string;
let cookie: string;
let csrf: string;

const signIn = (username: string) => webSignIn(t, username);

const post = (path: string, fields: Record<string, string>, as = cookie) =>
  t.request(path, {
    method: "POST",
    headers: { ...form, cookie: as },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });

beforeAll(async () => {
  t = await startTestTern();
  ({ account: alice, token: aliceToken } = await t.user("alice"));
  cookie = await signIn("alice");
  const page = await t.request("/studio", { headers: { cookie } });
  expect(page.status).toBe(200);
  csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1];
}, 60_000);
afterAll(() => t?.close());

describe("studio", () => {
  it("sends a signed-out browser to sign in, and refuses a form without the CSRF token", async () => {
    const out = await t.request("/studio/drafts", { redirect: "manual" });
    expect(out.headers.get("location")).toBe("/auth/sign_in?next=%2Fstudio%2Fdrafts");
    const res = await post("/studio", { status: "hello", action: "post" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("This form expired");
    const preview = await post("/studio/preview", { status: "x", csrf_token: "wrong" });
    expect(preview.status).toBe(403);
    const statuses = await t.request(`/api/v1/accounts/${alice.id}/statuses`, {
      token: aliceToken,
    });
    expect(await statuses.json()).toEqual([]);
  });

  it("previews Markdown without script: the page comes back with the rendering", async () => {
    const res = await post("/studio", {
      csrf_token: csrf,
      action: "preview",
      status: "**bold** and [a link](https://example.com/) #studio",
      content_type: "text/markdown",
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toMatch(/<a href="https:\/\/example\.com\/"[^>]*>/);
    expect(html).toMatch(/tags\/studio/);
    // The text stays in the composer.
    expect(html).toContain("**bold** and [a link]");
    const fragment = await post("/studio/preview", {
      csrf_token: csrf,
      status: "*it*",
      content_type: "text/markdown",
    });
    expect(await fragment.text()).toContain("<em>it</em>");
  });

  it("keeps a default content type that the API honours, and logs studio posts", async () => {
    const set = await post("/studio/settings", {
      csrf_token: csrf,
      default_content_type: "text/markdown",
    });
    expect(set.status).toBe(303);
    expect(await (await t.request("/studio", { headers: { cookie } })).text()).toContain(
      '<option value="text/markdown" selected>Markdown</option>',
    );
    const api = await t.request("/api/v1/statuses", {
      method: "POST",
      token: aliceToken,
      json: { status: "**api default**" },
    });
    expect(((await api.json()) as { content: string }).content).toContain(
      "<strong>api default</strong>",
    );
    const posted = await post("/studio", { csrf_token: csrf, action: "post", status: "_hi_" });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain("Posted:");
    const log = await t.database.db
      .select()
      .from(accountAuditLog)
      .where(eq(accountAuditLog.accountId, alice.id));
    expect(log.map((r) => [r.action, r.actorAccountId])).toEqual([["status.create", alice.id]]);
    expect(log[0].statusId).not.toBeNull();
  });

  it("shows a too-early schedule as a 422 on the page, keeping the text", async () => {
    const soon = new Date(Date.now() + 60_000).toISOString().slice(0, 16);
    const res = await post("/studio", {
      csrf_token: csrf,
      action: "schedule",
      status: "not yet",
      scheduled_at: soon,
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("must be in the future");
    expect(html).toContain(">not yet</textarea>");
  });

  it("saves a draft and reopens it in the composer", async () => {
    const saved = await post("/studio", { csrf_token: csrf, action: "draft", status: "draft one" });
    expect(saved.status).toBe(200);
    const id = /name="draft_id" value="(\d+)"/.exec(await saved.text())![1];
    const open = await t.request(`/studio?draft=${id}`, { headers: { cookie } });
    const html = await open.text();
    expect(open.status, html).toBe(200);
    expect(html).toContain(">draft one</textarea>");
  });

  it("answers 404 for someone else's draft and scheduled post", async () => {
    const { account: bob } = await t.user("bob");
    const draft = await createDraft(t.database.db, bob.id, { status: "bob's secret" });
    const open = await t.request(`/studio?draft=${draft.id}`, { headers: { cookie } });
    expect(open.status).toBe(404);
    expect(await open.text()).not.toContain("bob's secret");
    expect((await post(`/studio/drafts/${draft.id}/delete`, { csrf_token: csrf })).status).toBe(
      404,
    );
    expect((await post(`/studio/scheduled/${draft.id}/cancel`, { csrf_token: csrf })).status).toBe(
      404,
    );
  });

  it("gives an analyst acting for a team account a 403 page", async () => {
    const { account: brand } = await t.user("brand");
    const { account: carol } = await t.user("carol");
    const db = t.database.db;
    await db
      .insert(accountMembers)
      .values({ accountId: brand.id, memberAccountId: carol.id, role: "analyst" });
    const carolCookie = await signIn("carol");
    await db
      .update(webSessions)
      .set({ actingAccountId: brand.id })
      .where(eq(webSessions.accountId, carol.id));
    const page = await t.request("/studio", { headers: { cookie: carolCookie } });
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain("@brand");
    const settings = await t.request("/settings/password", { headers: { cookie: carolCookie } });
    const carolCsrf = /name="csrf_token" value="([^"]+)"/.exec(await settings.text())?.[1];
    expect(carolCsrf).toBeDefined();
    const res = await post(
      "/studio",
      { csrf_token: carolCsrf!, action: "post", status: "as the brand" },
      carolCookie,
    );
    expect(res.status).toBe(403);
    expect((await t.request("/studio/drafts", { headers: { cookie: carolCookie } })).status).toBe(
      403,
    );
  });
});
