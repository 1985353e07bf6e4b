import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { createRestAPIClient } from "masto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { png } from "../helpers/images.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/** masto.js, as a real client library, uploads a photo with alt text and focus and posts it. */
let t: TestTern;
let server: ServerType;
let url: string;
let token: string;
beforeAll(async () => {
  t = await startTestTern({ DATA_DIR: mkdtempSync(join(tmpdir(), "tern-masto-")) });
  token = (await t.user("alice")).token;
  server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

it("uploads with alt text and focus, posts it and reads it back from the home timeline", async () => {
  const masto = createRestAPIClient({ url, accessToken: token });
  const media = await masto.v2.media.create({
    file: new Blob([(await png(120, 80)) as Uint8Array<ArrayBuffer>], { type: "image/png" }),
    description: "A green rectangle",
    focus: "0.25,-0.5",
  });
  expect(media.type).toBe("image");
  const status = await masto.v1.statuses.create({ status: "Look", mediaIds: [media.id] });
  expect(status.mediaAttachments.map((m) => m.id)).toEqual([media.id]);
  const seen = await eventually(async () => {
    const home = await masto.v1.timelines.home.list();
    return home.find((s) => s.id === status.id);
  });
  expect(seen.mediaAttachments[0]).toMatchObject({
    description: "A green rectangle",
    meta: { focus: { x: 0.25, y: -0.5 }, original: { width: 120, height: 80 } },
  });
});
