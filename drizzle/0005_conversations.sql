CREATE TABLE "markers" (
	"account_id" bigint NOT NULL,
	"timeline" text NOT NULL,
	"last_read_id" bigint NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "markers_account_id_timeline_pk" PRIMARY KEY("account_id","timeline")
);
--> statement-breakpoint
CREATE TABLE "bookmarks" (
	"id" bigint PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"status_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "interaction_requests" (
	"id" bigint PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"status_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"request_uri" text NOT NULL,
	"object_uri" text NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "quotes" (
	"id" bigint PRIMARY KEY NOT NULL,
	"status_id" bigint NOT NULL,
	"quoted_status_id" bigint,
	"quoted_uri" text NOT NULL,
	"state" text NOT NULL,
	"request_uri" text,
	"authorization_uri" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "status_edits" (
	"id" bigint PRIMARY KEY NOT NULL,
	"status_id" bigint NOT NULL,
	"content" text NOT NULL,
	"spoiler_text" text DEFAULT '' NOT NULL,
	"sensitive" boolean DEFAULT false NOT NULL,
	"language" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "status_pins" (
	"account_id" bigint NOT NULL,
	"status_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "status_pins_account_id_status_id_pk" PRIMARY KEY("account_id","status_id")
);
--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "default_quote_policy" text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "follows" ADD COLUMN "show_reblogs" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "follows" ADD COLUMN "notify" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "follows" ADD COLUMN "languages" text[];--> statement-breakpoint
ALTER TABLE "home_feed" ADD COLUMN "reblog_of_id" bigint;--> statement-breakpoint
ALTER TABLE "statuses" ADD COLUMN "reblog_of_id" bigint;--> statement-breakpoint
ALTER TABLE "statuses" ADD COLUMN "quote_approval_policy" text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "statuses" ADD COLUMN "interaction_policy" jsonb;--> statement-breakpoint
ALTER TABLE "markers" ADD CONSTRAINT "markers_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookmarks" ADD CONSTRAINT "bookmarks_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookmarks" ADD CONSTRAINT "bookmarks_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interaction_requests" ADD CONSTRAINT "interaction_requests_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "interaction_requests" ADD CONSTRAINT "interaction_requests_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quotes" ADD CONSTRAINT "quotes_quoted_status_id_statuses_id_fk" FOREIGN KEY ("quoted_status_id") REFERENCES "public"."statuses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_edits" ADD CONSTRAINT "status_edits_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_pins" ADD CONSTRAINT "status_pins_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_pins" ADD CONSTRAINT "status_pins_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bookmarks_pair_key" ON "bookmarks" USING btree ("account_id","status_id");--> statement-breakpoint
CREATE INDEX "bookmarks_account_idx" ON "bookmarks" USING btree ("account_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "interaction_requests_request_key" ON "interaction_requests" USING btree ("request_uri");--> statement-breakpoint
CREATE INDEX "interaction_requests_status_idx" ON "interaction_requests" USING btree ("status_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "interaction_requests_object_idx" ON "interaction_requests" USING btree ("object_uri");--> statement-breakpoint
CREATE UNIQUE INDEX "quotes_status_key" ON "quotes" USING btree ("status_id");--> statement-breakpoint
CREATE INDEX "quotes_quoted_idx" ON "quotes" USING btree ("quoted_status_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "quotes_authorization_idx" ON "quotes" USING btree ("authorization_uri");--> statement-breakpoint
CREATE INDEX "status_edits_status_idx" ON "status_edits" USING btree ("status_id","id");--> statement-breakpoint
CREATE INDEX "status_pins_account_idx" ON "status_pins" USING btree ("account_id","created_at" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "statuses" ADD CONSTRAINT "statuses_reblog_of_id_statuses_id_fk" FOREIGN KEY ("reblog_of_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "home_feed_shown_key" ON "home_feed" USING btree ("account_id",coalesce("reblog_of_id", "status_id"));--> statement-breakpoint
CREATE INDEX "statuses_reblog_idx" ON "statuses" USING btree ("reblog_of_id","id" DESC NULLS LAST) WHERE "statuses"."reblog_of_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "statuses_reblog_key" ON "statuses" USING btree ("account_id","reblog_of_id") WHERE "statuses"."reblog_of_id" is not null;