CREATE TABLE `failed_events` (
	`id` text PRIMARY KEY NOT NULL,
	`source_id` text NOT NULL,
	`message_id` text,
	`type` text,
	`event` text,
	`received_at` integer NOT NULL,
	`payload` text NOT NULL,
	`reasons` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `failed_events_received` ON `failed_events` (`received_at`);--> statement-breakpoint
CREATE TABLE `inbox` (
	`position` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source_id` text NOT NULL,
	`message_id` text NOT NULL,
	`type` text NOT NULL,
	`event` text,
	`user_id` text,
	`anonymous_id` text,
	`timestamp` integer NOT NULL,
	`received_at` integer NOT NULL,
	`payload` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_source_message` ON `inbox` (`source_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `inbox_received` ON `inbox` (`received_at`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`write_key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`unplanned` text DEFAULT 'accept' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_name_unique` ON `sources` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `sources_write_key_hash_unique` ON `sources` (`write_key_hash`);