// The control plane's tables (SQLite through drizzle). Pages read these; they never read
// Temporal history. Times are epoch milliseconds.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`;

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
    /** The graph as saved (JSON). Frozen: a version is never updated. */
    graph: text("graph", { mode: "json" }).notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("flow_versions_flow_version").on(t.flowId, t.version)],
);

export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id").notNull().references(() => flows.id, { onDelete: "cascade" }),
    flowVersionId: text("flow_version_id").notNull().references(() => flowVersions.id),
    flowVersion: integer("flow_version").notNull(),
    status: text("status", { enum: ["queued", "running", "succeeded", "failed", "cancelled"] }).notNull().default("queued"),
    triggerKind: text("trigger_kind").notNull().default("manual"),
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
    status: text("status", { enum: ["queued", "running", "succeeded", "failed", "skipped", "cancelled"] }).notNull(),
    attempt: integer("attempt").notNull().default(0),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    rows: integer("rows"),
    metrics: text("metrics", { mode: "json" }),
    outputs: text("outputs", { mode: "json" }),
    error: text("error"),
    /** Latest progress report (0..1) and message, from heartbeats. */
    progress: text("progress", { mode: "json" }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
);

export const datasets = sqliteTable("datasets", {
  /** Content address of the Parquet file. */
  id: text("id").primaryKey(),
  /** Relative to the data directory. */
  path: text("path").notNull(),
  rows: integer("rows").notNull(),
  bytes: integer("bytes").notNull(),
  columns: text("columns", { mode: "json" }).notNull(),
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
    metrics: text("metrics", { mode: "json" }).notNull(),
    artifact: text("artifact", { mode: "json" }).notNull(),
    /** The training dataset (a `datasets` id). */
    datasetId: text("dataset_id"),
    /** The run and node that trained it; null when saved outside a run. */
    runId: text("run_id"),
    nodeId: text("node_id"),
    /**
     * "current" is the version `load({ name })` returns (at most one per name; the first version of
     * a name becomes current on its own), "candidate" is any other usable version (every new one),
     * "archived" is kept but only loaded when pinned by version or id.
     */
    status: text("status", { enum: ["candidate", "current", "archived"] }).notNull().default("candidate"),
    /** The columns the model reads when scoring, with their types at training time (JSON); null when the trainer did not say. */
    inputSchema: text("input_schema", { mode: "json" }).$type<{ name: string; type: string | null }[]>(),
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
  /** Relative to the data directory. */
  path: text("path").notNull(),
  bytes: integer("bytes").notNull(),
  /** What DuckDB saw when the file was registered. Null for files uploaded before it described them. */
  rows: integer("rows"),
  columns: text("columns", { mode: "json" }).$type<{ name: string; type: string }[]>(),
  format: text("format", { enum: ["csv", "json"] }),
  createdAt: integer("created_at").notNull().default(now),
});
