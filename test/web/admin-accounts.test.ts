/**
 * The admin pages in a real browser (Debian's chromium through playwright-core): an admin signs
 * in, approves a sign-up waiting in the queue and suspends another account, whose token then
 * stops working. The in-process app is served on a real port with PUBLIC_URL matching it, so
 * the session cookie and the Origin check see what a browser really sends.
 */
import { eq } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { accounts, localUsers } from "../../src/db/schema/index.ts";
import { setRole } from "../../src/services/accounts/roles.ts";
import { type BrowserTern, CHROMIUM, haveChromium, startBrowserTern } from "../helpers/browser.ts";
import type { TestTern } from "../helpers/tern.ts";

if (!haveChromium) console.warn(`Skipping the admin browser test: no ${CHROMIUM} (CI has it)`);

let site: BrowserTern;
let t: TestTern;
let browser: Browser;
let url: string;

beforeAll(async () => {
  if (!haveChromium) return;
  site = await startBrowserTern();
  ({ t, browser, origin: url } = site);
}, 60_000);
afterAll(() => site?.close());

it.skipIf(!haveChromium)(
  "an admin approves a pending sign-up and suspends an account",
  { timeout: 90_000 },
  async () => {
    await t.user("ada");
    await setRole(t.database.db, "ada", "admin");
    const { account: pen } = await t.user("pen");
    await t.database.db
      .update(localUsers)
      .set({ approved: false, signUpReason: "Birds!" })
      .where(eq(localUsers.accountId, pen.id));
    const vic = await t.user("vic");

    const page = await browser.newPage();
    await page.goto(`${url}/admin/accounts`);
    // Signed out: the sign-in page, which comes back here afterwards.
    await page.fill('input[name="username"]', "ada");
    await page.fill('input[name="password"]', "correct horse battery staple");
    await page.click('button[type="submit"]');
    await page.waitForURL(`${url}/admin/accounts`);

    const queue = page.locator("h2:has-text('Waiting for approval') + table");
    await queue.locator("a", { hasText: "@pen" }).click();
    await page.waitForURL(`${url}/admin/accounts/${pen.id}`);
    expect(await page.textContent("body")).toContain("Birds!");
    await page.click('button[value="approve"]');
    await page.waitForURL(/done=approve/);
    const [approved] = await t.database.db
      .select()
      .from(localUsers)
      .where(eq(localUsers.accountId, pen.id));
    expect(approved.approved).toBe(true);

    await page.goto(`${url}/admin/accounts?q=vic`);
    await page.locator("a", { hasText: "@vic" }).click();
    await page.click('button[value="suspend"]');
    await page.waitForURL(/done=suspend/);
    expect(await page.textContent("body")).toContain("suspended");
    const [suspended] = await t.database.db
      .select()
      .from(accounts)
      .where(eq(accounts.id, vic.account.id));
    expect(suspended.suspendedAt).not.toBeNull();
    const res = await t.request("/api/v1/accounts/verify_credentials", { token: vic.token });
    expect(res.status).toBe(401);
  },
);
