CREATE TABLE "tracking_plan" (
	"id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"version" integer NOT NULL,
	"schema" jsonb NOT NULL,
	"description" text,
	"created_by" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "failed_events" ADD COLUMN "replayed_at" bigint;--> statement-breakpoint
ALTER TABLE "inbox" ADD COLUMN "unplanned" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "tracking_plan_event_version" ON "tracking_plan" USING btree ("event","version");