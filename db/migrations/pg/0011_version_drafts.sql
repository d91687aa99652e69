ALTER TABLE "flow_versions" ADD COLUMN "problems" jsonb;--> statement-breakpoint
ALTER TABLE "flow_versions" ADD COLUMN "created_by" text;