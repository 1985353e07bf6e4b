import { eq } from "drizzle-orm";
import { createStreamingAPIClient } from "masto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { accessTokens, listAccounts, lists } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { createApp } from "../../src/services/oauth/apps.ts";
import { createAccessToken } from "../../src/services/oauth/tokens.ts";
import { FakePeer, idOf } from "../helpers/ap-fixtures.ts";
import { type ApiUser, postStatus, statusAction } from "../helpers/api-client.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { listen, SseReader, type WsEvent, WsReader } from "../helpers/streams.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;
let server: Awaited<ReturnType<typeof listen>>;
type User = Awaited<ReturnType<TestTern["user"]>>;
let alice: User;
let bob: User;
let carol: User;
const open: { close(): void }[] = [];

beforeAll(async () => {
  t = await startTestTern();
  server = await listen(t);
  [alice, bob, carol] = await Promise.all([t.user("alice"), t.user("bob"), t.user("carol")]);
  const res = await t.request(`/api/v1/accounts/${bob.account.id}/follow`, {
    method: "POST",
    token: alice.token,
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  for (const o of open) o.close();
  await server.close();
  await t.close();
});

async function socket(user: ApiUser, ...streams: string[]): Promise<WsReader> {
  const reader = new WsReader(`${server.ws}/api/v1/streaming`, user.token);
  open.push(reader);
  await reader.opened();
  for (const s of streams) reader.subscribe(s);
  await reader.synced();
  reader.messages.length = 0;
  return reader;
}

const statusOf = (m: WsEvent) => JSON.parse(m.payload ?? "{}") as { id: string; content: string };

/** The HTTP status a WebSocket upgrade is answered with, when it is refused. */
function refusedWith(url: string, protocols?: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("open", () => reject(new Error("upgraded")));
    ws.on("error", () => {});
  });
}

