import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accounts, follows } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;
type User = Awaited<ReturnType<TestTern["user"]>>;
let alice: User;
let bob: User;
let carol: User;
let dave: User;
const eve = {
  id: newId(),
  username: "eve",
  domain: "evil.example",
  uri: "https://evil.example/users/eve",
};

beforeAll(async () => {
  t = await startTestTern();
  alice = await t.user("alice");
  bob = await t.user("bob");
  carol = await t.user("carol");
  dave = await t.user("dave");
  eve.id = newId(); // after bob's: exports list follows in account order
  await t.database.db.insert(accounts).values(eve);
});
afterAll(() => t.close());

async function call(user: User, path: string, method = "GET", json?: unknown) {
  const res = await t.request(path, { method, token: user.token, json });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

function upload(token: string, fields: Record<string, string>, csv?: string | Uint8Array) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (csv !== undefined)
    form.set("data", new Blob([csv as BlobPart], { type: "text/csv" }), "file.csv");
  return t.request("/api/v1/import", { method: "POST", token, body: form });
}

type ImportView = { id: string; state: string; total: number; processed: number; failed: number };

async function imported(user: User, fields: Record<string, string>, csv: string) {
  const res = await upload(user.token, fields, csv);
  expect(res.status).toBe(200);
  const { id } = (await res.json()) as ImportView;
  return eventually(async () => {
    const view = (await (await call(user, `/api/v1/tern/imports/${id}`)).json()) as ImportView;
    return view.state === "finished" && view;
  }, 20_000);
}

async function relationship(user: User, target: { id: string }) {
  const res = await call(user, `/api/v1/accounts/relationships?id[]=${target.id}`);
  return ((await res.json()) as Record<string, unknown>[])[0];
}

async function signedInCookie(username: string): Promise<string> {
  const res = await t.request("/auth/sign_in", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password: "correct horse battery staple" }).toString(),
    redirect: "manual",
  });
  return (res.headers.get("set-cookie") ?? "").split(";")[0];
}

describe("CSV export in Mastodon's formats", () => {
  it("writes follows, blocks, mutes, domain blocks, lists and bookmarks as Mastodon does", async () => {
    await call(alice, `/api/v1/accounts/${bob.account.id}/follow`, "POST", {
      reblogs: false,
      notify: true,
      languages: ["en", "de"],
    });
    await t.database.db.insert(follows).values({
      id: newId(),
      followerId: alice.account.id,
      followingId: eve.id,
      uri: "https://tern.test/users/alice#follows/eve",
      state: "accepted",
    });
    await call(alice, `/api/v1/accounts/${carol.account.id}/block`, "POST");
    await call(alice, `/api/v1/accounts/${dave.account.id}/mute`, "POST", { notifications: false });
    await call(alice, "/api/v1/domain_blocks", "POST", { domain: "spam.example" });
    const list = (await (
      await call(alice, "/api/v1/lists", "POST", { title: "Friends, old" })
    ).json()) as { id: string };
    await call(alice, `/api/v1/lists/${list.id}/accounts`, "POST", {
      account_ids: [bob.account.id],
    });
    const post = (await (await call(bob, "/api/v1/statuses", "POST", { status: "hi" })).json()) as {
      id: string;
      uri: string;
    };
    await call(alice, `/api/v1/statuses/${post.id}/bookmark`, "POST");

    const csv = async (type: string) => {
      const res = await call(alice, `/api/v1/tern/exports/${type}.csv`);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
      return res.text();
    };
    expect(await csv("following")).toBe(
      'Account address,Show boosts,Notify on new posts,Languages\nbob@tern.test,false,true,"en, de"\neve@evil.example,true,false,\n',
    );
    expect(await csv("blocks")).toBe("carol@tern.test\n");
    expect(await csv("mutes")).toBe("Account address,Hide notifications\ndave@tern.test,false\n");
    expect(await csv("domain_blocks")).toBe("spam.example\n");
    expect(await csv("lists")).toBe('"Friends, old",bob@tern.test\n');
    expect(await csv("bookmarks")).toBe(`${post.uri}\n`);

    // A token without the type's read scope gets nothing.
    const narrow = await t.user("narrow", { scopes: "read:statuses" });
    expect(
      (await t.request("/api/v1/tern/exports/blocks.csv", { token: narrow.token })).status,
    ).toBe(403);

    // The signed-in settings page links the same files.
    const cookie = await signedInCookie("alice");
    const page = await t.request("/settings/export", { headers: { cookie } });
    expect(await page.text()).toContain('href="/settings/export/mutes.csv"');
    const file = await t.request("/settings/export/mutes.csv", { headers: { cookie } });
    expect(file.headers.get("content-disposition")).toContain("muted_accounts.csv");
    expect(await file.text()).toBe(await csv("mutes"));
    const out = await t.request("/settings/export/mutes.csv", { redirect: "manual" });
    expect(out.status).toBe(302);
  });
});

