/**
 * The admin API for server domain rules, called by masto.js as an admin app would: moderators
 * and admins only, with admin scopes; a suspension made here refuses the domain's inbox POSTs
 * before any signature check and shows (obfuscated where asked) in the public listing.
 */
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { eq } from "drizzle-orm";
import { createRestAPIClient, type mastodon } from "masto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, localUsers } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;
let server: ServerType;
let admin: mastodon.rest.Client;
let adminToken: string;
let userToken: string;
let readOnlyModToken: string;

beforeAll(async () => {
  t = await startTestTern();
  const boss = await t.user("boss", { scopes: "read write admin:read admin:write" });
  adminToken = boss.token;
  const mod = await t.user("mod", { scopes: "admin:read:domain_blocks" });
  readOnlyModToken = mod.token;
  userToken = (await t.user("plain", { scopes: "read write admin:read admin:write" })).token;
  const { db } = t.database;
  await db
    .update(localUsers)
    .set({ role: "admin" })
    .where(eq(localUsers.accountId, boss.account.id));
  await db
    .update(localUsers)
    .set({ role: "moderator" })
    .where(eq(localUsers.accountId, mod.account.id));
  server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  admin = createRestAPIClient({ url, accessToken: adminToken });
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

describe("who may use it", () => {
  it("needs a token with an admin scope and a moderator or admin behind it", async () => {
    const list = (token?: string) => t.request("/api/v1/admin/domain_blocks", { token });
    expect((await list()).status).toBe(401);
    // A normal user's token gets 403, whatever scopes it holds.
    expect((await list(userToken)).status).toBe(403);
    // A moderator with the granular read scope may read, not write.
    expect((await list(readOnlyModToken)).status).toBe(200);
    const write = await t.request("/api/v1/admin/domain_blocks", {
      method: "POST",
      token: readOnlyModToken,
      json: { domain: "x.example" },
    });
    expect(write.status).toBe(403);
    // An admin's token without admin scopes gets 403 too.
    const plainAdmin = await t.user("boss2", { scopes: "read write" });
    await t.database.db
      .update(localUsers)
      .set({ role: "admin" })
      .where(eq(localUsers.accountId, plainAdmin.account.id));
    expect((await list(plainAdmin.token)).status).toBe(403);
    expect((await t.request("/api/v1/admin/domain_allows", { token: userToken })).status).toBe(403);
  });
});

describe("domain blocks", () => {
  it("suspends a domain: its inbox POSTs are refused before verification, its accounts purged", async () => {
    const { db } = t.database;
    await db.insert(accounts).values({
      id: newId(),
      username: "spammer",
      domain: "social.spam.example",
      uri: "https://social.spam.example/users/spammer",
    });
    const block = await admin.v1.admin.domainBlocks.create({
      domain: "Spam.Example",
      severity: "suspend",
      rejectReports: true,
      privateComment: "seen in reports",
      publicComment: "spam",
      obfuscate: true,
    });
    expect(block).toMatchObject({
      domain: "spam.example",
      severity: "suspend",
      rejectMedia: false,
      rejectReports: true,
      privateComment: "seen in reports",
      publicComment: "spam",
      obfuscate: true,
      digest: createHash("sha256").update("spam.example").digest("hex"),
    });
    // The purge job (the CLI's) deletes the domain's accounts.
    await eventually(async () => {
      const left = await db.select().from(accounts).where(eq(accounts.username, "spammer"));
      return left.length === 0;
    });
    // A garbage signature would be a 401 from verification; the domain is refused first.
    const res = await t.request("/inbox", {
      method: "POST",
      headers: {
        "content-type": "application/activity+json",
        signature: `keyId="https://social.spam.example/users/x#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA"`,
      },
      body: JSON.stringify({ type: "Follow" }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "Domain is blocked" });
    const listed = (await (await t.request("/api/v1/instance/domain_blocks")).json()) as {
      domain: string;
      comment: string;
    }[];
    expect(listed).toContainEqual(
      expect.objectContaining({ domain: "s**m.example", severity: "suspend", comment: "spam" }),
    );
    expect(JSON.stringify(listed)).not.toContain("spam.example");
  });

  it("lists, shows, changes and lifts blocks; a covered or repeated block is a 422 naming it", async () => {
    const quiet = await admin.v1.admin.domainBlocks.create({ domain: "quiet.example" });
    expect(quiet.severity).toBe("silence");
    const again = await t.request("/api/v1/admin/domain_blocks", {
      method: "POST",
      token: adminToken,
      json: { domain: "sub.spam.example", severity: "silence" },
    });
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({
      existing_domain_block: { domain: "spam.example", severity: "suspend" },
    });
    const bad = await t.request("/api/v1/admin/domain_blocks", {
      method: "POST",
      token: adminToken,
      json: { domain: "x.example", severity: "hard" },
    });
    expect(bad.status).toBe(422);
    const unknown = await t.request("/api/v1/admin/domain_blocks", {
      method: "POST",
      token: adminToken,
      json: { domain: "x.example", reject_everything: true },
    });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error).toContain("reject_everything");

    const list = await admin.v1.admin.domainBlocks.list();
    expect(list.map((b) => b.domain)).toEqual(["quiet.example", "spam.example"]);
    expect((await admin.v1.admin.domainBlocks.$select(quiet.id).fetch()).domain).toBe(
      "quiet.example",
    );
    const changed = await admin.v1.admin.domainBlocks
      .$select(quiet.id)
      .update({ severity: "noop", rejectMedia: true, publicComment: "fine now" });
    expect(changed).toMatchObject({
      severity: "noop",
      rejectMedia: true,
      publicComment: "fine now",
    });
    await admin.v1.admin.domainBlocks.$select(quiet.id).remove();
    const gone = await t.request(`/api/v1/admin/domain_blocks/${quiet.id}`, { token: adminToken });
    expect(gone.status).toBe(404);
  });
});

describe("domain allows", () => {
  it("adds (once), lists, shows and removes allowed domains", async () => {
    const allow = await admin.v1.admin.domainAllows.create({ domain: "friends.example" });
    expect(allow).toMatchObject({ domain: "friends.example" });
    const twice = await admin.v1.admin.domainAllows.create({ domain: "friends.example" });
    expect(twice.id).toBe(allow.id);
    expect((await admin.v1.admin.domainAllows.list()).map((a) => a.domain)).toEqual([
      "friends.example",
    ]);
    expect((await admin.v1.admin.domainAllows.$select(allow.id).fetch()).id).toBe(allow.id);
    await admin.v1.admin.domainAllows.$select(allow.id).remove();
    expect(await admin.v1.admin.domainAllows.list()).toEqual([]);
  });
});
