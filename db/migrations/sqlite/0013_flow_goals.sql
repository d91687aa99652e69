CREATE TABLE `flow_goals` (
	`flow_id` text PRIMARY KEY NOT NULL,
	`event` text NOT NULL,
	`conditions` text NOT NULL,
	`match` text NOT NULL,
	`window_days` real NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade
);
