import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { addLocalEmoji } from "../../src/services/emojis/emojis.ts";
import { png } from "../helpers/images.ts";
import { api, followThenSeePost, type Site, startSite, stopSite } from "../helpers/sites.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * Two Tern servers as separate processes over TLS: A's admin added `:wave_a:`; alice on A uses it
 * in her name and a post. On B, bob's home shows the post and her account with the emoji (from
 * the Note's and the actor's `Emoji` tags), its image served by A; B's own picker stays empty.
 */
type Emoji = { shortcode: string; url: string; static_url: string };
type Status = { id: string; uri: string; emojis: Emoji[]; account: { emojis: Emoji[] } };
const sites: Record<"a" | "b", Site> = {} as never;

beforeAll(async () => {
  const tls = makeCertificate();
  sites.a = await startSite(["alice"], tls.certFile, tls, async (db, env) => {
    await addLocalEmoji(db, loadConfig(env), "wave_a", await png(32, 32));
  });
  sites.b = await startSite(["bob"], tls.certFile, tls);
}, 300_000);
afterAll(async () => {
  for (const site of Object.values(sites)) await stopSite(site);
});

describe("custom emoji across two Tern servers", () => {
  it("A's emoji in alice's name and post render on B", async () => {
    const { a, b } = sites;
    await api(a, "alice", "/api/v1/accounts/update_credentials", {
      method: "PATCH",
      json: { display_name: "Alice :wave_a:" },
    });
    const { seen } = await followThenSeePost<Status>(a, "alice", b, "bob", "Hello :wave_a: from A");
    expect(seen.emojis).toEqual([expect.objectContaining({ shortcode: "wave_a" })]);
    const url = new URL(seen.emojis[0].url);
    expect(url.host).toBe(a.host);
    expect(seen.account.emojis.map((e) => e.shortcode)).toEqual(["wave_a"]);
    // The picture is really there on A.
    const file = await fetch(`${a.server.httpUrl}${url.pathname}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(await api(b, "bob", "/api/v1/custom_emojis")).toEqual([]);
  });
});
