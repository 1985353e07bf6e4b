/**
 * What streaming costs: idle sockets on one process (server heap per socket), and the time from
 * a post's commit to its event on every one of `sockets` open WebSockets.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/streaming.ts [sockets=1000] [posts=5]
 *
 * PostgreSQL only; a fresh database is created next to DATABASE_URL's and dropped afterwards.
 * One Tern process (role all) serves; the clients run in a worker thread, so the server's heap
 * is measured apart from theirs. 100 readers follow one author; each reader holds
 * sockets/100 sockets subscribed to `user` and `public:local`. A post is made through the API
 * (timed from before the request, which commits inside it); reported: until the last socket has
 * the `public:local` event, and the `user` event (after the worker's fan-out); each rendered once.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import WebSocket from "ws";

interface Report {
  id: string;
  stream: string;
  at: number;
}

if (!isMainThread) {
  const { url, tokens, perToken } = workerData as {
    url: string;
    tokens: string[];
    perToken: number;
  };
  const sockets: WebSocket[] = [];
  const seen = new Map<string, number>();
  const total = tokens.length * perToken;
  await Promise.all(
    tokens.flatMap((token) =>
      Array.from({ length: perToken }, async () => {
        const ws = new WebSocket(url, [token]);
        sockets.push(ws);
        await new Promise((r) => ws.once("open", r));
        ws.send(JSON.stringify({ type: "subscribe", stream: "user" }));
        ws.send(JSON.stringify({ type: "subscribe", stream: "public:local" }));
        ws.on("message", (data) => {
          const m = JSON.parse(String(data)) as {
            stream?: string[];
            event?: string;
            payload?: string;
          };
          if (m.event !== "update" || !m.payload) return;
          const id = (JSON.parse(m.payload) as { id: string }).id;
          const key = `${m.stream?.[0]} ${id}`;
          const n = (seen.get(key) ?? 0) + 1;
          seen.set(key, n);
          if (n === total)
            parentPort!.postMessage({
              id,
              stream: m.stream?.[0] ?? "",
              at: Date.now(),
            } satisfies Report);
        });
      }),
    ),
  );
  // Subscriptions are read in order: give the server a moment to have read them all.
  await new Promise((r) => setTimeout(r, 500));
  parentPort!.postMessage("ready");
  parentPort!.on("message", (m) => {
    if (m === "close") for (const ws of sockets) ws.close();
  });
} else {
  const { serve } = await import("@hono/node-server");
  const { default: postgres } = await import("postgres");
  const { postgresArgs } = await import("../src/db/postgres-url.ts");
  const { loadConfig } = await import("../src/config/index.ts");
  const { accessTokens } = await import("../src/db/schema/index.ts");
  const { newId } = await import("../src/lib/ids.ts");
  const { assemble } = await import("../src/server.ts");
  const { createLocalAccount } = await import("../src/services/accounts/accounts.ts");
  const { followAccount } = await import("../src/services/follows/follows.ts");
  const { attachWebSocket } = await import("../src/streaming/websocket.ts");
  const { freePort } = await import("../test/helpers/process.ts");

  const socketsWanted = Number(process.argv[2] ?? 1000);
  const posts = Number(process.argv[3] ?? 5);
  const readersCount = 100;
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("bench/streaming.ts needs DATABASE_URL (a PostgreSQL server)");
  const name = `tern_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(...postgresArgs(base, { max: 1, onnotice: () => {} }));
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const port = await freePort();
  const publicUrl = `http://localhost:${port}`;
  const config = loadConfig({
    PUBLIC_URL: publicUrl,
    PORT: String(port),
    ALLOW_PRIVATE_ADDRESSES: "true",
    RATE_LIMITS: "false",
    DATABASE_URL: url.toString(),
  });
  const tern = await assemble(config, { queueOptions: { pollMs: 1000 } });
  const server = serve({ fetch: tern.app.fetch, port });
  const detach = attachWebSocket(server as Server, tern.streaming!, tern.database.db);
  const db = tern.database.db;
  let worker: Worker | undefined;
  try {
    const tokenFor = async (accountId: string) => {
      const token = randomBytes(32).toString("base64url");
      await db.insert(accessTokens).values({
        id: newId(),
        tokenHash: createHash("sha256").update(token).digest("hex"),
        accountId,
        scopes: "read write follow",
      });
      return token;
    };
    const password = "correct horse battery staple";
    const author = await createLocalAccount(db, publicUrl, { username: "author", password });
    const authorToken = await tokenFor(author.id);
    const tokens: string[] = [];
    for (let i = 0; i < readersCount; i++) {
      const reader = await createLocalAccount(db, publicUrl, { username: `r${i}`, password });
      await followAccount(db, reader, author);
      tokens.push(await tokenFor(reader.id));
    }
    const perToken = Math.ceil(socketsWanted / readersCount);
    const total = perToken * readersCount;

    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    worker = new Worker(new URL(import.meta.url), {
      workerData: { url: `ws://127.0.0.1:${port}/api/v1/streaming`, tokens, perToken },
    });
    const reports: Report[] = [];
    const waiters: (() => void)[] = [];
    await new Promise<void>((resolve) => {
      worker!.on("message", (m) => {
        if (m === "ready") return resolve();
        reports.push(m as Report);
        for (const w of waiters.splice(0)) w();
      });
    });
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const rssAfter = process.memoryUsage().rss;
    console.log(`${total} sockets open on one process (hub holds ${tern.streaming!.size})`);
    console.log(
      `server heap per socket: ${((heapAfter - heapBefore) / total / 1024).toFixed(1)} KiB` +
        ` (process RSS, clients' thread included: +${((rssAfter - rssBefore) / 1048576).toFixed(0)} MiB)`,
    );

    const waitFor = async (id: string, stream: string) => {
      for (;;) {
        const r = reports.find((x) => x.id === id && x.stream === stream);
        if (r) return r.at;
        await new Promise<void>((res) => waiters.push(res));
      }
    };
    const local: number[] = [];
    const home: number[] = [];
    for (let i = 0; i < posts; i++) {
      const sent = Date.now();
      const res = await fetch(`${publicUrl}/api/v1/statuses`, {
        method: "POST",
        headers: { authorization: `Bearer ${authorToken}`, "content-type": "application/json" },
        body: JSON.stringify({ status: `post ${i}` }),
      });
      const { id } = (await res.json()) as { id: string };
      // From before the request: the commit is inside it, so this bounds commit -> event.
      local.push((await waitFor(id, "public:local")) - sent);
      home.push((await waitFor(id, "user")) - sent);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `post request -> event on all ${total} sockets, median of ${posts}: public:local ${median(local)} ms, user ${median(home)} ms`,
    );
    console.log(`  public:local ${local.join(", ")} ms; user ${home.join(", ")} ms`);
  } finally {
    worker?.postMessage("close");
    await worker?.terminate();
    detach();
    await tern.streaming?.stop();
    await new Promise<void>((r) => server.close(() => r()));
    await tern.worker?.stop();
    await tern.database.close();
    await admin.unsafe(`drop database ${name} with (force)`);
    await admin.end();
  }
}
