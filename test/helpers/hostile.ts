/**
 * Shared set-up for the hostile-peer tests: a Tern whose user probe follows bob (GoToSocial)
 * and alice (Hollo), both fake peers built from the captures, so any post of theirs that got
 * through would be stored; and a check that a delivery changed nothing.
 */
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { queryRows } from "../../src/db/client.ts";
import { follows } from "../../src/db/schema/index.ts";
import { resolveRemoteAccount } from "../../src/federation/resolve.ts";
import { newId } from "../../src/lib/ids.ts";
import { FakePeer, settle } from "./ap-fixtures.ts";
import { startTestTern, type TestTern } from "./tern.ts";

export type Json = Record<string, unknown>;

export interface Hostile {
  tern: TestTern;
  gts: FakePeer;
  hollo: FakePeer;
  close(): Promise<void>;
}

/** Resolves the remote actor and stores an accepted follow of it by the local `follower`. */
export async function followAccepted(
  tern: TestTern,
  follower: { id: string; uri: string },
  actorId: string,
) {
  const remote = await resolveRemoteAccount(
    tern.federation,
    { db: tern.database.db, config: tern.config },
    actorId,
  );
  const id = newId();
  await tern.database.db.insert(follows).values({
    id,
    followerId: follower.id,
    followingId: remote!.id,
    uri: `${follower.uri}#follows/${id}`,
    state: "accepted",
  });
}

export async function startHostile(): Promise<Hostile> {
  const tern = await startTestTern();
  const probe = await tern.user("probe");
  const gts = await FakePeer.start("gotosocial");
  const hollo = await FakePeer.start("hollo");
  for (const peer of [gts, hollo]) await followAccepted(tern, probe.account, peer.actorId);
  return {
    tern,
    gts,
    hollo,
    async close() {
      await Promise.all([gts.close(), hollo.close()]);
      await tern.close();
    },
  };
}

/** Counts and a digest of what inbox activities can write. */
export async function snapshot(tern: TestTern) {
  const [row] = await queryRows<Json>(
    tern.database.db,
    sql`select (select count(*)::int from statuses) as statuses,
               (select count(*)::int from follows) as follows,
               (select count(*)::int from accounts) as accounts,
               (select count(*)::int from mentions) as mentions,
               (select count(*)::int from status_tags) as tags,
               (select coalesce(md5(string_agg(uri || content || coalesce(edited_at::text, ''), ',' order by uri)), '')
                  from statuses) as digest`,
  );
  return row;
}

/** Runs `send`, expects `status`, and checks that nothing changed once the queue is idle. */
export async function changesNothing(
  tern: TestTern,
  send: () => Promise<Response>,
  status: number,
): Promise<Response> {
  const before = await snapshot(tern);
  const res = await send();
  expect(res.status, await res.clone().text()).toBe(status);
  await settle(tern);
  expect(await snapshot(tern)).toEqual(before);
  return res;
}

/** The public GoToSocial Create with a fresh status id, so each test has its own post. */
export function freshCreate(gts: FakePeer, edit: (a: Json, o: Json) => void = () => {}): Json {
  const fresh = `01M81HWNZ7P8FAK9EAC${Math.random().toString(36).slice(2, 9).toUpperCase()}`;
  const activity = JSON.parse(
    gts.capture("create-note-public").replaceAll("01M81HWNZ7P8FAK9EACJG1M2XN", fresh),
  );
  edit(activity, activity.object);
  return activity;
}
