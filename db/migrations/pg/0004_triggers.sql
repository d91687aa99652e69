CREATE TABLE "audience_members" (
	"flow_id" text NOT NULL,
	"profile_id" text NOT NULL,
	"since" bigint NOT NULL,
	CONSTRAINT "audience_members_flow_id_profile_id_pk" PRIMARY KEY("flow_id","profile_id")
);
--> statement-breakpoint
CREATE TABLE "cohorts" (
	"id" text PRIMARY KEY NOT NULL,
	"flow_id" text NOT NULL,
	"flow_version_id" text NOT NULL,
	"node_id" text NOT NULL,
	"kind" text NOT NULL,
	"members" jsonb NOT NULL,
	"detail" jsonb,
	"size" integer NOT NULL,
	"first_at" bigint,
	"last_at" bigint,
	"created_at" bigint NOT NULL,
	"started_at" bigint,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "identities" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"profile_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "identities_kind_value_pk" PRIMARY KEY("kind","value")
);
--> statement-breakpoint
CREATE TABLE "inbox_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"position" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profiles" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"traits" jsonb NOT NULL,
	"first_seen" bigint NOT NULL,
	"last_seen" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"merged_into" text
);
--> statement-breakpoint
CREATE TABLE "triggers" (
	"flow_id" text PRIMARY KEY NOT NULL,
	"flow_version_id" text NOT NULL,
	"node_id" text NOT NULL,
	"kind" text NOT NULL,
	"config" jsonb NOT NULL,
	"position" bigint NOT NULL,
	"evaluated_at" bigint,
	"evaluations" integer DEFAULT 0 NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"flow_id" text PRIMARY KEY NOT NULL,
	"secret" text,
	"token_hash" text,
	"created_by" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "trigger" jsonb;--> statement-breakpoint
CREATE INDEX "cohorts_pending" ON "cohorts" USING btree ("started_at","created_at");--> statement-breakpoint
CREATE INDEX "cohorts_flow" ON "cohorts" USING btree ("flow_id","created_at");--> statement-breakpoint
CREATE INDEX "identities_profile" ON "identities" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "profiles_user" ON "profiles" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "profiles_updated" ON "profiles" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "inbox_user" ON "inbox" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "inbox_anonymous" ON "inbox" USING btree ("anonymous_id");