import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyPostgresDatabase } from "../helpers/db.ts";
import { FakePeer } from "../helpers/fake-peer.ts";
import { freePort, runCli, type ServerProcess, startServer } from "../helpers/process.ts";
import { eventually } from "../helpers/tern.ts";

/**
 * Several processes on one PostgreSQL database, as `docker compose --scale` runs them. PGlite is
 * one process's database, so these run only with TEST_DATABASE_URL.
 */
const pg = !!process.env.TEST_DATABASE_URL;

describe.skipIf(!pg)("processes sharing one PostgreSQL database", () => {
  const running: ServerProcess[] = [];
  const drops: (() => Promise<void>)[] = [];
  let peer: FakePeer;

  beforeAll(async () => {
    peer = await new FakePeer().start();
  });
  afterAll(async () => {
    for (const p of running) await p.kill("SIGKILL");
    await peer.stop();
    for (const drop of drops) await drop();
  });

  async function database() {
    const db = (await createEmptyPostgresDatabase())!;
    drops.push(db.drop);
    return db.url;
  }

  it("two processes starting together on an empty database both come up, migrating once", async () => {
    const url = await database();
    const env = { DATABASE_URL: url, PUBLIC_URL: "http://localhost:3999" };
    const both = await Promise.all([startServer(env), startServer(env)]);
    running.push(...both);
    for (const p of both) expect((await fetch(`${p.httpUrl}/health`)).status).toBe(200);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const applied = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    const tables =
      await sql`select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'accounts'`;
    await sql.end();
    const { readdirSync } = await import("node:fs");
    const files = readdirSync(new URL("../../drizzle", import.meta.url)).filter((f) =>
      f.endsWith(".sql"),
    );
    expect(applied[0].n).toBe(files.length);
    expect(tables[0].n).toBe(1);
  });

  it("a worker stopped with SIGTERM mid fan-out hands its deliveries back and another worker finishes them", async () => {
    const url = await database();
    const port = await freePort();
    const base = `http://localhost:${port}`;
    const env = {
      DATABASE_URL: url,
      PUBLIC_URL: base,
      ALLOW_PRIVATE_ADDRESSES: "true",
      JOB_LEASE_SECONDS: "30",
    };
    await runCli(["account", "create", "alice", "--password", "correct horse battery staple"], env);
    const token = await runCli(["token", "create", "alice"], env);
    const web = await startServer({ ...env, PORT: String(port), NODE_ROLE: "web" });
    const first = await startServer({ ...env, NODE_ROLE: "worker" });
    running.push(web, first);

    // Five followers, each with its own inbox: five separate deliveries.
    const followers = ["f1", "f2", "f3", "f4", "f5"];
    for (const name of followers) {
      const res = await peer.send(
        `${base}/users/alice/inbox`,
        {
          id: `${peer.actorIdOf(name)}#follow`,
          type: "Follow",
          actor: peer.actorIdOf(name),
          object: `${base}/users/alice`,
        },
        name,
      );
      expect(res.status).toBe(202);
    }
    await eventually(
      async () => peer.deliveries.filter((d) => d.activity.type === "Accept").length === 5,
      30_000,
    );

    peer.hold = (activity) => activity.type === "Create";
    const res = await fetch(`${web.httpUrl}/api/v1/statuses`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "To all five of you" }),
    });
    expect(res.status).toBe(200);
    const post = (await res.json()) as { uri: string };
    await eventually(async () => peer.deliveries.some((d) => d.activity.type === "Create"), 30_000);

    const started = Date.now();
    const code = await first.kill("SIGTERM");
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(first.output()).toContain("Handing back");

    peer.release();
    const second = await startServer({ ...env, NODE_ROLE: "worker" });
    running.push(second);
    await eventually(async () => {
      const done = new Set(
        peer.deliveries
          .filter(
            (d) =>
              d.activity.type === "Create" &&
              d.answered &&
              (d.activity.object as { id: string }).id === post.uri,
          )
          .map((d) => d.path),
      );
      return followers.every((f) => done.has(`/users/${f}/inbox`));
    }, 60_000);
  }, 120_000);
});
