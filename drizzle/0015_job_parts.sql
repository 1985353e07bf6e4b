CREATE TABLE "job_parts" (
	"hash" text PRIMARY KEY NOT NULL,
	"body" jsonb NOT NULL,
	"touched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "part" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_part_job_parts_hash_fk" FOREIGN KEY ("part") REFERENCES "public"."job_parts"("hash") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_part_idx" ON "jobs" USING btree ("part") WHERE "jobs"."part" is not null;