/**
 * One login, many accounts, in a real browser (Debian's chromium through playwright-core),
 * signed in once: a brand account created from /studio/accounts, a member added on its team
 * page, the studio switched to the brand, a Markdown post previewed in place and posted, one
 * scheduled, the post favourited and the brand followed by another local account,
 * /studio/analytics opened as the brand (its screenshot saved under the temp
 * directory, the path printed), and the team log naming the login for each. No console errors.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrowserTern,
  CHROMIUM,
  haveChromium,
  signInAt,
  startBrowserTern,
  watchedPage,
} from "../helpers/browser.ts";

if (!haveChromium)
  console.warn(`Skipping the studio teams browser test: no ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!haveChromium)("accounts and teams in the studio, in a browser", () => {
  let site: BrowserTern;
  let page: Page;
  let helperToken: string;
  let problems: string[];

  beforeAll(async () => {
    site = await startBrowserTern();
    await site.t.user("maker");
    helperToken = (await site.t.user("helper")).token;
    ({ page, problems } = await watchedPage(site.browser));
    await signInAt(page, site.origin, "/studio/accounts", "maker");
  }, 180_000);
  afterAll(() => site?.close());

  it("creates a brand account and adds a member on its team page", async () => {
    await page.getByLabel("Username", { exact: true }).fill("launchco");
    await page.getByLabel("Display name").fill("Launch Co");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/studio\/accounts\/\d+$/);
    expect(await page.locator("h1").textContent()).toBe("Team of @launchco");
    expect(await page.locator('tr[data-member="maker"]').textContent()).toContain("owner");

    const add = page.locator('form[action$="/members"]');
    await add.getByLabel("Username", { exact: false }).fill("helper");
    await add.getByLabel("Role").selectOption("analyst");
    await add.getByRole("button", { name: "Add member" }).click();
    await page.locator('tr[data-member="helper"]').waitFor();
    expect(await page.locator('tr[data-member="helper"]').textContent()).toContain("analyst");
  });

  it("switches to the brand, previews Markdown, posts and schedules as it", async () => {
    await page.getByRole("link", { name: "Accounts", exact: true }).click();
    await page.getByRole("button", { name: "Switch to @launchco" }).click();
    await page.waitForURL(`${site.origin}/studio`);
    expect(await page.locator("[data-acting]").textContent()).toContain("@launchco (owner)");

    const composer = page.locator("#composer");
    const text = page.locator('#composer textarea[name="status"]');
    await text.fill("**Launch day** at [Launch Co](https://example.com/)");
    await composer.getByLabel("Written in").selectOption("text/markdown");
    await page.getByRole("button", { name: "Preview" }).click();
    const preview = page.locator("#preview-body strong");
    await preview.waitFor();
    expect(await preview.textContent()).toBe("Launch day");
    await page.getByRole("button", { name: "Post now" }).click();
    await page.getByRole("status").filter({ hasText: "Posted:" }).waitFor();

    const at = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16);
    await text.fill("Part two tomorrow");
    await composer.getByLabel("Schedule at (UTC)").fill(at);
    await page.getByRole("button", { name: "Schedule" }).click();
    await page.getByRole("status").filter({ hasText: "Scheduled for" }).waitFor();
  });

  it("shows the brand's analytics, and the team log names the login", async () => {
    // The helper follows the brand and favourites its post, so analytics has figures to show.
    const api = (path: string, method = "GET") =>
      site.t.request(path, { method, token: helperToken }).then((r) => r.json());
    const brand = (await api("/api/v1/accounts/lookup?acct=launchco")) as { id: string };
    await api(`/api/v1/accounts/${brand.id}/follow`, "POST");
    const [launch] = (await api(`/api/v1/accounts/${brand.id}/statuses`)) as { id: string }[];
    await api(`/api/v1/statuses/${launch.id}/favourite`, "POST");

    await page.getByRole("link", { name: "Analytics", exact: true }).click();
    await page.waitForURL(`${site.origin}/studio/analytics`);
    expect(await page.locator("h1").textContent()).toBe("Analytics for @launchco");
    expect(await page.locator("main, body").first().textContent()).toContain("1 follower;");
    expect(await page.locator("table").textContent()).toContain("Launch day");
    const shot = join(tmpdir(), `tern-studio-analytics-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`Studio analytics screenshot (acting as @launchco): ${shot}`);

    await page.getByRole("link", { name: "Accounts", exact: true }).click();
    await page
      .locator('tr[data-account="launchco"]')
      .getByRole("link", { name: "Team and log" })
      .click();
    const log = page.locator("#log tbody");
    expect(await log.locator('tr[data-audit="status.create"]').textContent()).toContain("@maker");
    expect(await log.locator('tr[data-audit="status.schedule"]').textContent()).toContain("@maker");
    expect(await log.locator('tr[data-audit="member.add"]').textContent()).toContain(
      "added @helper as analyst",
    );
    expect(problems).toEqual([]);
  });
});
