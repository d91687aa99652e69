CREATE TABLE `audience_members` (
	`flow_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`since` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `profile_id`)
);
--> statement-breakpoint
CREATE TABLE `cohorts` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` text NOT NULL,
	`flow_version_id` text NOT NULL,
	`node_id` text NOT NULL,
	`kind` text NOT NULL,
	`members` text NOT NULL,
	`detail` text,
	`size` integer NOT NULL,
	`first_at` integer,
	`last_at` integer,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `cohorts_pending` ON `cohorts` (`started_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `cohorts_flow` ON `cohorts` (`flow_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `identities` (
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`profile_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `value`)
);
--> statement-breakpoint
CREATE INDEX `identities_profile` ON `identities` (`profile_id`);--> statement-breakpoint
CREATE TABLE `inbox_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`traits` text NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`merged_into` text
);
--> statement-breakpoint
CREATE INDEX `profiles_user` ON `profiles` (`user_id`);--> statement-breakpoint
CREATE INDEX `profiles_updated` ON `profiles` (`updated_at`);--> statement-breakpoint
CREATE TABLE `triggers` (
	`flow_id` text PRIMARY KEY NOT NULL,
	`flow_version_id` text NOT NULL,
	`node_id` text NOT NULL,
	`kind` text NOT NULL,
	`config` text NOT NULL,
	`position` integer NOT NULL,
	`evaluated_at` integer,
	`evaluations` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`flow_id` text PRIMARY KEY NOT NULL,
	`secret` text,
	`token_hash` text,
	`created_by` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `trigger` text;--> statement-breakpoint
CREATE INDEX `inbox_user` ON `inbox` (`user_id`);--> statement-breakpoint
CREATE INDEX `inbox_anonymous` ON `inbox` (`anonymous_id`);