describe("streaming API", () => {
  it("answers its health check, and refuses a missing or bad token before upgrading", async () => {
    const health = await fetch(`${server.http}/api/v1/streaming/health`);
    expect(await health.text()).toBe("OK");
    expect(await refusedWith(`${server.ws}/api/v1/streaming`)).toBe(401);
    expect(await refusedWith(`${server.ws}/api/v1/streaming`, ["not-a-token"])).toBe(401);
    const push = await t.user("pushonly", { scopes: "push" });
    expect(await refusedWith(`${server.ws}/api/v1/streaming?access_token=${push.token}`)).toBe(401);
    expect((await SseReader.open(`${server.http}/api/v1/streaming/user`)).status).toBe(401);
  });

  it("sends a followed account's post to the user stream, over WebSocket and SSE", async () => {
    const ws = await socket(alice, "user");
    const sse = await SseReader.open(
      `${server.http}/api/v1/streaming/user?access_token=${alice.token}`,
    );
    open.push(sse);
    expect(sse.status).toBe(200);
    const posted = await postStatus(t, bob, "hello streams");
    const update = await ws.next((m) => m.event === "update");
    expect(update.stream).toEqual(["user"]);
    expect(statusOf(update)).toMatchObject({
      id: posted.id,
      content: expect.stringContaining("hello streams"),
    });
    const viaSse = await sse.next((e) => e.event === "update");
    expect(JSON.parse(viaSse.data).id).toBe(posted.id);
  });

  it("sends a favourite of alice's post as a notification, and a delete as delete", async () => {
    const ws = await socket(alice, "user");
    const sse = await SseReader.open(
      `${server.http}/api/v1/streaming/user/notification?access_token=${alice.token}`,
    );
    open.push(sse);
    const mine = await postStatus(t, alice, "like me");
    await statusAction(t, bob, mine.id, "favourite");
    const note = await ws.next((m) => m.event === "notification");
    expect(JSON.parse(note.payload!)).toMatchObject({
      type: "favourite",
      account: { id: bob.account.id },
      status: { id: mine.id },
    });
    const viaSse = await sse.next((e) => e.event === "notification");
    expect(JSON.parse(viaSse.data).type).toBe("favourite");

    const gone = await postStatus(t, bob, "short-lived");
    await ws.next((m) => m.event === "update" && statusOf(m).id === gone.id);
    const res = await t.request(`/api/v1/statuses/${gone.id}`, {
      method: "DELETE",
      token: bob.token,
    });
    expect(res.status).toBe(200);
    const del = await ws.next((m) => m.event === "delete");
    expect(del).toMatchObject({ stream: ["user"], payload: gone.id });
  });

  it("never sends a followers-only post to someone who does not follow its author", async () => {
    const follower = await socket(alice, "user");
    const stranger = await socket(carol, "user", "public", "public:local");
    const secret = await postStatus(t, bob, "for followers", "private");
    await follower.next((m) => m.event === "update" && statusOf(m).id === secret.id);
    const loud = await postStatus(t, bob, "for everyone #tern");
    // Events reach a process in order: once the public post is here, the secret one would be too.
    await stranger.next((m) => m.stream?.[0] === "public:local" && statusOf(m).id === loud.id);
    expect(stranger.messages.some((m) => m.payload?.includes(secret.id))).toBe(false);
    expect(stranger.messages.map((m) => m.stream?.[0]).sort()).toEqual(["public", "public:local"]);
  });

  it("sends a remote followed account's post (a signed Create from GoToSocial) and its edit", async () => {
    const gts = await FakePeer.start("gotosocial");
    open.push({ close: () => void gts.close() });
    await followAccepted(t, alice.account, gts.actorId);
    const ws = await socket(alice, "user", "public:remote");
    expect((await gts.deliver(t, "create-note-public")).status).toBe(202);
    const uri = idOf(gts.captureJson("create-note-public").object);
    const home = await ws.next((m) => m.stream?.[0] === "user" && m.event === "update");
    expect(JSON.parse(home.payload!)).toMatchObject({
      uri,
      content: expect.stringContaining("Hello"),
    });
    const remote = await ws.next((m) => m.stream?.[0] === "public:remote");
    expect(JSON.parse(remote.payload!).uri).toBe(uri);
    const res = await gts.deliver(t, "update-note", {
      edit: (body) => {
        const activity = JSON.parse(body.replaceAll("(edited)", "(edited live)"));
        activity.object.updated = new Date().toISOString();
        return JSON.stringify(activity);
      },
    });
    expect(res.status).toBe(202);
    const edited = await ws.next((m) => m.event === "status.update" && m.stream?.[0] === "user");
    expect(JSON.parse(edited.payload!)).toMatchObject({
      uri,
      content: expect.stringContaining("edited live"),
    });
  });

  it("keeps the socket open after an unknown stream, and hashtag streams match their tag", async () => {
    const ws = await socket(carol);
    ws.subscribe("nonsense");
    const error = await ws.next((m) => m.error !== undefined);
    expect(error).toMatchObject({ status: 400, error: expect.stringContaining("nonsense") });
    ws.subscribe("hashtag", { tag: "Cats" });
    await ws.synced();
    const loud = await postStatus(t, bob, "look #cats");
    const m = await ws.next((e) => e.event === "update");
    expect(m.stream).toEqual(["hashtag", "Cats"]);
    expect(statusOf(m).id).toBe(loud.id);
    expect(ws.closed).toBe(false);
  });

  it("sends a list member's post to its owner's list stream, and nobody else may stream the list", async () => {
    const listId = newId();
    await t.database.db
      .insert(lists)
      .values({ id: listId, accountId: alice.account.id, title: "friends" });
    await t.database.db.insert(listAccounts).values({ listId, accountId: bob.account.id });
    const owner = await socket(alice);
    owner.subscribe("list", { list: listId });
    await owner.synced();
    expect(owner.messages.filter((m) => m.error)).toHaveLength(1);
    const other = await socket(carol);
    other.subscribe("list", { list: listId });
    expect((await other.next((m) => m.error !== undefined)).error).toBe("List not found");
    const posted = await postStatus(t, bob, "for my list");
    // Bob's earlier posts may still be fanning out (they reach the list too): wait for this one.
    const m = await owner.next((e) => e.event === "update" && statusOf(e).id === posted.id);
    expect(m.stream).toEqual(["list", listId]);
  });

  it("closes a socket as soon as its app revokes the token", async () => {
    const { app, clientSecret } = await createApp(t.database.db, {
      name: "streamer",
      redirectUris: "urn:ietf:wg:oauth:2.0:oob",
      scopes: "read",
    });
    const { token } = await createAccessToken(t.database.db, {
      appId: app.id,
      accountId: carol.account.id,
      scopes: ["read"],
    });
    const ws = await socket({ account: carol.account, token }, "user");
    const res = await t.request("/oauth/revoke", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, client_id: app.clientId, client_secret: clientSecret }),
    });
    expect(res.status).toBe(200);
    await expect(ws.next(() => false, 5_000)).rejects.toThrow("socket closed");
  });

  it("closes the sockets of a token revoked by other means at the next check", async () => {
    const dave = await t.user("dave");
    const ws = await socket(dave, "user");
    const sse = await SseReader.open(
      `${server.http}/api/v1/streaming/public?access_token=${dave.token}`,
    );
    await t.database.db
      .update(accessTokens)
      .set({ revokedAt: new Date() })
      .where(eq(accessTokens.accountId, dave.account.id));
    await t.streaming!.closeRevoked();
    await expect(ws.next(() => false, 5_000)).rejects.toThrow("socket closed");
    await eventually(async () => sse.ended);
  });

  it("works with masto.js's streaming client", async () => {
    const masto = createStreamingAPIClient({
      streamingApiUrl: server.ws,
      accessToken: carol.token,
      implementation: WebSocket,
      retry: false,
    });
    open.push(masto);
    const before = t.streaming!.subscribers("public:local");
    const sub = masto.public.local.subscribe();
    const received = (async () => {
      for await (const event of sub) if (event.event === "update") return event.payload;
    })();
    // masto subscribes once its socket is open; a post after that is the one it must see.
    await eventually(async () => t.streaming!.subscribers("public:local") > before);
    const posted = await postStatus(t, bob, "masto sees this");
    const status = await Promise.race([
      received,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 10_000)),
    ]);
    expect(status?.id).toBe(posted.id);
  });
});
