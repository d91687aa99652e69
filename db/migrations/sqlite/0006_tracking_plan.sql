CREATE TABLE `tracking_plan` (
	`id` text PRIMARY KEY NOT NULL,
	`event` text NOT NULL,
	`version` integer NOT NULL,
	`schema` text NOT NULL,
	`description` text,
	`created_by` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tracking_plan_event_version` ON `tracking_plan` (`event`,`version`);--> statement-breakpoint
ALTER TABLE `failed_events` ADD `replayed_at` integer;--> statement-breakpoint
ALTER TABLE `inbox` ADD `unplanned` integer DEFAULT false NOT NULL;