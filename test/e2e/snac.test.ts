import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TERN_VERSION } from "../../src/federation/dispatchers/nodeinfo.ts";
import { api, followAndWait, type Site, startSite, stopSite } from "../helpers/sites.ts";
import { HARNESS_AGENT, md5, type Snac, snacUnavailable, startSnac } from "../helpers/snac.ts";
import { eventually } from "../helpers/tern.ts";
import { makeCertificate } from "../helpers/tls.ts";

/**
 * A real, independent peer: snac2 (C, libcurl; Debian's bookworm-backports, installed by
 * .ci/install-snac) on loopback behind TLS, and one Tern server process. sam on snac and alice on
 * Tern follow each other, then post, reply and like both ways; what each side shows is read from
 * Tern's API and from snac's own files on disk. One snac and one Tern serve every case, in order.
 */
const unavailable = snacUnavailable();
if (unavailable) console.warn(`test/e2e/snac.test.ts SKIPPED: ${unavailable}`);

interface Status {
  id: string;
  uri: string;
  content: string;
  favourites_count: number;
  replies_count: number;
  reblogs_count: number;
}
interface Notification {
  type: string;
  account: { acct: string };
  status?: { id: string; uri: string };
}
type Context = { ancestors: Status[]; descendants: Status[] };

const WAIT = 30_000;
/** Each case waits on both servers' queues (snac looks at its own every few seconds). */
const CASE = 90_000;
let site: Site;
let snac: Snac;
let aliceUri: string;
let samOnTern: { id: string; acct: string };

const post = (status: string, extra: Record<string, unknown> = {}) =>
  api<Status>(site, "alice", "/api/v1/statuses", { method: "POST", json: { status, ...extra } });
const statusOnTern = (id: string) => api<Status>(site, "alice", `/api/v1/statuses/${id}`);
const notifications = () => api<Notification[]>(site, "alice", "/api/v1/notifications");
/** Who alice's notification of `type` about the status `uri` names, if she has one. */
const notifiedBy = async (type: string, uri: string) =>
  (await notifications()).find((n) => n.type === type && n.status?.uri === uri)?.account.acct;
/** sam's post as alice's home timeline shows it, once it has arrived. */
const arrivedOnTern = (text: string) =>
  eventually(async () => {
    const home = await api<Status[]>(site, "alice", "/api/v1/timelines/home");
    return home.find((s) => s.uri.startsWith(snac.origin) && s.content.includes(text));
  }, WAIT);
/** The post as snac stored it, once it has arrived. */
const arrivedOnSnac = (uri: string) => eventually(async () => snac.object(uri), WAIT);
/** alice posts `text`; resolves once snac has it (for sam to answer, like or boost). */
const postSeenBySnac = async (text: string) => {
  const status = await post(text);
  await arrivedOnSnac(status.uri);
  return status;
};

