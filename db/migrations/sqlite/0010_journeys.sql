CREATE TABLE `waiters` (
	`wait_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`profile_id` text,
	`status` text NOT NULL,
	`released_at` integer,
	`part` integer,
	`position` integer,
	PRIMARY KEY(`wait_id`, `customer_id`)
);
--> statement-breakpoint
CREATE INDEX `waiters_profile` ON `waiters` (`profile_id`,`status`);--> statement-breakpoint
CREATE INDEX `waiters_status` ON `waiters` (`wait_id`,`status`);--> statement-breakpoint
CREATE TABLE `waits` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`node_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`event` text NOT NULL,
	`conditions` text NOT NULL,
	`match` text NOT NULL,
	`since` integer NOT NULL,
	`deadline` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
CREATE INDEX `waits_open` ON `waits` (`closed_at`,`event`);