import { eq, sql } from "drizzle-orm";
import { jobs, polls } from "../../src/db/schema/index.ts";
import type { TestTern } from "./tern.ts";

/** Time travel: the poll ends now, and its queued `poll.close` job is due. */
export async function endPollNow(tern: TestTern, pollId: string): Promise<void> {
  const db = tern.database.db;
  await db
    .update(polls)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(polls.id, pollId));
  await db
    .update(jobs)
    .set({ runAt: new Date() })
    .where(sql`${jobs.payload}->>'type' = 'poll.close' and ${jobs.payload}->>'pollId' = ${pollId}`);
}
