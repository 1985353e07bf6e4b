import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { linksBack } from "../../src/services/accounts/verify-links.ts";
import { FakePeer } from "../helpers/ap-fixtures.ts";
import { followAccepted } from "../helpers/hostile.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

/**
 * rel="me" verification: alice links two pages from her profile fields; a job fetches them and
 * marks verified the one that links back to her profile with rel="me". Her Update(Person) also
 * reaches a server of someone she follows (not a follower of hers).
 */
let t: TestTern;
let token: string;
let peer: FakePeer;
let server: Server;
let origin: string;
beforeAll(async () => {
  t = await startTestTern();
  const alice = await t.user("alice");
  token = alice.token;
  peer = await FakePeer.start("gotosocial");
  await followAccepted(t, alice.account, peer.actorId);
  const pages: Record<string, string> = {
    "/home": `<html><head><link rel="stylesheet" href="/s.css"></head><body>
      <a href="https://tern.test/@alice" rel="nofollow me noopener">Me on Tern</a></body></html>`,
    "/other": `<html><body><a href="https://tern.test/@alice">no rel</a>
      <a rel="me" href="https://tern.test/@mallory">someone else</a></body></html>`,
  };
  server = createServer((req, res) => {
    const page = pages[req.url ?? ""];
    res.writeHead(page ? 200 : 404, { "content-type": "text/html" }).end(page ?? "");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await peer?.close();
  await t?.close();
});

type Field = { name: string; value: string; verified_at: string | null };

it("marks verified_at on the field whose page links back with rel=me, not the others", async () => {
  const res = await t.request("/api/v1/accounts/update_credentials", {
    method: "PATCH",
    token,
    json: {
      fields_attributes: [
        { name: "Home", value: `${origin}/home` },
        { name: "Other", value: `${origin}/other` },
        { name: "Gone", value: `${origin}/missing` },
        { name: "Text", value: "not a link" },
      ],
    },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const me = (await res.json()) as { id: string; url: string; fields: Field[] };
  expect(me.url).toBe("https://tern.test/@alice");
  expect(me.fields.map((f) => f.verified_at)).toEqual([null, null, null, null]);
  const account = await eventually(async () => {
    const a = (await (await t.request(`/api/v1/accounts/${me.id}`, { token })).json()) as {
      fields: Field[];
    };
    return a.fields[0].verified_at ? a : null;
  });
  expect(Date.parse(account.fields[0].verified_at!)).toBeGreaterThan(Date.now() - 60_000);
  expect(account.fields.slice(1).map((f) => f.verified_at)).toEqual([null, null, null]);
  const creds = (await (
    await t.request("/api/v1/accounts/verify_credentials", { token })
  ).json()) as { source: { fields: Field[] } };
  expect(creds.source.fields[0].verified_at).toBe(account.fields[0].verified_at);
  // The profile change went to the server of the account she follows.
  const update = await eventually(async () => peer.received.find((r) => r.json.type === "Update"));
  expect(update.json).toMatchObject({
    object: { type: "Person", id: "https://tern.test/users/alice" },
  });
});

it("reads rel=me on <a> and <link>, relative links and quoted or bare attributes", () => {
  const target = ["https://tern.test/@alice"];
  expect(
    linksBack(`<link rel=me href="https://tern.test/@alice/">`, "https://x.example/", target),
  ).toBe(true);
  expect(linksBack(`<a href='/@alice' rel='me'>`, "https://tern.test/blog", target)).toBe(true);
  expect(
    linksBack(`<a rel="mention" href="https://tern.test/@alice">`, "https://x.example/", target),
  ).toBe(false);
});
