CREATE TABLE "journey_entries" (
	"flow_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"run_id" text NOT NULL,
	"profile_id" text,
	"entered_at" bigint NOT NULL,
	"exited_at" bigint,
	"exit_reason" text,
	CONSTRAINT "journey_entries_flow_id_customer_id_run_id_pk" PRIMARY KEY("flow_id","customer_id","run_id")
);
--> statement-breakpoint
CREATE TABLE "journey_rules" (
	"flow_id" text PRIMARY KEY NOT NULL,
	"exit_event" text,
	"exit_conditions" jsonb NOT NULL,
	"exit_match" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "journey_entries_open" ON "journey_entries" USING btree ("flow_id","exited_at");--> statement-breakpoint
CREATE INDEX "journey_entries_run" ON "journey_entries" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "journey_entries_profile" ON "journey_entries" USING btree ("profile_id");