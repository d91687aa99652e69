ALTER TABLE `flow_versions` ADD `problems` text;--> statement-breakpoint
ALTER TABLE `flow_versions` ADD `created_by` text;