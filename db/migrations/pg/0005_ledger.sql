CREATE TABLE "ledger" (
	"key" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"flow_id" text NOT NULL,
	"flow_version" integer NOT NULL,
	"node_id" text NOT NULL,
	"channel" text NOT NULL,
	"customer_id" text,
	"profile_id" text,
	"status" text NOT NULL,
	"reason" text,
	"content" jsonb,
	"model" jsonb,
	"arm" text,
	"provider_id" text,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_states" (
	"destination" text NOT NULL,
	"record_key" text NOT NULL,
	"hash" text NOT NULL,
	"synced_at" bigint NOT NULL,
	CONSTRAINT "sync_states_destination_record_key_pk" PRIMARY KEY("destination","record_key")
);
--> statement-breakpoint
CREATE INDEX "ledger_customer" ON "ledger" USING btree ("customer_id","at");--> statement-breakpoint
CREATE INDEX "ledger_profile" ON "ledger" USING btree ("profile_id","at");--> statement-breakpoint
CREATE INDEX "ledger_run" ON "ledger" USING btree ("run_id","node_id");