import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiUser, postStatus, statusAction } from "../helpers/api-client.ts";
import {
  decryptAes128gcm,
  decryptAesgcm,
  PushKeys,
  PushService,
  verifyVapidJwt,
} from "../helpers/push-service.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError } from "./entity-shape.ts";

let t: TestTern;
let push: PushService;
let alice: ApiUser;
let bob: ApiUser;
let carol: ApiUser;
let vapidKey: string;

beforeAll(async () => {
  t = await startTestTern();
  push = await new PushService((path) => (path === "/gone" ? 410 : 201)).start();
  [alice, bob, carol] = await Promise.all([t.user("alice"), t.user("bob"), t.user("carol")]);
  const instance = (await (await t.request("/api/v2/instance")).json()) as {
    configuration: { vapid: { public_key: string } };
  };
  vapidKey = instance.configuration.vapid.public_key;
});
afterAll(async () => {
  await push.stop();
  await t.close();
});

function subscribe(
  who: ApiUser,
  keys: PushKeys,
  path: string,
  extra: Record<string, unknown> = {},
) {
  return t.request("/api/v1/push/subscription", {
    method: "POST",
    token: who.token,
    json: {
      subscription: {
        endpoint: `${push.url}${path}`,
        keys: { p256dh: keys.p256dh, auth: keys.authSecret },
        ...extra,
      },
      data: { alerts: { favourite: true, mention: true, follow: true }, policy: "all" },
    },
  });
}

describe("Web Push subscriptions", () => {
  it("shows one VAPID public key in the instance, the app entity and each subscription", async () => {
    expect(Buffer.from(vapidKey, "base64url")).toHaveLength(65);
    const app = (await (
      await t.request("/api/v1/apps", {
        method: "POST",
        json: { client_name: "pusher", redirect_uris: "urn:ietf:wg:oauth:2.0:oob" },
      })
    ).json()) as { vapid_key: string };
    expect(app.vapid_key).toBe(vapidKey);
    const res = await subscribe(alice, new PushKeys(), "/std", { standard: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      endpoint: `${push.url}/std`,
      standard: true,
      policy: "all",
      server_key: vapidKey,
      alerts: { favourite: true, mention: true, reblog: false },
    });
  });

  it("refuses bad input with a reason, and a token without the push scope", async () => {
    const keys = new PushKeys();
    const bad = async (body: unknown, status = 422) => {
      const res = await t.request("/api/v1/push/subscription", {
        method: "POST",
        token: carol.token,
        json: body,
      });
      await expectError(res, status);
    };
    const sub = { endpoint: `${push.url}/x`, keys: { p256dh: keys.p256dh, auth: keys.authSecret } };
    await bad({ subscription: { ...sub, endpoint: "ftp://example.com/push" } });
    await bad({ subscription: { ...sub, keys: { p256dh: "AAAA", auth: keys.authSecret } } });
    await bad({ subscription: sub, data: { alerts: { telepathy: true } } });
    await bad({ subscription: sub, data: { policy: "everyone" } });
    const reader = await t.user("reader", { scopes: "read" });
    const res = await t.request("/api/v1/push/subscription", { token: reader.token });
    expect(res.status).toBe(403);
    expect((await t.request("/api/v1/push/subscription", { token: carol.token })).status).toBe(404);
  });

  it("reads, updates and deletes the token's subscription", async () => {
    const dave = await t.user("dave");
    expect((await subscribe(dave, new PushKeys(), "/d")).status).toBe(200);
    const put = await t.request("/api/v1/push/subscription", {
      method: "PUT",
      token: dave.token,
      json: { data: { alerts: { reblog: true }, policy: "followed" } },
    });
    expect(await put.json()).toMatchObject({
      policy: "followed",
      alerts: { reblog: true, favourite: false },
    });
    const got = await t.request("/api/v1/push/subscription", { token: dave.token });
    expect(await got.json()).toMatchObject({ endpoint: `${push.url}/d`, policy: "followed" });
    const del = await t.request("/api/v1/push/subscription", {
      method: "DELETE",
      token: dave.token,
    });
    expect(del.status).toBe(200);
    expect((await t.request("/api/v1/push/subscription", { token: dave.token })).status).toBe(404);
  });
});

