CREATE TABLE "follower_daily" (
	"account_id" bigint NOT NULL,
	"day" date NOT NULL,
	"domain" text DEFAULT '' NOT NULL,
	"gained" integer DEFAULT 0 NOT NULL,
	"lost" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "follower_daily_account_id_day_domain_pk" PRIMARY KEY("account_id","day","domain")
);
--> statement-breakpoint
CREATE TABLE "status_deliveries" (
	"status_id" bigint NOT NULL,
	"host" text NOT NULL,
	"followers" integer DEFAULT 0 NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "status_deliveries_status_id_host_pk" PRIMARY KEY("status_id","host")
);
--> statement-breakpoint
CREATE TABLE "status_reach" (
	"status_id" bigint PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"servers_reached" integer DEFAULT 0 NOT NULL,
	"followers_reached" integer DEFAULT 0 NOT NULL,
	"deliveries_failed" integer DEFAULT 0 NOT NULL,
	"deliveries_pending" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "account_warnings" (
	"id" bigint PRIMARY KEY NOT NULL,
	"target_account_id" bigint NOT NULL,
	"account_id" bigint,
	"action" text NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"report_id" bigint,
	"status_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "admin_action_logs" (
	"id" bigint PRIMARY KEY NOT NULL,
	"account_id" bigint,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"target_label" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "account_audit_log" (
	"id" bigint PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"actor_account_id" bigint,
	"action" text NOT NULL,
	"status_id" bigint,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "account_members" (
	"account_id" bigint NOT NULL,
	"member_account_id" bigint NOT NULL,
	"role" text NOT NULL,
	"added_by_account_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_members_account_id_member_account_id_pk" PRIMARY KEY("account_id","member_account_id")
);
--> statement-breakpoint
DROP INDEX "notifications_event_key";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "sensitized_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "email_confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "email_confirmation_token_hash" text;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "email_confirmation_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "password_reset_token_hash" text;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "password_reset_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "default_content_type" text DEFAULT 'text/plain' NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "account_warning_id" bigint;--> statement-breakpoint
ALTER TABLE "access_tokens" ADD COLUMN "granted_by_account_id" bigint;--> statement-breakpoint
ALTER TABLE "authorization_codes" ADD COLUMN "granted_by_account_id" bigint;--> statement-breakpoint
ALTER TABLE "web_sessions" ADD COLUMN "acting_account_id" bigint;--> statement-breakpoint
ALTER TABLE "follower_daily" ADD CONSTRAINT "follower_daily_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_deliveries" ADD CONSTRAINT "status_deliveries_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_reach" ADD CONSTRAINT "status_reach_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_reach" ADD CONSTRAINT "status_reach_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_warnings" ADD CONSTRAINT "account_warnings_target_account_id_accounts_id_fk" FOREIGN KEY ("target_account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_warnings" ADD CONSTRAINT "account_warnings_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_warnings" ADD CONSTRAINT "account_warnings_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admin_action_logs" ADD CONSTRAINT "admin_action_logs_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_audit_log" ADD CONSTRAINT "account_audit_log_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_audit_log" ADD CONSTRAINT "account_audit_log_actor_account_id_accounts_id_fk" FOREIGN KEY ("actor_account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_audit_log" ADD CONSTRAINT "account_audit_log_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_members" ADD CONSTRAINT "account_members_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_members" ADD CONSTRAINT "account_members_member_account_id_accounts_id_fk" FOREIGN KEY ("member_account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_members" ADD CONSTRAINT "account_members_added_by_account_id_accounts_id_fk" FOREIGN KEY ("added_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "status_deliveries_updated_idx" ON "status_deliveries" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "account_warnings_target_idx" ON "account_warnings" USING btree ("target_account_id","id");--> statement-breakpoint
CREATE INDEX "admin_action_logs_account_idx" ON "admin_action_logs" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "admin_action_logs_target_idx" ON "admin_action_logs" USING btree ("target_type","target_id","id");--> statement-breakpoint
CREATE INDEX "account_audit_log_account_idx" ON "account_audit_log" USING btree ("account_id","id");--> statement-breakpoint
CREATE INDEX "account_audit_log_status_idx" ON "account_audit_log" USING btree ("status_id");--> statement-breakpoint
CREATE INDEX "account_members_member_idx" ON "account_members" USING btree ("member_account_id");--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_account_warning_id_account_warnings_id_fk" FOREIGN KEY ("account_warning_id") REFERENCES "public"."account_warnings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_tokens" ADD CONSTRAINT "access_tokens_granted_by_account_id_accounts_id_fk" FOREIGN KEY ("granted_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authorization_codes" ADD CONSTRAINT "authorization_codes_granted_by_account_id_accounts_id_fk" FOREIGN KEY ("granted_by_account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_acting_account_id_accounts_id_fk" FOREIGN KEY ("acting_account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_tokens_granted_by_idx" ON "access_tokens" USING btree ("granted_by_account_id","account_id") WHERE "access_tokens"."granted_by_account_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_event_key" ON "notifications" USING btree ("account_id","type","from_account_id",coalesce("status_id", 0),coalesce("report_id", 0),coalesce("account_warning_id", 0));