CREATE TABLE "accounts" (
	"id" bigint PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"domain" text,
	"uri" text NOT NULL,
	"url" text,
	"actor_type" text DEFAULT 'Person' NOT NULL,
	"display_name" text DEFAULT '' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"avatar_url" text,
	"header_url" text,
	"locked" boolean DEFAULT false NOT NULL,
	"bot" boolean DEFAULT false NOT NULL,
	"discoverable" boolean DEFAULT true NOT NULL,
	"indexable" boolean DEFAULT true NOT NULL,
	"inbox_url" text,
	"shared_inbox_url" text,
	"followers_url" text,
	"following_url" text,
	"outbox_url" text,
	"featured_url" text,
	"followers_count" integer DEFAULT 0 NOT NULL,
	"following_count" integer DEFAULT 0 NOT NULL,
	"statuses_count" integer DEFAULT 0 NOT NULL,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"fetched_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "local_users" (
	"account_id" bigint PRIMARY KEY NOT NULL,
	"password_hash" text NOT NULL,
	"rsa_private_key" jsonb NOT NULL,
	"rsa_public_key" jsonb NOT NULL,
	"ed25519_private_key" jsonb NOT NULL,
	"ed25519_public_key" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "follows" (
	"id" bigint PRIMARY KEY NOT NULL,
	"follower_id" bigint NOT NULL,
	"following_id" bigint NOT NULL,
	"uri" text NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"payload" jsonb NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"locked_by" text,
	"ordering_key" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kv" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "access_tokens" (
	"id" bigint PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"app_id" bigint,
	"account_id" bigint,
	"scopes" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "authorization_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"app_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"redirect_uri" text NOT NULL,
	"scopes" text NOT NULL,
	"code_challenge" text,
	"code_challenge_method" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_apps" (
	"id" bigint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"website" text,
	"redirect_uris" text NOT NULL,
	"scopes" text NOT NULL,
	"client_id" text NOT NULL,
	"client_secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "home_feed" (
	"account_id" bigint NOT NULL,
	"status_id" bigint NOT NULL,
	CONSTRAINT "home_feed_account_id_status_id_pk" PRIMARY KEY("account_id","status_id")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"account_id" bigint NOT NULL,
	"key" text NOT NULL,
	"status_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_account_id_key_pk" PRIMARY KEY("account_id","key")
);
--> statement-breakpoint
CREATE TABLE "mentions" (
	"status_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	CONSTRAINT "mentions_status_id_account_id_pk" PRIMARY KEY("status_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "status_tags" (
	"status_id" bigint NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "status_tags_status_id_name_pk" PRIMARY KEY("status_id","name")
);
--> statement-breakpoint
CREATE TABLE "statuses" (
	"id" bigint PRIMARY KEY NOT NULL,
	"uri" text NOT NULL,
	"url" text,
	"account_id" bigint NOT NULL,
	"in_reply_to_id" bigint,
	"in_reply_to_uri" text,
	"in_reply_to_account_id" bigint,
	"content" text NOT NULL,
	"source" text,
	"spoiler_text" text DEFAULT '' NOT NULL,
	"sensitive" boolean DEFAULT false NOT NULL,
	"visibility" text NOT NULL,
	"language" text,
	"local" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "local_users" ADD CONSTRAINT "local_users_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_follower_id_accounts_id_fk" FOREIGN KEY ("follower_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follows" ADD CONSTRAINT "follows_following_id_accounts_id_fk" FOREIGN KEY ("following_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_tokens" ADD CONSTRAINT "access_tokens_app_id_oauth_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."oauth_apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_tokens" ADD CONSTRAINT "access_tokens_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authorization_codes" ADD CONSTRAINT "authorization_codes_app_id_oauth_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."oauth_apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authorization_codes" ADD CONSTRAINT "authorization_codes_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "home_feed" ADD CONSTRAINT "home_feed_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "home_feed" ADD CONSTRAINT "home_feed_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentions" ADD CONSTRAINT "mentions_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mentions" ADD CONSTRAINT "mentions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_tags" ADD CONSTRAINT "status_tags_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statuses" ADD CONSTRAINT "statuses_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_uri_key" ON "accounts" USING btree ("uri");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_acct_key" ON "accounts" USING btree (lower("username"),coalesce(lower("domain"), ''));--> statement-breakpoint
CREATE INDEX "accounts_url_idx" ON "accounts" USING btree ("url");--> statement-breakpoint
CREATE UNIQUE INDEX "follows_pair_key" ON "follows" USING btree ("follower_id","following_id");--> statement-breakpoint
CREATE INDEX "follows_following_idx" ON "follows" USING btree ("following_id","state");--> statement-breakpoint
CREATE INDEX "follows_uri_idx" ON "follows" USING btree ("uri");--> statement-breakpoint
CREATE INDEX "jobs_due_idx" ON "jobs" USING btree ("queue","run_at");--> statement-breakpoint
CREATE INDEX "jobs_ordering_idx" ON "jobs" USING btree ("queue","ordering_key","id") WHERE "jobs"."ordering_key" is not null;--> statement-breakpoint
CREATE INDEX "kv_expires_idx" ON "kv" USING btree ("expires_at") WHERE "kv"."expires_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "access_tokens_hash_key" ON "access_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "access_tokens_app_idx" ON "access_tokens" USING btree ("app_id");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_apps_client_id_key" ON "oauth_apps" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "mentions_account_idx" ON "mentions" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "status_tags_name_idx" ON "status_tags" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "statuses_uri_key" ON "statuses" USING btree ("uri");--> statement-breakpoint
CREATE INDEX "statuses_account_idx" ON "statuses" USING btree ("account_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "statuses_public_idx" ON "statuses" USING btree ("id" DESC NULLS LAST) WHERE "statuses"."visibility" = 'public';--> statement-breakpoint
CREATE INDEX "statuses_reply_idx" ON "statuses" USING btree ("in_reply_to_id");