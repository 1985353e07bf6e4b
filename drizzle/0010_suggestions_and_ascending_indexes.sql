CREATE TABLE "suggestion_dismissals" (
	"account_id" bigint NOT NULL,
	"target_account_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suggestion_dismissals_account_id_target_account_id_pk" PRIMARY KEY("account_id","target_account_id")
);
--> statement-breakpoint
DROP INDEX "conversations_account_idx";--> statement-breakpoint
DROP INDEX "notifications_account_idx";--> statement-breakpoint
DROP INDEX "notifications_group_idx";--> statement-breakpoint
DROP INDEX "blocks_account_idx";--> statement-breakpoint
DROP INDEX "mutes_account_idx";--> statement-breakpoint
DROP INDEX "bookmarks_account_idx";--> statement-breakpoint
DROP INDEX "favourites_account_idx";--> statement-breakpoint
DROP INDEX "favourites_status_idx";--> statement-breakpoint
DROP INDEX "interaction_requests_status_idx";--> statement-breakpoint
DROP INDEX "quotes_quoted_idx";--> statement-breakpoint
DROP INDEX "status_pins_account_idx";--> statement-breakpoint
DROP INDEX "status_tags_name_status_idx";--> statement-breakpoint
DROP INDEX "statuses_account_idx";--> statement-breakpoint
DROP INDEX "statuses_public_idx";--> statement-breakpoint
DROP INDEX "statuses_local_public_idx";--> statement-breakpoint
DROP INDEX "statuses_reblog_idx";--> statement-breakpoint
ALTER TABLE "suggestion_dismissals" ADD CONSTRAINT "suggestion_dismissals_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suggestion_dismissals" ADD CONSTRAINT "suggestion_dismissals_target_account_id_accounts_id_fk" FOREIGN KEY ("target_account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_account_idx" ON "conversations" USING btree ("account_id","last_status_id");--> statement-breakpoint
CREATE INDEX "notifications_account_idx" ON "notifications" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "notifications_group_idx" ON "notifications" USING btree ("account_id","group_key","id");--> statement-breakpoint
CREATE INDEX "blocks_account_idx" ON "blocks" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "mutes_account_idx" ON "mutes" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "bookmarks_account_idx" ON "bookmarks" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "favourites_account_idx" ON "favourites" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "favourites_status_idx" ON "favourites" USING btree ("status_id","id");--> statement-breakpoint
CREATE INDEX "interaction_requests_status_idx" ON "interaction_requests" USING btree ("status_id","id");--> statement-breakpoint
CREATE INDEX "quotes_quoted_idx" ON "quotes" USING btree ("quoted_status_id","id");--> statement-breakpoint
CREATE INDEX "status_pins_account_idx" ON "status_pins" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "status_tags_name_status_idx" ON "status_tags" USING btree ("name","status_id");--> statement-breakpoint
CREATE INDEX "statuses_account_idx" ON "statuses" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "statuses_public_idx" ON "statuses" USING btree ("id") WHERE "statuses"."visibility" = 'public';--> statement-breakpoint
CREATE INDEX "statuses_local_public_idx" ON "statuses" USING btree ("id") WHERE "statuses"."visibility" = 'public' and "statuses"."local" and "statuses"."reblog_of_id" is null;--> statement-breakpoint
CREATE INDEX "statuses_reblog_idx" ON "statuses" USING btree ("reblog_of_id","id") WHERE "statuses"."reblog_of_id" is not null;