CREATE TABLE "waiters" (
	"wait_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"profile_id" text,
	"status" text NOT NULL,
	"released_at" bigint,
	"part" bigint,
	"position" bigint,
	CONSTRAINT "waiters_wait_id_customer_id_pk" PRIMARY KEY("wait_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "waits" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"node_id" text NOT NULL,
	"flow_id" text NOT NULL,
	"workflow_id" text NOT NULL,
	"event" text NOT NULL,
	"conditions" jsonb NOT NULL,
	"match" text NOT NULL,
	"since" bigint NOT NULL,
	"deadline" bigint NOT NULL,
	"closed_at" bigint
);
--> statement-breakpoint
CREATE INDEX "waiters_profile" ON "waiters" USING btree ("profile_id","status");--> statement-breakpoint
CREATE INDEX "waiters_status" ON "waiters" USING btree ("wait_id","status");--> statement-breakpoint
CREATE INDEX "waits_open" ON "waits" USING btree ("closed_at","event");