import { existsSync } from "node:fs";
import { type ServerType, serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { startTestTern, type TestTern } from "./tern.ts";

/** Debian's chromium, which CI installs; browser tests skip (and say so) where it is absent. */
export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

export interface BrowserTern {
  t: TestTern;
  /** The origin the browser uses, which is also the server's PUBLIC_URL (forms check Origin). */
  origin: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * An in-process Tern served on a real loopback port, and a headless chromium. The port is bound
 * first (by the kernel's choice) and the app attached once it exists, so nothing can take the
 * port between choosing it and listening on it.
 */
export async function startBrowserTern(env: Record<string, string> = {}): Promise<BrowserTern> {
  let app: TestTern["app"] | undefined;
  const server: ServerType = serve({
    fetch: (req) => (app ? app.fetch(req) : new Response("starting", { status: 503 })),
    port: 0,
    hostname: "127.0.0.1",
  });
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  const t = await startTestTern({ PUBLIC_URL: origin, ...env });
  app = t.app;
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  return {
    t,
    origin,
    browser,
    async close() {
      await browser.close();
      server.close();
      await t.close();
    },
  };
}

/**
 * A new page (10 s default timeout) whose console errors and uncaught page errors are collected
 * in `problems`, for a test to assert empty at its end.
 */
export async function watchedPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const problems: string[] = [];
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on("console", (m) => {
    // The browser's own favicon probe (Tern serves none yet) is not the page's error.
    if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico"))
      problems.push(`console: ${m.text()} ${m.location().url}`);
  });
  page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
  return { page, problems };
}

/** Opens `path` signed out, signs in as `username` on the form it leads to, and waits to be back. */
export async function signInAt(page: Page, origin: string, path: string, username: string) {
  await page.goto(`${origin}${path}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${origin}${path}`);
}
