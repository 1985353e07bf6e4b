import { parentPort, workerData } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

/**
 * The page benches' ceiling: bare Hono answering fixed JSON bytes, in a worker thread, so it
 * runs beside the bench's client as Tern's own process does and the two figures compare.
 */
const { body, port } = workerData as { body: Uint8Array; port: number };
const bytes = Buffer.from(body);
const app = new Hono().get("/", (c) => c.body(bytes, 200, { "content-type": "application/json" }));
serve({ fetch: app.fetch, port }, () => parentPort!.postMessage("listening"));
