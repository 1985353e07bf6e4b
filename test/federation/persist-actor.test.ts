import { Endpoints, Person } from "@fedify/vocab";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { accounts } from "../../src/db/schema/index.ts";
import { persistActor } from "../../src/federation/from-ap/actor.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

let t: TestTern;
/** The test server federates on loopback; the SSRF test below turns the guard on. */
const OPEN = { allowPrivateAddresses: true };
beforeAll(async () => {
  t = await startTestTern();
});
afterAll(() => t.close());

const person = (id: string, name: string) =>
  new Person({
    id: new URL(id),
    preferredUsername: "mallory",
    name,
    summary: '<p>Hi <script>alert(1)</script><a href="javascript:x">there</a></p>',
    inbox: new URL(`${id}/inbox`),
    endpoints: new Endpoints({ sharedInbox: new URL("https://remote.example/inbox") }),
  });

it("stores a remote actor with its handle and a sanitized bio, and refreshes it in place", async () => {
  const first = await persistActor(
    t.database.db,
    person("https://remote.example/users/mallory", "Mallory"),
    OPEN,
  );
  expect(first).toMatchObject({
    username: "mallory",
    domain: "remote.example",
    displayName: "Mallory",
  });
  expect(first!.note).not.toMatch(/script|javascript/);
  const again = await persistActor(
    t.database.db,
    person("https://remote.example/users/mallory", "Mallory 2"),
    OPEN,
  );
  expect(again!.id).toBe(first!.id);
  expect(again!.displayName).toBe("Mallory 2");
});

it("gives a handle to the actor that claims it now (an account made anew on its server)", async () => {
  const old = await persistActor(
    t.database.db,
    person("https://remote.example/users/mallory", "Old"),
    OPEN,
  );
  const fresh = await persistActor(
    t.database.db,
    person("https://remote.example/ap/users/2", "New"),
    OPEN,
  );
  expect(fresh).toMatchObject({
    username: "mallory",
    domain: "remote.example",
    uri: "https://remote.example/ap/users/2",
  });
  const [retired] = await t.database.db.select().from(accounts).where(eq(accounts.id, old!.id));
  expect(retired.username).toBe(`mallory.gone.${old!.id}`);
  const res = await t.request("/api/v1/accounts/lookup?acct=mallory@remote.example");
  expect((await res.json()).id).toBe(fresh!.id);
});

it("refuses an actor whose inbox is a private address, and drops a private shared inbox", async () => {
  const guarded = { allowPrivateAddresses: false };
  const sneaky = new Person({
    id: new URL("https://93.184.215.14/users/sneaky"),
    preferredUsername: "sneaky",
    inbox: new URL("http://127.0.0.1:6379/inbox"),
  });
  expect(await persistActor(t.database.db, sneaky, guarded)).toBeNull();
  const rows = await t.database.db.select().from(accounts).where(eq(accounts.uri, sneaky.id!.href));
  expect(rows).toHaveLength(0);
  // Fedify 2.3's own check takes the IPv6 documentation range for public; Tern's does not.
  const documentation = new Person({
    id: new URL("https://93.184.215.14/users/doc"),
    preferredUsername: "doc",
    inbox: new URL("http://[2001:db8::1]/inbox"),
  });
  expect(await persistActor(t.database.db, documentation, guarded)).toBeNull();

  const half = new Person({
    id: new URL("https://93.184.215.14/users/half"),
    preferredUsername: "half",
    inbox: new URL("https://93.184.215.14/users/half/inbox"),
    endpoints: new Endpoints({ sharedInbox: new URL("http://169.254.169.254/latest/meta-data") }),
  });
  const stored = await persistActor(t.database.db, half, guarded);
  expect(stored?.inboxUrl).toBe("https://93.184.215.14/users/half/inbox");
  expect(stored?.sharedInboxUrl).toBeNull();
});

it("stores remote text without NUL characters (PostgreSQL text cannot hold them)", async () => {
  const actor = new Person({
    id: new URL("https://remote.example/users/nul"),
    preferredUsername: "nul\u0000user",
    name: "Nul\u0000Name",
    summary: "<p>bio\u0000</p>",
    inbox: new URL("https://remote.example/users/nul/inbox"),
  });
  const stored = await persistActor(t.database.db, actor, OPEN);
  expect(stored).toMatchObject({ username: "nuluser", displayName: "NulName", note: "<p>bio</p>" });
});