describe("CSV import", () => {
  it("follows local accounts with their options; an unknown remote counts as failed", async () => {
    const frank = await t.user("frank");
    const file = [
      "Account address,Show boosts,Notify on new posts,Languages",
      "bob@tern.test,false,true,en",
      "@carol,,,",
      "ghost@127.0.0.1:1,true,false,",
    ].join("\n");
    const done = await imported(frank, { type: "following" }, file);
    expect(done).toMatchObject({ total: 3, processed: 3, failed: 1 });
    expect(await relationship(frank, bob.account)).toMatchObject({
      following: true,
      showing_reblogs: false,
      notifying: true,
      languages: ["en"],
    });
    expect(await relationship(frank, carol.account)).toMatchObject({ following: true });

    // Lists: made by title, their accounts followed (a list holds followed accounts).
    await imported(frank, { type: "lists" }, "Close,dave@tern.test\n");
    const lists = (await (await call(frank, "/api/v1/lists")).json()) as {
      id: string;
      title: string;
    }[];
    const members = await call(frank, `/api/v1/lists/${lists[0].id}/accounts`);
    expect(lists.map((l) => l.title)).toEqual(["Close"]);
    expect(((await members.json()) as { username: string }[]).map((a) => a.username)).toEqual([
      "dave",
    ]);
  });

  it("overwrite removes what the file does not name (unfollows, unblocks)", async () => {
    const gina = await t.user("gina");
    await call(gina, `/api/v1/accounts/${bob.account.id}/follow`, "POST");
    await call(gina, `/api/v1/accounts/${carol.account.id}/follow`, "POST");
    await call(gina, `/api/v1/accounts/${bob.account.id}/block`, "POST");
    const done = await imported(gina, { type: "following", mode: "overwrite" }, "dave@tern.test\n");
    expect(done).toMatchObject({ total: 1, failed: 0 });
    expect(await relationship(gina, carol.account)).toMatchObject({ following: false });
    expect(await relationship(gina, dave.account)).toMatchObject({ following: true });
    await imported(gina, { type: "blocks", mode: "overwrite" }, "carol\n");
    expect(await relationship(gina, bob.account)).toMatchObject({ blocking: false });
    expect(await relationship(gina, carol.account)).toMatchObject({ blocking: true });
  });

  it("refuses oversized, overlong, malformed and mismatched files with the reason", async () => {
    const reason = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      return ((await res.json()) as { error: string }).error;
    };
    const big = new Uint8Array(1024 * 1024 + 1).fill(0x61);
    expect(await reason(await upload(alice.token, { type: "blocks" }, big), 413)).toMatch(
      /too large/,
    );
    const rows = Array.from({ length: 5001 }, (_, i) => `user${i}@tern.test`).join("\n");
    expect(await reason(await upload(alice.token, { type: "blocks" }, rows), 422)).toMatch(
      /5000 rows/,
    );
    expect(
      await reason(await upload(alice.token, { type: "blocks" }, 'bob,"unclosed\n'), 422),
    ).toMatch(/not valid CSV: Unclosed quoted field in line 1/);
    expect(await reason(await upload(alice.token, { type: "blocks" }, 'a"b\n'), 422)).toMatch(
      /line 1/,
    );
    const follows = "Account address,Show boosts\nbob@tern.test,true\n";
    expect(await reason(await upload(alice.token, { type: "lists" }, follows), 422)).toMatch(
      /List name/,
    );
    expect(await reason(await upload(alice.token, { type: "blocks" }, ""), 422)).toMatch(/empty/);
    expect(await reason(await upload(alice.token, { type: "statuses" }, "x\n"), 422)).toMatch(
      /type/,
    );
    expect(
      await reason(await upload(alice.token, { type: "blocks", mode: "all" }, "x\n"), 422),
    ).toMatch(/mode/);
    expect(
      await reason(await upload(alice.token, { type: "blocks", force: "1" }, "x\n"), 422),
    ).toMatch(/force/);
    const readOnly = await t.user("reader", { scopes: "read" });
    expect((await upload(readOnly.token, { type: "blocks" }, "bob\n")).status).toBe(403);
  });

  it("takes a file on the signed-in import page (with its CSRF token)", async () => {
    const cookie = await signedInCookie("dave");
    const page = await (await t.request("/settings/import", { headers: { cookie } })).text();
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const send = (token: string) => {
      const form = new FormData();
      form.set("csrf_token", token);
      form.set("type", "mutes");
      form.set(
        "data",
        new Blob(["Account address,Hide notifications\nbob@tern.test,true\n"]),
        "m.csv",
      );
      return t.request("/settings/import", {
        method: "POST",
        headers: { cookie },
        body: form,
        redirect: "manual",
      });
    };
    expect((await send("forged")).status).toBe(403);
    const res = await send(csrf);
    expect(res.status).toBe(303);
    const where = res.headers.get("location") ?? "";
    expect(where).toMatch(/^\/settings\/import\/\d+$/);
    await eventually(async () => {
      const view = await (await t.request(where, { headers: { cookie } })).text();
      return view.includes("Finished: 1 of 1 rows");
    });
    expect(await relationship(dave, bob.account)).toMatchObject({
      muting: true,
      muting_notifications: true,
    });
  });
});
