ALTER TABLE `files` ADD `rows` integer;--> statement-breakpoint
ALTER TABLE `files` ADD `columns` text;--> statement-breakpoint
ALTER TABLE `files` ADD `format` text;