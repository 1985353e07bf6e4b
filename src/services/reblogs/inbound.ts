import type { Db } from "../../db/client.ts";
import type { Visibility } from "../../db/schema/statuses.ts";
import { type Account, getAccount } from "../accounts/accounts.ts";
import { hasLocalFollower } from "../follows/local-followers.ts";
import { enqueueJob, type TernJob } from "../jobs.ts";
import type { RemotePostResolver } from "../statuses/parents.ts";
import { findStatusByUri, upsertRemoteStatus } from "../statuses/remote.ts";
import type { Status } from "../statuses/types.ts";
import { fanOutToHomeFeeds } from "../timelines/fanout.ts";
import { receiveBoost } from "./reblogs.ts";

/** A remote Announce as the inbox read it (its id on the booster's origin, checked there). */
export interface AnnounceData {
  uri: string;
  /** The boosted object's id: on any origin, never taken from what the Announce embeds. */
  objectUri: string;
  visibility: Visibility;
  publishedAt: Date;
}

export type AnnounceOutcome = "stored" | "queued" | "ignored";

/**
 * Mastodon's `announceable?`: a public or unlisted post, or the booster's own (a followers-only
 * self-boost). Direct and others' followers-only posts are never boosted, so never counted.
 */
const announceable = (original: Status, boosterId: string) =>
  original.accountId === boosterId ||
  original.visibility === "public" ||
  original.visibility === "unlisted";

async function keepBoost(
  db: Db,
  booster: Account,
  original: Status,
  data: AnnounceData,
): Promise<AnnounceOutcome> {
  if (original.reblogOfId || !announceable(original, booster.id)) return "ignored";
  const boost = await receiveBoost(db, booster, original, data);
  if (boost) await fanOutToHomeFeeds(db, boost.id);
  return boost ? "stored" : "ignored";
}

/**
 * An Announce from a remote account. A boost of one of our posts is kept from anyone (it counts
 * and notifies); a boost of another server's post only when someone here follows the booster
 * (it then reaches their homes). A boosted post we do not have is fetched by the worker after
 * this returns (the inbox never waits for a third server) and the boost stored then.
 */
export async function receiveAnnounce(
  db: Db,
  booster: Account,
  data: AnnounceData,
  ownOrigin: string,
): Promise<AnnounceOutcome> {
  const known = await findStatusByUri(db, data.objectUri);
  if (known) {
    if (!known.local && !(await hasLocalFollower(db, booster.id))) return "ignored";
    return keepBoost(db, booster, known, data);
  }
  // A post of ours that does not exist (or no longer): nothing to fetch.
  if (new URL(data.objectUri).origin === ownOrigin) return "ignored";
  if (!(await hasLocalFollower(db, booster.id))) return "ignored";
  await enqueueJob(db, {
    type: "reblog.fetch_original",
    announceUri: data.uri,
    boosterId: booster.id,
    objectUri: data.objectUri,
    visibility: data.visibility,
    publishedAt: data.publishedAt.toISOString(),
  });
  return "queued";
}

/**
 * The worker's half of an Announce of an unknown post: fetched through `resolve` (signed, timed
 * out, its id and author on the origin it came from), kept if public or unlisted, then the boost.
 * A fetch that fails stores nothing.
 */
export async function storeFetchedBoost(
  db: Db,
  job: Extract<TernJob, { type: "reblog.fetch_original" }>,
  resolve: RemotePostResolver,
): Promise<AnnounceOutcome> {
  const booster = await getAccount(db, job.boosterId).catch(() => null);
  if (!booster) return "ignored";
  const data: AnnounceData = {
    uri: job.announceUri,
    objectUri: job.objectUri,
    visibility: job.visibility,
    publishedAt: new Date(job.publishedAt),
  };
  let original = await findStatusByUri(db, job.objectUri);
  if (!original) {
    const fetched = await resolve(job.objectUri);
    if (!fetched || (fetched.visibility !== "public" && fetched.visibility !== "unlisted"))
      return "ignored";
    original = (await upsertRemoteStatus(db, fetched))?.status;
    if (!original) return "ignored";
  }
  return keepBoost(db, booster, original, data);
}
