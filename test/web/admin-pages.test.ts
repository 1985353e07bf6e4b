/**
 * The admin pages in a real browser (Debian's chromium through playwright-core): an admin signs
 * in, reads the dashboard's queue depth and failing hosts, suspends a domain on /admin/domains,
 * and changes the server's name, registration mode, rules and thumbnail on /admin/settings; the
 * instance API shows the changes at once.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryHosts, jobs, localUsers } from "../../src/db/schema/index.ts";
import { enqueueJobAt } from "../../src/services/jobs.ts";
import { type BrowserTern, CHROMIUM, haveChromium, startBrowserTern } from "../helpers/browser.ts";
import { png } from "../helpers/images.ts";
import type { TestTern } from "../helpers/tern.ts";

if (!haveChromium) console.warn(`Skipping the admin page tests: no chromium at ${CHROMIUM}`);

/** The page after a form POST, as slow as a loaded CI machine makes it (the default is 1 s). */
const POLL = { timeout: 30_000 };

let site: BrowserTern;
let t: TestTern;
let page: Page;
let origin: string;

describe.skipIf(!haveChromium)("the admin pages in a browser", () => {
  beforeAll(async () => {
    // The pages check the Origin of every POST against PUBLIC_URL: the browser's must match.
    site = await startBrowserTern({ DATA_DIR: mkdtempSync(join(tmpdir(), "tern-admin-pages-")) });
    ({ t, origin } = site);
    const root = await t.user("chief");
    const { db } = t.database;
    await db
      .update(localUsers)
      .set({ role: "admin" })
      .where(eq(localUsers.accountId, root.account.id));
    // Work the dashboard must show: two jobs for later, one failed waiting to retry, a dead host.
    const later = new Date(Date.now() + 3_600_000);
    await enqueueJobAt(db, { type: "poll.close", pollId: "1" }, later);
    await enqueueJobAt(db, { type: "poll.close", pollId: "2" }, later);
    await db
      .insert(jobs)
      .values({ queue: "tern", payload: {}, runAt: later, attempts: 2, lastError: "boom" });
    await db.insert(deliveryHosts).values({
      host: "down.example",
      failureCount: 7,
      lastFailureAt: new Date(),
      unreachableSince: new Date(Date.now() - 3 * 86_400_000),
      lastError: "connect ECONNREFUSED",
    });
    page = await site.browser.newPage();
  }, 120_000);
  afterAll(() => site?.close());

  it("signs the admin in and shows the queue depth and the failing hosts", async () => {
    await page.goto(`${origin}/admin`);
    expect(new URL(page.url()).pathname).toBe("/auth/sign_in");
    await page.getByLabel("Username").fill("chief");
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${origin}/admin`);
    expect(await page.locator("#jobs-delayed").textContent()).toBe("2");
    expect(await page.locator("#jobs-failed").textContent()).toBe("1");
    expect(await page.locator("#users-total").textContent()).toBe("1");
    const hosts = await page.locator("#failing-hosts").textContent();
    expect(hosts).toContain("down.example");
    expect(hosts).toContain("since");
  }, 90_000);

  it("suspends a domain on /admin/domains", async () => {
    await page.goto(`${origin}/admin/domains`);
    await page.getByLabel("Domain").first().fill("evil.example");
    await page.getByLabel("Severity").selectOption("suspend");
    await page.getByLabel("Obfuscate the domain in the public list").check();
    await page.getByLabel("Public comment").fill("harassment");
    await page.getByRole("button", { name: "Block", exact: true }).click();
    await expect
      .poll(() => page.getByRole("status").textContent(), POLL)
      .toContain("Blocked evil.example (suspend)");
    expect(await page.locator("#domain-blocks").textContent()).toContain("evil.example");
    const listed = await (await fetch(`${origin}/api/v1/instance/domain_blocks`)).json();
    expect(listed).toContainEqual(
      expect.objectContaining({
        domain: "e**l.example",
        severity: "suspend",
        comment: "harassment",
      }),
    );
  }, 90_000);

  it("changes the name, registration mode, rules and thumbnail; the instance API shows them", async () => {
    await page.goto(`${origin}/admin/settings`);
    await page.getByLabel("Server name").fill("Ternary Test Server");
    await page.getByLabel("Short description").fill("A server for tests");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByRole("status").textContent(), POLL).toContain("Saved.");
    await page.getByLabel("Approval: sign-ups wait for a moderator").check();
    await page.getByRole("button", { name: "Save registrations" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent(), POLL)
      .toContain("Registrations are now approval");
    await page.getByLabel("New rule").fill("Be kind");
    await page.getByRole("button", { name: "Add rule" }).click();
    await expect.poll(() => page.getByRole("status").textContent(), POLL).toContain("Rule added.");
    await page.getByLabel(/^Picture/).setInputFiles({
      name: "thumb.png",
      mimeType: "image/png",
      buffer: Buffer.from(await png(1600, 900)),
    });
    await page.getByRole("button", { name: "Upload" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent(), POLL)
      .toContain("Thumbnail uploaded.");

    const v2 = await (await fetch(`${origin}/api/v2/instance`)).json();
    expect(v2).toMatchObject({
      title: "Ternary Test Server",
      description: "A server for tests",
      registrations: { enabled: true, approval_required: true },
      rules: [expect.objectContaining({ text: "Be kind" })],
    });
    expect(v2.thumbnail.url).toMatch(new RegExp(`^${origin}/media/.+/thumbnail\\.(png|jpeg)$`));
    const picture = await fetch(v2.thumbnail.url);
    expect(picture.status).toBe(200);
    const v1 = await (await fetch(`${origin}/api/v1/instance`)).json();
    expect(v1).toMatchObject({
      title: "Ternary Test Server",
      approval_required: true,
      thumbnail: v2.thumbnail.url,
    });
  }, 90_000);
});
