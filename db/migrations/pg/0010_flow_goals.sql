CREATE TABLE "flow_goals" (
	"flow_id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"conditions" jsonb NOT NULL,
	"match" text NOT NULL,
	"window_days" double precision NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flow_goals" ADD CONSTRAINT "flow_goals_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;