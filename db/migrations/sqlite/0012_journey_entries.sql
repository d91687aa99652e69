CREATE TABLE `journey_entries` (
	`flow_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`run_id` text NOT NULL,
	`profile_id` text,
	`entered_at` integer NOT NULL,
	`exited_at` integer,
	`exit_reason` text,
	PRIMARY KEY(`flow_id`, `customer_id`, `run_id`)
);
--> statement-breakpoint
CREATE INDEX `journey_entries_open` ON `journey_entries` (`flow_id`,`exited_at`);--> statement-breakpoint
CREATE INDEX `journey_entries_run` ON `journey_entries` (`run_id`);--> statement-breakpoint
CREATE INDEX `journey_entries_profile` ON `journey_entries` (`profile_id`);--> statement-breakpoint
CREATE TABLE `journey_rules` (
	`flow_id` text PRIMARY KEY NOT NULL,
	`exit_event` text,
	`exit_conditions` text NOT NULL,
	`exit_match` text NOT NULL,
	`updated_at` integer NOT NULL
);