describe.skipIf(unavailable)(
  unavailable ? `snac2 peer (skipped: ${unavailable})` : "snac2 peer",
  () => {
    beforeAll(async () => {
      const tls = makeCertificate();
      [site, snac] = await Promise.all([
        startSite(["alice"], tls.certFile, tls),
        startSnac("sam", tls),
      ]);
      aliceUri = `https://${site.host}/users/alice`;
      // Starting a Tern site (CLI account and token, then the server) is slow on a busy machine.
    }, 180_000);
    afterAll(async () => {
      await snac?.stop();
      await stopSite(site);
    }, CASE);

    it(
      "follows both ways: sam follows alice, alice follows sam",
      async () => {
        await snac.cli("follow", aliceUri);
        const follower = await eventually(async () => {
          const list = await notifications();
          return list.find((n) => n.type === "follow")?.account;
        }, WAIT);
        expect(follower.acct).toBe(`sam@${snac.host}`);

        samOnTern = await api(site, "alice", `/api/v1/accounts/lookup?acct=sam@${snac.host}`);
        await followAndWait(site, "alice", samOnTern.id);
        // snac keeps followers and followings as files named by the md5 of the actor id.
        await eventually(
          async () => snac.isFollowedBy(aliceUri) && snac.isFollowing(aliceUri),
          WAIT,
        );
        const [rel] = await api<{ following: boolean; followed_by: boolean }[]>(
          site,
          "alice",
          `/api/v1/accounts/relationships?id[]=${samOnTern.id}`,
        );
        expect(rel).toMatchObject({ following: true, followed_by: true });
      },
      CASE,
    );

    it(
      "a post from each side reaches the other",
      async () => {
        const fromTern = await post("Hello snac, this is Tern");
        expect(await arrivedOnSnac(fromTern.uri)).toMatchObject({ attributedTo: aliceUri });
        expect(snac.findPosts("this is Tern")).toContain(fromTern.uri);

        await snac.cli("note", "Hello Tern, this is snac");
        const fromSnac = await arrivedOnTern("this is snac");
        expect(fromSnac.uri).toMatch(new RegExp(`^${snac.origin}/sam/p/`));
      },
      CASE,
    );

    it(
      "a post that mentions sam, who follows alice, reaches snac once (one notification)",
      async () => {
        const mention = await post(`Hi @sam@${snac.host}, one copy please`);
        await eventually(
          async () => snac.notifications().some((n) => n.objid === mention.uri),
          WAIT,
        );
        // A second copy travels with the first; a later post stored by snac has come after both.
        const later = await post("Nothing more to see");
        await arrivedOnSnac(later.uri);
        await eventually(async () => snac.findPosts("Nothing more to see").length > 0, WAIT);
        const copies = snac
          .received()
          .filter((r) => r.type === "Create" && r.objectId === mention.uri);
        expect(copies).toHaveLength(1);
        expect(snac.notifications().filter((n) => n.objid === mention.uri)).toHaveLength(1);
      },
      CASE,
    );

    it(
      "every request snac got from Tern says Tern/<version> (+PUBLIC_URL)",
      () => {
        // snac also delivers to its own shared inbox; the harness names itself.
        const fromTern = snac
          .received()
          .filter((r) => r.userAgent !== HARNESS_AGENT && !r.userAgent.startsWith("snac/"));
        expect(fromTern.some((r) => r.method === "POST")).toBe(true);
        expect(fromTern.some((r) => r.method === "GET")).toBe(true);
        expect(new Set(fromTern.map((r) => r.userAgent))).toEqual(
          new Set([`Tern/${TERN_VERSION} (+https://${site.host})`]),
        );
      },
      CASE,
    );

    it(
      "sam's reply to alice's post shows in its context and notifies her (mention)",
      async () => {
        const original = await postSeenBySnac("What do you think, sam?");
        await snac.post("I think Tern and snac get along", original.uri);
        const threaded = await eventually(async () => {
          const context = await api<Context>(
            site,
            "alice",
            `/api/v1/statuses/${original.id}/context`,
          );
          return context.descendants.length > 0 && context.descendants;
        }, WAIT);
        expect(threaded.map((s) => s.content)).toEqual([
          expect.stringContaining("Tern and snac get along"),
        ]);
        expect((await statusOnTern(original.id)).replies_count).toBe(1);
        expect(await notifiedBy("mention", threaded[0].uri)).toBe(`sam@${snac.host}`);
      },
      CASE,
    );

    it(
      "sam likes alice's post: a favourite notification and a count of 1; unlike: back to 0",
      async () => {
        const liked = await postSeenBySnac("Like this one");
        await snac.action("Like", liked.uri);
        await eventually(async () => (await statusOnTern(liked.id)).favourites_count === 1, WAIT);
        expect(await notifiedBy("favourite", liked.uri)).toBe(`sam@${snac.host}`);

        await snac.action("Unlike", liked.uri);
        await eventually(async () => (await statusOnTern(liked.id)).favourites_count === 0, WAIT);
        expect(await api(site, "alice", `/api/v1/statuses/${liked.id}/favourited_by`)).toEqual([]);
      },
      CASE,
    );

    it(
      "alice likes sam's post: snac records her like",
      async () => {
        await snac.cli("note", "A snac post for alice to like");
        const onTern = await arrivedOnTern("for alice to like");
        await api(site, "alice", `/api/v1/statuses/${onTern.id}/favourite`, { method: "POST" });
        await eventually(async () => snac.admirers(onTern.uri, "l").includes(md5(aliceUri)), WAIT);
        expect(snac.notifications().find((n) => n.type === "Like")).toMatchObject({
          actor: aliceUri,
          objid: onTern.uri,
        });
      },
      CASE,
    );

    it(
      "alice replies to sam's post: snac stores the reply in the thread and notifies sam",
      async () => {
        await snac.cli("note", "A snac post for alice to answer");
        const onTern = await arrivedOnTern("for alice to answer");
        // As Mastodon apps do, the reply starts with the author's handle (snac notifies mentions;
        // a reply that names nobody is threaded but not notified).
        const reply = await post(`@sam@${snac.host} Tern answers snac`, {
          in_reply_to_id: onTern.id,
        });
        const stored = await arrivedOnSnac(reply.uri);
        expect(stored).toMatchObject({ inReplyTo: onTern.uri, attributedTo: aliceUri });
        await eventually(async () => snac.notifications().some((n) => n.objid === reply.uri), WAIT);
      },
      CASE,
    );

    it(
      "sam boosts alice's post: a reblog notification and a count of 1; unboost: back to 0",
      async () => {
        const boosted = await postSeenBySnac("Boost this one");
        await snac.cli("boost", boosted.uri);
        await eventually(async () => (await statusOnTern(boosted.id)).reblogs_count === 1, WAIT);
        expect(await notifiedBy("reblog", boosted.uri)).toBe(`sam@${snac.host}`);

        await snac.cli("unboost", boosted.uri);
        await eventually(async () => (await statusOnTern(boosted.id)).reblogs_count === 0, WAIT);
        expect(await notifiedBy("reblog", boosted.uri)).toBeUndefined();
      },
      CASE,
    );

    it(
      "alice boosts sam's post: snac records her boost, then takes her Undo",
      async () => {
        await snac.cli("note", "A snac post for alice to boost");
        const onTern = await arrivedOnTern("for alice to boost");
        await api(site, "alice", `/api/v1/statuses/${onTern.id}/reblog`, { method: "POST" });
        await eventually(async () => snac.admirers(onTern.uri, "a").includes(md5(aliceUri)), WAIT);
        // snac writes its notification after the admirers index: wait for it too.
        await eventually(async () => snac.notifications().some((n) => n.type === "Announce"), WAIT);

        await api(site, "alice", `/api/v1/statuses/${onTern.id}/unreblog`, { method: "POST" });
        // snac takes the Undo(Announce) (it logs the unboost; its admirers index keeps the entry).
        await eventually(async () => snac.output().includes(`Unboost for ${onTern.uri} 200`), WAIT);
      },
      CASE,
    );
  },
);
