/**
 * In a real browser (Debian's chromium through playwright-core): an empty server's front page
 * leads to the setup page, which makes the first admin and lands on /admin; then, under
 * approval, a newcomer signs up on /auth/sign_up and is told the account is pending, and the
 * sign-in page says the same instead of "wrong password". The server listens on a real port
 * so the browser's Origin and cookies are those of PUBLIC_URL.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setRegistrationMode } from "../../src/services/accounts/registrations.ts";
import { type BrowserTern, CHROMIUM, haveChromium, startBrowserTern } from "../helpers/browser.ts";
import type { TestTern } from "../helpers/tern.ts";

if (!haveChromium)
  console.warn(`Skipping the sign-up browser tests: no ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!haveChromium)("setup and sign-up in a browser", () => {
  let site: BrowserTern;
  let t: TestTern;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    site = await startBrowserTern();
    ({ t, browser, origin: base } = site);
  }, 60_000);
  afterAll(() => site?.close());

  it("makes the first admin on the setup page and lands on /admin", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.getByLabel("Username").fill("owner");
    await page.getByLabel("Display name (optional)").fill("The Owner");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
    await page.getByLabel("Password again").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.waitForURL(`${base}/admin`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Dashboard");
    // Set up once: the page is gone.
    expect((await page.goto(`${base}/setup`))?.status()).toBe(404);
  });

  it("signs a newcomer up under approval and tells them the account is pending", async () => {
    await setRegistrationMode(t.database.db, "approval", "Tell us a little about yourself.");
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/auth/sign_up`);
    await page.getByText("Tell us a little about yourself.").waitFor();
    await page.getByLabel("Username").fill("newbie");
    await page.getByLabel("Password", { exact: true }).fill("another good password");
    await page.getByLabel("Password again").fill("another good password");
    await page.getByLabel("Why do you want to join?").fill("My friends are here");
    await page.getByLabel("I agree to the rules of this server").check();
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByText("Your account is pending approval.").waitFor();
    await page.goto(`${base}/auth/sign_in`);
    await page.getByLabel("Username").fill("newbie");
    await page.getByLabel("Password").fill("another good password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "pending approval" }).waitFor();
  });
});
