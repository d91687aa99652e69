CREATE TABLE "failed_events" (
	"id" text PRIMARY KEY NOT NULL,
	"source_id" text NOT NULL,
	"message_id" text,
	"type" text,
	"event" text,
	"received_at" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	"reasons" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox" (
	"position" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "inbox_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source_id" text NOT NULL,
	"message_id" text NOT NULL,
	"type" text NOT NULL,
	"event" text,
	"user_id" text,
	"anonymous_id" text,
	"timestamp" bigint NOT NULL,
	"received_at" bigint NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"write_key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"unplanned" text DEFAULT 'accept' NOT NULL,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"revoked_at" bigint,
	CONSTRAINT "sources_name_unique" UNIQUE("name"),
	CONSTRAINT "sources_write_key_hash_unique" UNIQUE("write_key_hash")
);
--> statement-breakpoint
CREATE INDEX "failed_events_received" ON "failed_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_source_message" ON "inbox" USING btree ("source_id","message_id");--> statement-breakpoint
CREATE INDEX "inbox_received" ON "inbox" USING btree ("received_at");