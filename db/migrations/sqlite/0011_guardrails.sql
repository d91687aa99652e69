CREATE TABLE `contacts` (
	`key` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`channel` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `contacts_subject` ON `contacts` (`subject`,`channel`,`at`);