CREATE TABLE "delivery_hosts" (
	"host" text PRIMARY KEY NOT NULL,
	"failure_count" integer DEFAULT 0 NOT NULL,
	"first_failure_at" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"unreachable_since" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drafts" (
	"id" bigint PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"params" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" bigint PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"type" text NOT NULL,
	"mode" text DEFAULT 'merge' NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"rows" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scheduled_statuses" (
	"id" bigint PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"params" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "status_cleanup_policies" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"min_status_age_days" integer DEFAULT 14 NOT NULL,
	"keep_direct" boolean DEFAULT true NOT NULL,
	"keep_pinned" boolean DEFAULT true NOT NULL,
	"keep_polls" boolean DEFAULT false NOT NULL,
	"keep_media" boolean DEFAULT false NOT NULL,
	"keep_self_fav" boolean DEFAULT true NOT NULL,
	"keep_self_bookmark" boolean DEFAULT true NOT NULL,
	"min_favs" integer,
	"min_reblogs" integer,
	"last_checked_id" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"id" bigint PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"account_id" bigint NOT NULL,
	"max_uses" integer,
	"uses" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone,
	"autofollow" boolean DEFAULT false NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "web_sessions" (
	"id" bigint PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"account_id" bigint NOT NULL,
	"csrf_token" text NOT NULL,
	"user_agent" text,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "silenced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "approved" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "sign_up_reason" text;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "email" text;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "locale" text;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "invite_id" bigint;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "sign_up_ip" text;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "password_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD COLUMN "scheduled_status_id" bigint;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "action_taken_by_account_id" bigint;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "assigned_account_id" bigint;--> statement-breakpoint
ALTER TABLE "statuses" ADD COLUMN "content_type" text;--> statement-breakpoint
ALTER TABLE "statuses" ADD COLUMN "title" text;--> statement-breakpoint
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scheduled_statuses" ADD CONSTRAINT "scheduled_statuses_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_cleanup_policies" ADD CONSTRAINT "status_cleanup_policies_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invites" ADD CONSTRAINT "invites_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "delivery_hosts_failing_idx" ON "delivery_hosts" USING btree ("last_failure_at") WHERE "delivery_hosts"."failure_count" > 0;--> statement-breakpoint
CREATE INDEX "drafts_account_idx" ON "drafts" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "imports_account_idx" ON "imports" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "scheduled_statuses_due_idx" ON "scheduled_statuses" USING btree ("scheduled_at");--> statement-breakpoint
CREATE INDEX "scheduled_statuses_account_idx" ON "scheduled_statuses" USING btree ("account_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "invites_code_key" ON "invites" USING btree ("code");--> statement-breakpoint
CREATE INDEX "invites_account_idx" ON "invites" USING btree ("account_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "web_sessions_token_key" ON "web_sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "web_sessions_account_idx" ON "web_sessions" USING btree ("account_id");--> statement-breakpoint
ALTER TABLE "media_attachments" ADD CONSTRAINT "media_attachments_scheduled_status_id_scheduled_statuses_id_fk" FOREIGN KEY ("scheduled_status_id") REFERENCES "public"."scheduled_statuses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_action_taken_by_account_id_accounts_id_fk" FOREIGN KEY ("action_taken_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_assigned_account_id_accounts_id_fk" FOREIGN KEY ("assigned_account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;