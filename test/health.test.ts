import { expect, it } from "vitest";
import { startTestTern } from "./helpers/tern.ts";

it("GET /health answers 200 while the database answers, 503 once it does not", async () => {
  const t = await startTestTern();
  const ok = await t.request("/health");
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ status: "ok" });

  await t.worker?.stop();
  await t.database.close();
  const down = await t.request("/health");
  expect(down.status).toBe(503);
  expect((await down.json()).error).toMatch(/database/i);
});
