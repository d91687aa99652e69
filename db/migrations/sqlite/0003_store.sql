PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_models` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`kind` text NOT NULL,
	`metrics` text NOT NULL,
	`artifact_path` text,
	`artifact` text,
	`dataset_id` text,
	`run_id` text,
	`node_id` text,
	`status` text DEFAULT 'candidate' NOT NULL,
	`input_schema` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_models`("id", "name", "version", "kind", "metrics", "artifact_path", "artifact", "dataset_id", "run_id", "node_id", "status", "input_schema", "created_at") SELECT "id", "name", "version", "kind", "metrics", NULL, "artifact", "dataset_id", "run_id", "node_id", "status", "input_schema", "created_at" FROM `models`;--> statement-breakpoint
DROP TABLE `models`;--> statement-breakpoint
ALTER TABLE `__new_models` RENAME TO `models`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `models_name_version` ON `models` (`name`,`version`);--> statement-breakpoint
CREATE UNIQUE INDEX `models_one_current` ON `models` (`name`) WHERE "models"."status" = 'current';--> statement-breakpoint
ALTER TABLE `flow_versions` ADD `node_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `node_runs` ADD `worker` text;--> statement-breakpoint
-- Hand-written: lists read the node count instead of every graph.
UPDATE `flow_versions` SET `node_count` = coalesce(json_array_length(`graph`, '$.nodes'), 0) WHERE json_valid(`graph`);--> statement-breakpoint
-- Hand-written: models saved before input schemas were recorded get the column names their
-- classifier artifact keeps, so lists never have to read artifacts.
UPDATE `models` SET `input_schema` = (SELECT json_group_array(json_object('name', value, 'type', NULL)) FROM json_each(`models`.`artifact`, '$.features.inputs'))
  WHERE `input_schema` IS NULL AND json_valid(`artifact`) AND json_type(`artifact`, '$.features.inputs') = 'array';
