import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drafts, mediaAttachments } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { getAccount } from "../../src/services/accounts/accounts.ts";
import { getDraft, publishDraft } from "../../src/services/drafts/drafts.ts";
import { sweepUnattachedMedia } from "../../src/services/media/media.ts";
import { png } from "../helpers/images.ts";
import { startTestTern, type TestTern } from "../helpers/tern.ts";

/** Tern's server-side drafts: save unfinished posts, publish them now or later. */
let t: TestTern;
let alice: { id: string; token: string };
let bob: { id: string; token: string };

interface Draft {
  id: string;
  params: Record<string, unknown>;
  media_attachments: { id: string }[];
  created_at: string;
  updated_at: string;
}
const call = (method: string, path: string, json?: unknown, token = alice.token) =>
  t.request(`/api/v1/tern/drafts${path}`, { method, token, json });
async function ok<T = Draft>(res: Response): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}
async function upload(): Promise<string> {
  const form = new FormData();
  form.set(
    "file",
    new Blob([(await png(30, 20)) as Uint8Array<ArrayBuffer>], { type: "image/png" }),
  );
  const res = await t.request("/api/v2/media", { method: "POST", token: alice.token, body: form });
  return (await ok<{ id: string }>(res)).id;
}

beforeAll(async () => {
  t = await startTestTern();
  const a = await t.user("alice");
  const b = await t.user("bob");
  alice = { id: a.account.id, token: a.token };
  bob = { id: b.account.id, token: b.token };
});
afterAll(async () => {
  await t?.close();
});

describe("drafts", () => {
  it("saves an unfinished post, lists, reads, replaces and deletes it, for its author only", async () => {
    const first = await ok(await call("POST", "", { spoiler_text: "Half an idea" }));
    expect(first).toMatchObject({
      params: { spoiler_text: "Half an idea" },
      media_attachments: [],
    });
    const second = await ok(
      await call("POST", "", { status: "Two", visibility: "unlisted", content_type: "text/plain" }),
    );
    // Parameters the posting API may gain later are kept as they are.
    expect(second.params.content_type).toBe("text/plain");
    const page = await call("GET", "?limit=1");
    expect((await ok<Draft[]>(page)).map((d) => d.id)).toEqual([second.id]);
    expect(page.headers.get("link")).toContain(`max_id=${second.id}`);

    const replaced = await ok(await call("PUT", `/${first.id}`, { status: "Whole idea" }));
    expect(replaced.params).toEqual({ status: "Whole idea" });
    expect(Date.parse(replaced.updated_at)).toBeGreaterThanOrEqual(Date.parse(first.updated_at));
    expect((await ok(await call("GET", `/${first.id}`))).params.status).toBe("Whole idea");

    expect((await call("GET", `/${first.id}`, undefined, bob.token)).status).toBe(404);
    expect((await call("DELETE", `/${first.id}`, undefined, bob.token)).status).toBe(404);
    expect((await call("DELETE", `/${first.id}`)).status).toBe(200);
    expect((await call("GET", `/${first.id}`)).status).toBe(404);
    await call("DELETE", `/${second.id}`);
  });

  it("refuses wrong types, oversize drafts and more than 1,000 per account", async () => {
    expect((await call("POST", "", { visibility: "everyone" })).status).toBe(422);
    expect((await call("POST", "", { media_ids: ["1", "2", "3", "4", "5"] })).status).toBe(422);
    expect((await call("POST", "", { status: { nested: true } })).status).toBe(422);
    const big = await call("POST", "", {
      status: "x".repeat(15_000),
      spoiler_text: "y".repeat(9_000),
    });
    expect(big.status).toBe(422);
    expect(((await big.json()) as { error: string }).error).toMatch(/20000 bytes/);
    const reader = await t.user("reader", { scopes: "read" });
    expect((await call("POST", "", { status: "no" }, reader.token)).status).toBe(403);

    await t.database.db
      .insert(drafts)
      .values(
        Array.from({ length: 1_000 }, () => ({ id: newId(), accountId: bob.id, params: {} })),
      );
    const over = await call("POST", "", { status: "1001st" }, bob.token);
    expect(over.status).toBe(422);
    await t.database.db.delete(drafts).where(eq(drafts.accountId, bob.id));
  });

  it("publishes a draft now, with its media, and deletes it in the same step", async () => {
    const media = await upload();
    const draft = await ok(await call("POST", "", { status: "From a draft", media_ids: [media] }));
    expect(draft.media_attachments.map((m) => m.id)).toEqual([media]);
    const status = await ok<{ id: string; content: string; media_attachments: { id: string }[] }>(
      await call("POST", `/${draft.id}/publish`),
    );
    expect(status.content).toContain("From a draft");
    expect(status.media_attachments.map((m) => m.id)).toEqual([media]);
    expect((await call("GET", `/${draft.id}`)).status).toBe(404);
    expect((await call("POST", `/${draft.id}/publish`)).status).toBe(404);

    // Saved again between reading and publishing: the newer text is not lost to the older one.
    const saved = await ok(await call("POST", "", { status: "first words" }));
    const read = await getDraft(t.database.db, alice.id, saved.id);
    await ok(await call("PUT", `/${saved.id}`, { status: "better words" }));
    const author = await getAccount(t.database.db, alice.id);
    await expect(
      publishDraft(t.database.db, t.config, author, read, { status: "first words" }),
    ).rejects.toMatchObject({ status: 409 });
    expect((await ok(await call("GET", `/${saved.id}`))).params.status).toBe("better words");
  });

  it("schedules a draft with scheduled_at; an unfinished one stays a draft with a 422", async () => {
    const draft = await ok(await call("POST", "", { status: "Draft for later" }));
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await ok<{ id: string; scheduled_at: string; params: { text: string } }>(
      await call("POST", `/${draft.id}/publish`, { scheduled_at: at }),
    );
    expect(scheduled).toMatchObject({ scheduled_at: at, params: { text: "Draft for later" } });
    expect((await call("GET", `/${draft.id}`)).status).toBe(404);
    const listed = await ok<{ id: string }[]>(
      await t.request("/api/v1/scheduled_statuses", { token: alice.token }),
    );
    expect(listed.map((s) => s.id)).toContain(scheduled.id);

    const unfinished = await ok(await call("POST", "", { spoiler_text: "only a warning" }));
    const res = await call("POST", `/${unfinished.id}/publish`);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/blank/);
    expect((await call("GET", `/${unfinished.id}`)).status).toBe(200);
    const past = await call("POST", `/${unfinished.id}/publish`, {
      scheduled_at: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(past.status).toBe(422);
  });

  it("the clean-up of unattached uploads keeps those of drafts and scheduled posts", async () => {
    const [loose, drafted, scheduled] = [await upload(), await upload(), await upload()];
    await ok(await call("POST", "", { status: "keeps its picture", media_ids: [drafted] }));
    const res = await t.request("/api/v1/statuses", {
      method: "POST",
      token: alice.token,
      json: {
        status: "scheduled picture",
        media_ids: [scheduled],
        scheduled_at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(res.status).toBe(200);
    await t.database.db.execute(
      sql`update media_attachments set created_at = now() - interval '2 days' where account_id = ${alice.id}`,
    );
    await sweepUnattachedMedia(t.database.db);
    const left = await t.database.db
      .select({ id: mediaAttachments.id })
      .from(mediaAttachments)
      .where(eq(mediaAttachments.accountId, alice.id));
    const ids = left.map((m) => m.id);
    expect(ids).not.toContain(loose);
    expect(ids).toEqual(expect.arrayContaining([drafted, scheduled]));
  });
});
