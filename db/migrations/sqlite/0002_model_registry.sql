ALTER TABLE `models` ADD `status` text DEFAULT 'candidate' NOT NULL;--> statement-breakpoint
ALTER TABLE `models` ADD `input_schema` text;--> statement-breakpoint
-- Hand-written: scoring by name used to take the newest version, so the newest version of each
-- name saved before this migration becomes its current one and existing flows score the same model.
UPDATE `models` SET `status` = 'current' WHERE `version` = (SELECT max(m.`version`) FROM `models` m WHERE m.`name` = `models`.`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `models_one_current` ON `models` (`name`) WHERE "models"."status" = 'current';
