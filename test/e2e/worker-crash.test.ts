import { afterAll, beforeAll, expect, it } from "vitest";
import { FakePeer } from "../helpers/fake-peer.ts";
import {
  freePort,
  type ProcessDatabase,
  processDatabase,
  runCli,
  type ServerProcess,
  startServer,
} from "../helpers/process.ts";
import { eventually } from "../helpers/tern.ts";

/**
 * A Tern process killed (SIGKILL) while it is delivering a post loses nothing: the delivery job's
 * lease runs out and the restarted worker delivers it.
 */
let peer: FakePeer;
let db: ProcessDatabase;
let server: ServerProcess | undefined;
let env: Record<string, string>;
let token: string;

beforeAll(async () => {
  peer = await new FakePeer().start();
  db = await processDatabase();
  const port = String(await freePort());
  env = {
    ...db.env,
    PORT: port,
    PUBLIC_URL: `http://localhost:${port}`,
    ALLOW_PRIVATE_ADDRESSES: "true",
    JOB_LEASE_SECONDS: "2",
  };
  await runCli(["account", "create", "alice", "--password", "correct horse battery staple"], env);
  token = await runCli(["token", "create", "alice"], env);
  server = await startServer(env);
}, 120_000); // two CLI runs and a server start: over a minute on a loaded machine

afterAll(async () => {
  await server?.kill("SIGKILL");
  await peer.stop();
  await db.drop();
});

it("a delivery cut off by a killed process is delivered after restart", async () => {
  const base = env.PUBLIC_URL;
  const follow = await peer.send(`${base}/users/alice/inbox`, {
    id: `${peer.actorId}#follows/1`,
    type: "Follow",
    actor: peer.actorId,
    object: `${base}/users/alice`,
  });
  expect(follow.status).toBe(202);
  await eventually(async () => peer.deliveries.find((d) => d.activity.type === "Accept"), 20_000);

  peer.hold = (activity) => activity.type === "Create";
  const res = await fetch(`${server!.httpUrl}/api/v1/statuses`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ status: "Delivered exactly when it can be" }),
  });
  const post = (await res.json()) as { uri: string };
  expect(res.status).toBe(200);

  // The Create is on the wire and unanswered: kill the process mid-delivery.
  await eventually(async () => peer.deliveries.find((d) => d.activity.type === "Create"), 20_000);
  await server!.kill("SIGKILL");
  peer.release();

  server = await startServer(env);
  const delivered = await eventually(
    async () => peer.deliveries.find((d) => d.activity.type === "Create" && d.answered),
    30_000,
  );
  expect((delivered.activity.object as { id: string }).id).toBe(post.uri);
  expect(peer.deliveries.filter((d) => d.activity.type === "Create").length).toBe(2);
});
