import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { accessTokens } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { createLocalAccount } from "../../src/services/accounts/accounts.ts";
import { createEmptyPostgresDatabase } from "../helpers/db.ts";
import { freePort, type ServerProcess, startServer } from "../helpers/process.ts";
import { SseReader, WsReader } from "../helpers/streams.ts";

/**
 * Scale-out: the streaming sockets are held by one web process while the post is written by
 * another and fanned out by a worker in a third. Only LISTEN/NOTIFY through PostgreSQL connects
 * them, so PostgreSQL only (PGlite is one process's database).
 */
const pg = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!pg)("live events across processes", () => {
  const running: ServerProcess[] = [];
  let drop: () => Promise<void>;
  let holder: ServerProcess;
  let writer: ServerProcess;
  let alice: string;
  let bob: string;
  let bobId: string;

  beforeAll(async () => {
    const db = (await createEmptyPostgresDatabase())!;
    drop = db.drop;
    const port = await freePort();
    const env = {
      DATABASE_URL: db.url,
      PUBLIC_URL: `http://localhost:${port}`,
      ALLOW_PRIVATE_ADDRESSES: "true",
      RATE_LIMITS: "false",
    };
    // The first process migrates; the others start on the migrated database side by side.
    holder = await startServer({ ...env, PORT: String(port), NODE_ROLE: "web" });
    const started = Promise.all([
      startServer({ ...env, NODE_ROLE: "web" }),
      startServer({ ...env, NODE_ROLE: "worker" }),
    ]);
    // Accounts and tokens written directly (two CLI processes each would cost seconds).
    const database = await openDatabase({ databaseUrl: db.url, dataDir: "", maxConnections: 1 });
    const made = [];
    for (const username of ["alice", "bob"]) {
      const account = await createLocalAccount(database.db, env.PUBLIC_URL, {
        username,
        password: "correct horse battery staple",
      });
      const token = randomBytes(32).toString("base64url");
      await database.db.insert(accessTokens).values({
        id: newId(),
        tokenHash: createHash("sha256").update(token).digest("hex"),
        accountId: account.id,
        scopes: "read write follow",
      });
      made.push({ id: account.id, token });
    }
    await database.close();
    [alice, bob] = made.map((m) => m.token);
    bobId = made[1].id;
    const [web2, worker] = await started;
    writer = web2;
    running.push(holder, writer, worker);
  }, 90_000);
  afterAll(async () => {
    for (const p of running) await p.kill();
    await drop?.();
  });

  const api = (base: string, token: string, path: string, json?: unknown) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(json ?? {}),
    });

  it("a post written through one web process and fanned out by the worker reaches sockets held by another", async () => {
    expect((await api(holder.httpUrl, alice, `/api/v1/accounts/${bobId}/follow`)).status).toBe(200);

    const ws = new WsReader(`${holder.httpUrl.replace("http", "ws")}/api/v1/streaming`, alice);
    await ws.opened();
    ws.subscribe("user");
    ws.subscribe("public:local");
    await ws.synced();
    const sse = await SseReader.open(
      `${holder.httpUrl}/api/v1/streaming/user?access_token=${alice}`,
    );
    try {
      const started = Date.now();
      const res = await api(writer.httpUrl, bob, "/api/v1/statuses", {
        status: "across processes",
      });
      const posted = (await res.json()) as { id: string };
      // public:local comes from the writer's transaction; user from the worker's fan-out.
      const local = await ws.next((m) => m.stream?.[0] === "public:local" && m.event === "update");
      const home = await ws.next((m) => m.stream?.[0] === "user" && m.event === "update");
      for (const m of [local, home]) expect(JSON.parse(m.payload!).id).toBe(posted.id);
      expect(JSON.parse((await sse.next((e) => e.event === "update")).data).id).toBe(posted.id);
      // Workers are woken by NOTIFY too: nothing here waits for a poll.
      expect(Date.now() - started).toBeLessThan(5_000);

      await fetch(`${writer.httpUrl}/api/v1/statuses/${posted.id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${bob}` },
      });
      const del = await ws.next((m) => m.event === "delete");
      expect(del.payload).toBe(posted.id);
    } finally {
      ws.close();
      sse.close();
    }
  });
});
