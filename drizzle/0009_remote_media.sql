ALTER TABLE "accounts" ADD COLUMN "avatar_cache_key" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "avatar_cache_url" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "header_cache_key" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "header_cache_url" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "images_cached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD COLUMN "cached_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "accounts_images_cached_idx" ON "accounts" USING btree ("images_cached_at") WHERE "accounts"."avatar_cache_key" is not null or "accounts"."header_cache_key" is not null;--> statement-breakpoint
CREATE INDEX "media_attachments_cached_idx" ON "media_attachments" USING btree ("cached_at") WHERE "media_attachments"."cached_at" is not null;