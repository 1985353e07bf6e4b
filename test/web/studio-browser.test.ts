/**
 * The studio in a real browser (Debian's chromium through playwright-core), signed in once:
 * Markdown previewed by the page's script, an image with alt text posted now (seen through the
 * API with its description and HTML), a post scheduled (listed on /studio/scheduled), a draft
 * saved, reopened and saved again. No console errors and no page errors throughout.
 */
import { writeFile } from "node:fs/promises";
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
import { png } from "../helpers/images.ts";

if (!haveChromium)
  console.warn(`Skipping the studio browser tests: no ${CHROMIUM} (apt-get install chromium)`);

interface ApiStatus {
  content: string;
  media_attachments: { description: string | null; type: string }[];
}

describe.skipIf(!haveChromium)("the studio in a browser", () => {
  let site: BrowserTern;
  let page: Page;
  let token: string;
  let accountId: string;
  let problems: string[];

  beforeAll(async () => {
    site = await startBrowserTern();
    const made = await site.t.user("writer");
    token = made.token;
    accountId = made.account.id;
    ({ page, problems } = await watchedPage(site.browser));
    await signInAt(page, site.origin, "/studio", "writer");
  }, 60_000);
  afterAll(() => site?.close());

  const composer = () => page.locator("#composer");
  // By name: a textarea's accessible name includes its text once it has some.
  const text = () => page.locator('#composer textarea[name="status"]');

  it("previews Markdown in place, then posts an image with alt text", async () => {
    expect(await page.locator("[data-acting]").textContent()).toContain("@writer");
    await composer()
      .getByLabel("Text", { exact: true })
      .fill("**Big news** from [us](https://example.com/) #launch");
    await composer().getByLabel("Written in").selectOption("text/markdown");
    await page.getByRole("button", { name: "Preview" }).click();
    const preview = page.locator("#preview-body");
    await preview.locator("strong").waitFor();
    expect(await preview.locator("strong").textContent()).toBe("Big news");
    expect(await preview.locator('a[href="https://example.com/"]').textContent()).toBe("us");
    // The script previewed in place: still the composer page, nothing posted.
    expect(new URL(page.url()).pathname).toBe("/studio");
    await page.screenshot({ path: "/tmp/studio-compose.png", fullPage: true });

    const image = join(tmpdir(), `studio-${process.pid}.png`);
    await writeFile(image, await png(64, 48));
    await composer().getByLabel("Image, video or audio").setInputFiles(image);
    await composer().getByLabel("Alt text").fill("A red square");
    await page.getByRole("button", { name: "Post now" }).click();
    await page.getByRole("status").filter({ hasText: "Posted:" }).waitFor();
    const res = await site.t.request(`/api/v1/accounts/${accountId}/statuses`, { token });
    const [status] = (await res.json()) as ApiStatus[];
    expect(status.content).toContain("<strong>Big news</strong>");
    expect(status.media_attachments).toMatchObject([
      { type: "image", description: "A red square" },
    ]);
  });

  it("schedules a post, which /studio/scheduled lists", async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16);
    await text().fill("Later, everyone");
    await composer().getByLabel("Schedule at (UTC)").fill(at);
    await page.getByRole("button", { name: "Schedule" }).click();
    await page.getByRole("status").filter({ hasText: "Scheduled for" }).waitFor();
    await page.getByRole("link", { name: "Scheduled" }).click();
    const row = page.locator("tr[data-scheduled]");
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("Later, everyone");
    expect(await row.textContent()).toContain(`${at.replace("T", " ")} UTC`);
  });

  it("saves a draft, reopens it in the composer and saves it again", async () => {
    await page.getByRole("link", { name: "Compose" }).click();
    await text().fill("Half a thought");
    await composer().getByLabel("Title (optional", { exact: false }).fill("Working title");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByRole("status").filter({ hasText: "Draft saved." }).waitFor();
    await page.getByRole("link", { name: "Drafts" }).click();
    await page.getByRole("link", { name: "Open" }).click();
    expect(await text().inputValue()).toBe("Half a thought");
    expect(await composer().getByLabel("Title (optional", { exact: false }).inputValue()).toBe(
      "Working title",
    );
    await text().fill("A whole thought");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.getByRole("status").filter({ hasText: "Draft saved." }).waitFor();
    await page.getByRole("link", { name: "Drafts" }).click();
    const rows = page.locator("tr[data-draft]");
    expect(await rows.count()).toBe(1);
    expect(await rows.textContent()).toContain("A whole thought");
    expect(problems).toEqual([]);
  });
});
