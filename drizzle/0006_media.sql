CREATE TABLE "media_attachments" (
	"id" bigint PRIMARY KEY NOT NULL,
	"account_id" bigint NOT NULL,
	"status_id" bigint,
	"position" integer DEFAULT 0 NOT NULL,
	"type" text NOT NULL,
	"state" text DEFAULT 'ready' NOT NULL,
	"content_type" text,
	"file_size" integer,
	"upload_key" text,
	"file_key" text,
	"preview_key" text,
	"url" text,
	"preview_url" text,
	"remote_url" text,
	"description" text,
	"blurhash" text,
	"meta" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "hide_collections" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "fields" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "note_source" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "fields_source" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "avatar_key" text;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "header_key" text;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "default_privacy" text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "default_sensitive" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "local_users" ADD COLUMN "default_language" text;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD CONSTRAINT "media_attachments_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD CONSTRAINT "media_attachments_status_id_statuses_id_fk" FOREIGN KEY ("status_id") REFERENCES "public"."statuses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "media_attachments_status_idx" ON "media_attachments" USING btree ("status_id","position");--> statement-breakpoint
CREATE INDEX "media_attachments_unattached_idx" ON "media_attachments" USING btree ("created_at") WHERE "media_attachments"."status_id" is null;