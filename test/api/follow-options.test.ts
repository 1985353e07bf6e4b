import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestTern, type TestTern } from "../helpers/tern.ts";
import { expectError } from "./entity-shape.ts";

/**
 * POST /api/v1/accounts/:id/follow with Mastodon's options: `reblogs`, `notify`, `languages[]`
 * (form or JSON), shown in the Relationship, changed by following again; `notify` brings a
 * `status` notification for each new post, `languages[]` keeps other languages out of home.
 */
type User = Awaited<ReturnType<TestTern["user"]>>;
interface Relationship {
  following: boolean;
  showing_reblogs: boolean;
  notifying: boolean;
  languages: string[] | null;
}

let t: TestTern;
let amy: User;
let ben: User;
beforeAll(async () => {
  t = await startTestTern();
  [amy, ben] = await Promise.all([t.user("amy"), t.user("ben")]);
});
afterAll(() => t.close());

async function follow(body: Record<string, unknown> | string): Promise<Relationship> {
  const path = `/api/v1/accounts/${amy.account.id}/follow`;
  const res =
    typeof body === "string"
      ? await t.request(path, {
          method: "POST",
          token: ben.token,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body,
        })
      : await t.request(path, { method: "POST", token: ben.token, json: body });
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json as Relationship;
}
async function post(status: string, language?: string): Promise<string> {
  const res = await t.request("/api/v1/statuses", {
    method: "POST",
    token: amy.token,
    json: { status, language },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}
const home = async () =>
  (
    (await (await t.request("/api/v1/timelines/home?limit=40", { token: ben.token })).json()) as {
      id: string;
    }[]
  ).map((s) => s.id);
const statusNotes = async () =>
  (
    (await (
      await t.request("/api/v1/notifications?types[]=status", { token: ben.token })
    ).json()) as { type: string; status: { id: string } }[]
  ).map((n) => n.status.id);

describe("follow options", () => {
  it("a form follow with notify, no reblogs and languages[] shows them in the relationship", async () => {
    const rel = await follow("notify=true&reblogs=false&languages[]=EN&languages[]=fr");
    expect(rel).toMatchObject({
      following: true,
      showing_reblogs: false,
      notifying: true,
      languages: ["en", "fr"],
    });
  });

  it("notify: each new post of amy's notifies ben (a direct one does not)", async () => {
    const hello = await post("hello followers", "en");
    await t.request("/api/v1/statuses", {
      method: "POST",
      token: amy.token,
      json: { status: "psst @ben", visibility: "direct" },
    });
    expect(await statusNotes()).toEqual([hello]);
  });

  it("languages[]: a post in another language stays out of ben's home; unknown ones come in", async () => {
    const german = await post("hallo", "de");
    const english = await post("hello again", "en-GB");
    const unknown = await post("no language said");
    const feed = await eventually(async () => {
      const ids = await home();
      return ids.includes(unknown) && ids.includes(english) && ids;
    });
    expect(feed).not.toContain(german);
  });

  it("following again changes only the options given; empty languages means all", async () => {
    expect(await follow({ notify: false })).toMatchObject({
      notifying: false,
      showing_reblogs: false,
      languages: ["en", "fr"],
    });
    const quiet = await post("nobody is told", "en");
    expect(await statusNotes()).not.toContain(quiet);
    expect(await follow({ reblogs: true, languages: [] })).toMatchObject({
      following: true,
      showing_reblogs: true,
      notifying: false,
      languages: null,
    });
  });

  it("refuses options that are not what Mastodon takes", async () => {
    const path = `/api/v1/accounts/${amy.account.id}/follow`;
    for (const json of [{ notify: "maybe" }, { languages: ["english!"] }, { reblogs: 3 }]) {
      await expectError(await t.request(path, { method: "POST", token: ben.token, json }), 422);
    }
  });
});
