CREATE TABLE `ledger` (
	`key` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`flow_version` integer NOT NULL,
	`node_id` text NOT NULL,
	`channel` text NOT NULL,
	`customer_id` text,
	`profile_id` text,
	`status` text NOT NULL,
	`reason` text,
	`content` text,
	`model` text,
	`arm` text,
	`provider_id` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_customer` ON `ledger` (`customer_id`,`at`);--> statement-breakpoint
CREATE INDEX `ledger_profile` ON `ledger` (`profile_id`,`at`);--> statement-breakpoint
CREATE INDEX `ledger_run` ON `ledger` (`run_id`,`node_id`);--> statement-breakpoint
CREATE TABLE `sync_states` (
	`destination` text NOT NULL,
	`record_key` text NOT NULL,
	`hash` text NOT NULL,
	`synced_at` integer NOT NULL,
	PRIMARY KEY(`destination`, `record_key`)
);
