import { createHash, randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokens, accounts, webSessions } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import type { Account } from "../../src/services/accounts/accounts.ts";
import { accountsForLogin } from "../../src/services/teams/access.ts";
import { listAudit } from "../../src/services/teams/audit.ts";
import {
  addMember,
  changeRole,
  createManagedAccount,
  leaveAccount,
  listMembers,
  MAX_OWNED_ACCOUNTS,
  removeMember,
  transferOwnership,
} from "../../src/services/teams/members.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/** One login, many accounts: a brand account run by a team, and what its tokens may do. */
let t: TestTern;
let alice: Account;
let bob: Account;
let carol: Account;
let brand: Account;

/** A token for `account` as the OAuth flow writes it when `grantedBy` chose the account. */
async function grantedToken(account: Account, grantedBy: Account): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await t.database.db.insert(accessTokens).values({
    id: newId(),
    tokenHash: createHash("sha256").update(token).digest("hex"),
    accountId: account.id,
    grantedByAccountId: grantedBy.id,
    scopes: "read write follow push",
  });
  return token;
}
const post = (token: string, status: string) =>
  t.request("/api/v1/statuses", { method: "POST", token, json: { status } });

beforeAll(async () => {
  t = await startTestTern();
  alice = (await t.user("alice")).account;
  bob = (await t.user("bob")).account;
  carol = (await t.user("carol")).account;
  brand = await createManagedAccount(t.database.db, t.config.publicUrl, alice, "brand", "Brand");
});
afterAll(async () => {
  await t?.close();
});

describe("teams", () => {
  it("makes the creator the owner and lets an owner add editors and analysts", async () => {
    const db = t.database.db;
    await addMember(db, alice, brand.id, "bob", "editor");
    await addMember(db, alice, brand.id, "carol", "analyst");
    const members = await listMembers(db, brand.id);
    expect(members.map((m) => [m.account.username, m.role])).toEqual([
      ["alice", "owner"],
      ["bob", "editor"],
      ["carol", "analyst"],
    ]);
    expect((await accountsForLogin(db, bob)).map((a) => a.account.username)).toEqual([
      "bob",
      "brand",
    ]);
    // Editors and analysts manage nothing.
    await expect(addMember(db, bob, brand.id, "carol", "owner")).rejects.toMatchObject({
      status: 403,
    });
    await expect(removeMember(db, carol, brand.id, "bob")).rejects.toMatchObject({ status: 403 });
  });

  it("lets an editor's token post as the brand, an analyst's only read", async () => {
    const bobs = await grantedToken(brand, bob);
    const res = await post(bobs, "Hello from the brand");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { account: { username: string } }).account.username).toBe(
      "brand",
    );
    const carols = await grantedToken(brand, carol);
    expect((await post(carols, "Not allowed")).status).toBe(403);
    const read = await t.request(`/api/v1/accounts/${brand.id}/statuses`, { token: carols });
    expect(read.status).toBe(200);
    // Demoted, the editor's token loses posting at once.
    await changeRole(t.database.db, alice, brand.id, "bob", "analyst");
    expect((await post(bobs, "Still me?")).status).toBe(403);
    await changeRole(t.database.db, alice, brand.id, "bob", "editor");
  });

  it("revokes a removed member's tokens and stops its sessions acting as the account", async () => {
    const db = t.database.db;
    const bobs = await grantedToken(brand, bob);
    await db.insert(webSessions).values({
      id: newId(),
      tokenHash: randomBytes(16).toString("hex"),
      csrfToken: "x",
      accountId: bob.id,
      actingAccountId: brand.id,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await removeMember(db, alice, brand.id, "bob");
    expect((await post(bobs, "After removal")).status).toBe(401);
    const sessions = await db.select().from(webSessions);
    expect(sessions.filter((s) => s.accountId === bob.id).map((s) => s.actingAccountId)).toEqual([
      null,
    ]);
  });

  it("always keeps one owner, and writes every change to the audit log", async () => {
    const db = t.database.db;
    await expect(leaveAccount(db, alice, brand.id)).rejects.toMatchObject({ status: 422 });
    await expect(changeRole(db, alice, brand.id, "alice", "editor")).rejects.toMatchObject({
      status: 422,
    });
    await transferOwnership(db, alice, brand.id, "carol");
    await leaveAccount(db, alice, brand.id);
    expect((await listMembers(db, brand.id)).map((m) => [m.account.username, m.role])).toEqual([
      ["carol", "owner"],
    ]);
    const log = await listAudit(db, brand.id);
    expect(log.map((e) => e.action)).toEqual([
      "member.leave",
      "account.transfer",
      "member.remove",
      "member.role",
      "member.role",
      // Bob's post through his member token for the brand, logged as bob.
      "status.create",
      "member.add",
      "member.add",
      "account.create",
    ]);
    expect(log[0]?.actorAccountId).toBe(alice.id);
    expect(log.find((e) => e.action === "status.create")?.actorAccountId).toBe(bob.id);
    expect((await listAudit(db, brand.id, { maxId: log[6]?.id, limit: 1 }))[0]?.id).toBe(
      log[7]?.id,
    );
  });

  it("refuses a login a 51st account of its own, creating nothing", async () => {
    const db = t.database.db;
    const dave = (await t.user("dave")).account;
    // Fifty accounts dave already owns (bare rows: only the count matters here).
    await db.execute(sql`
      with made as (
        insert into accounts (id, username, domain, uri)
        select ${newId()}::bigint + n, 'filler' || n, 'filler.example', 'https://filler.example/' || n
        from generate_series(1, ${MAX_OWNED_ACCOUNTS}) n
        returning id
      )
      insert into account_members (account_id, member_account_id, role)
      select id, ${dave.id}, 'owner' from made`);
    await expect(
      createManagedAccount(db, t.config.publicUrl, dave, "onetoomany"),
    ).rejects.toMatchObject({ status: 422 });
    expect(
      (await accountsForLogin(db, dave)).some((a) => a.account.username === "onetoomany"),
    ).toBe(false);
    const [left] = await db.select().from(accounts).where(eq(accounts.username, "onetoomany"));
    expect(left).toBeUndefined();
  });
});
