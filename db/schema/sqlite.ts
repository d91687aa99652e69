// The control plane's tables on SQLite (the embedded default). db/schema/pg.ts declares the same
// tables for PostgreSQL; db/store/schema.test.ts keeps the two identical. Times are epoch
// milliseconds (integers), JSON columns hold parsed values on both.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { MODEL_STATUSES, FILE_FORMATS } from "./vocabulary";
import { NODE_STATUSES, RUN_STATUSES } from "../../workflows/graph/status";
import type { RunTrigger } from "../../workflows/graph/plan";

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`;
const json = <T = unknown>(name: string) => text(name, { mode: "json" }).$type<T>();

export const flows = sqliteTable("flows", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description"),
  /** The newest saved version; saving over an older one is refused. */
  latestVersion: integer("latest_version").notNull().default(0),
  createdAt: integer("created_at").notNull().default(now),
  updatedAt: integer("updated_at").notNull().default(now),
});

export const flowVersions = sqliteTable(
  "flow_versions",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id").notNull().references(() => flows.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /** The graph as saved. Frozen: a version is never updated. */
    graph: json("graph").notNull(),
    /** How many nodes the graph has (for lists, without reading every graph). */
    nodeCount: integer("node_count").notNull().default(0),
    /**
     * A draft's validation problems when it was saved; null for a version without problems. A draft
     * is kept so no work is lost, and never runs (manual runs, schedules and triggers refuse it).
     */
    problems: json<{ nodeId?: string; edgeId?: string; field?: string; message: string }[]>("problems"),
    /** The user who saved it (users.id, no foreign key: the version outlives the account); null before it was recorded. */
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("flow_versions_flow_version").on(t.flowId, t.version)],
);

/**
 * A flow's conversion goal: the event that counts as converting when a customer does it within the
 * attribution window after a decision of the flow (the flow's page compares arms and paths by it).
 * Set by an editor apart from the graph's versions: changing the goal changes no run.
 */
export const flowGoals = sqliteTable("flow_goals", {
  flowId: text("flow_id")
    .primaryKey()
    .references(() => flows.id, { onDelete: "cascade" }),
  event: text("event").notNull(),
  conditions: json<{ on: string; field: string; operator: string; value?: string; values?: string[] }[]>("conditions").notNull(),
  match: text("match", { enum: ["all", "any"] }).notNull(),
  windowDays: real("window_days").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id").notNull().references(() => flows.id, { onDelete: "cascade" }),
    flowVersionId: text("flow_version_id").notNull().references(() => flowVersions.id),
    flowVersion: integer("flow_version").notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    triggerKind: text("trigger_kind").notNull().default("manual"),
    /** What started it: the trigger's kind, source, cohort size, first and last event time. */
    trigger: text("trigger", { mode: "json" }).$type<RunTrigger>(),
    workflowId: text("workflow_id").notNull(),
    temporalUrl: text("temporal_url").notNull(),
    error: text("error"),
    createdAt: integer("created_at").notNull().default(now),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("runs_flow").on(t.flowId, t.createdAt)],
);

export const nodeRuns = sqliteTable(
  "node_runs",
  {
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    type: text("type").notNull(),
    status: text("status", { enum: NODE_STATUSES }).notNull(),
    attempt: integer("attempt").notNull().default(0),
    /** The worker (Temporal identity) that ran the latest attempt. */
    worker: text("worker"),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    rows: integer("rows"),
    metrics: json<Record<string, unknown>>("metrics"),
    outputs: json<Record<string, unknown>>("outputs"),
    error: text("error"),
    /** Latest progress report (0..1) and message, from heartbeats. */
    progress: json("progress"),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
);

export const datasets = sqliteTable("datasets", {
  /** Content address of the Parquet file. */
  id: text("id").primaryKey(),
  /** Relative to the shared folder. */
  path: text("path").notNull(),
  rows: integer("rows").notNull(),
  bytes: integer("bytes").notNull(),
  columns: json<{ name: string; type: string }[]>("columns").notNull(),
  runId: text("run_id"),
  nodeId: text("node_id"),
  createdAt: integer("created_at").notNull().default(now),
});

export const models = sqliteTable(
  "models",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    version: integer("version").notNull(),
    kind: text("kind").notNull(),
    metrics: json<Record<string, unknown>>("metrics").notNull(),
    /** The artifact (weights, fitted preprocessing) as a JSON file, relative to the shared folder. */
    artifactPath: text("artifact_path"),
    /** Models saved before artifacts moved to files keep theirs here; null for every newer one. */
    artifact: json("artifact"),
    /** The training dataset (a `datasets` id). */
    datasetId: text("dataset_id"),
    /** The run and node that trained it; null when saved outside a run. */
    runId: text("run_id"),
    nodeId: text("node_id"),
    status: text("status", { enum: MODEL_STATUSES }).notNull().default("candidate"),
    /** The columns the model reads when scoring, with their types at training time; null when unknown. */
    inputSchema: json<{ name: string; type: string | null }[]>("input_schema"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("models_name_version").on(t.name, t.version),
    // The database, not only the registry, keeps a name to one current version.
    uniqueIndex("models_one_current").on(t.name).where(sql`${t.status} = 'current'`),
  ],
);

export const files = sqliteTable("files", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Relative to the shared folder. */
  path: text("path").notNull(),
  bytes: integer("bytes").notNull(),
  /** What DuckDB saw when the file was registered. Null for files uploaded before it described them. */
  rows: integer("rows"),
  columns: json<{ name: string; type: string }[]>("columns"),
  format: text("format", { enum: FILE_FORMATS }),
  createdAt: integer("created_at").notNull().default(now),
});
export * from "./sqlite-access";
export * from "./sqlite-events";
export * from "./sqlite-triggers";
export * from "./sqlite-ledger";
export * from "./sqlite-journeys";
export * from "./sqlite-guardrails";
