-- Custom SQL migration file, put your code below! --
-- Counters for what existed before they were kept: every account's statuses, followers and
-- following, and every status's replies, as the old per-request counts computed them.
INSERT INTO "account_stats" ("account_id", "statuses_count", "followers_count", "following_count", "last_status_at")
SELECT a.id,
  (SELECT count(*)::int FROM statuses s WHERE s.account_id = a.id AND s.visibility IN ('public', 'unlisted', 'private')),
  (SELECT count(*)::int FROM follows f WHERE f.following_id = a.id AND f.state = 'accepted'),
  (SELECT count(*)::int FROM follows f WHERE f.follower_id = a.id AND f.state = 'accepted'),
  (SELECT max(s.created_at) FROM statuses s WHERE s.account_id = a.id)
FROM accounts a
ON CONFLICT ("account_id") DO NOTHING;
--> statement-breakpoint
INSERT INTO "status_stats" ("status_id", "replies_count")
SELECT r.in_reply_to_id, count(*)::int FROM statuses r
WHERE r.in_reply_to_id IS NOT NULL AND EXISTS (SELECT 1 FROM statuses p WHERE p.id = r.in_reply_to_id)
GROUP BY r.in_reply_to_id
ON CONFLICT ("status_id") DO NOTHING;