describe("Web Push delivery", () => {
  it("pushes a favourite encrypted with aes128gcm, signed with the VAPID key", async () => {
    const keys = new PushKeys();
    await subscribe(alice, keys, "/std", { standard: true });
    const mine = await postStatus(t, alice, "push me please");
    await statusAction(t, bob, mine.id, "favourite");
    const msg = await eventually(async () => push.received.find((r) => r.path === "/std"));
    expect(msg.headers["content-encoding"]).toBe("aes128gcm");
    expect(Number(msg.headers.ttl)).toBeGreaterThan(0);
    expect(msg.headers.urgency).toBe("normal");
    const [, jwt, k] = /^vapid t=([^,]+), k=(.+)$/.exec(String(msg.headers.authorization))!;
    expect(k).toBe(vapidKey);
    const claims = verifyVapidJwt(jwt, vapidKey);
    expect(claims.aud).toBe(push.url);
    expect(Number(claims.exp)).toBeGreaterThan(Date.now() / 1000);
    const payload = JSON.parse(decryptAes128gcm(keys, msg.body));
    const list = (await (
      await t.request("/api/v1/notifications", { token: alice.token })
    ).json()) as { id: string }[];
    expect(payload).toMatchObject({
      notification_id: list[0].id,
      notification_type: "favourite",
      preferred_locale: "en",
      title: expect.stringContaining("bob"),
      body: "push me please",
      icon: expect.stringMatching(/^https:\/\//),
    });
    expect(payload).toHaveProperty("access_token");
  });

  it("pushes a mention with the legacy aesgcm encoding, urgently", async () => {
    const keys = new PushKeys();
    expect((await subscribe(carol, keys, "/legacy", { standard: false })).status).toBe(200);
    await postStatus(t, bob, "hey @carol");
    const msg = await eventually(async () => push.received.find((r) => r.path === "/legacy"));
    expect(msg.headers["content-encoding"]).toBe("aesgcm");
    expect(msg.headers.urgency).toBe("high");
    const jwt = /^WebPush (.+)$/.exec(String(msg.headers.authorization))![1];
    expect(verifyVapidJwt(jwt, vapidKey).aud).toBe(push.url);
    expect(String(msg.headers["crypto-key"])).toContain(`p256ecdsa=${vapidKey}`);
    const payload = JSON.parse(decryptAesgcm(keys, msg.headers, msg.body));
    expect(payload).toMatchObject({
      notification_type: "mention",
      body: expect.stringContaining("hey"),
    });
  });

  it("pushes only from followed accounts under the policy followed", async () => {
    const frank = await t.user("frank");
    const keys = new PushKeys();
    expect((await subscribe(frank, keys, "/f", { standard: true })).status).toBe(200);
    await t.request("/api/v1/push/subscription", {
      method: "PUT",
      token: frank.token,
      json: { data: { alerts: { favourite: true }, policy: "followed" } },
    });
    await t.request(`/api/v1/accounts/${carol.account.id}/follow`, {
      method: "POST",
      token: frank.token,
    });
    const post = await postStatus(t, frank, "who may buzz me");
    await statusAction(t, bob, post.id, "favourite");
    await statusAction(t, carol, post.id, "favourite");
    const msg = await eventually(async () => push.received.find((r) => r.path === "/f"));
    expect(JSON.parse(decryptAes128gcm(keys, msg.body)).title).toContain("carol");
    // bob's favourite came first and was not pushed: carol's is the only one.
    await new Promise((r) => setTimeout(r, 300));
    expect(push.received.filter((r) => r.path === "/f")).toHaveLength(1);
  });

  it("honours alerts and policy, and a 410 from the push service deletes the subscription", async () => {
    const erin = await t.user("erin");
    const keys = new PushKeys();
    expect((await subscribe(erin, keys, "/gone")).status).toBe(200);
    await t.request("/api/v1/push/subscription", {
      method: "PUT",
      token: erin.token,
      json: { data: { alerts: { favourite: false, follow: true } } },
    });
    const post = await postStatus(t, erin, "not pushed");
    await statusAction(t, bob, post.id, "favourite");
    await t.request(`/api/v1/accounts/${erin.account.id}/follow`, {
      method: "POST",
      token: bob.token,
    });
    await eventually(
      async () =>
        (await t.request("/api/v1/push/subscription", { token: erin.token })).status === 404,
    );
    // Only the follow was pushed (favourites were switched off), and it answered 410.
    expect(push.received.filter((r) => r.path === "/gone")).toHaveLength(1);
  });
});
