import { existsSync } from "node:fs";
import { type ServerType, serve } from "@hono/node-server";
import { type Browser, chromium } from "playwright-core";
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
