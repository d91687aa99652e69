// The control plane's tables on PostgreSQL (DATABASE_URL=postgres://...): the same tables, columns
// and indexes as db/schema/sqlite.ts (db/store/schema.test.ts compares them). Times are epoch
// milliseconds in bigint columns read as numbers; JSON is jsonb.
import { sql } from "drizzle-orm";
import { bigint, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { FILE_FORMATS, MODEL_STATUSES } from "./vocabulary";
import { NODE_STATUSES, RUN_STATUSES } from "../../workflows/graph/status";
import type { RunTrigger } from "../../workflows/graph/plan";

const now = sql`((extract(epoch from clock_timestamp()) * 1000)::bigint)`;
const time = (name: string) => bigint(name, { mode: "number" });
const json = <T = unknown>(name: string) => jsonb(name).$type<T>();

export const flows = pgTable("flows", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description"),
  latestVersion: integer("latest_version").notNull().default(0),
  createdAt: time("created_at").notNull().default(now),
  updatedAt: time("updated_at").notNull().default(now),
});

export const flowVersions = pgTable(
  "flow_versions",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id").notNull().references(() => flows.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    graph: json("graph").notNull(),
    nodeCount: integer("node_count").notNull().default(0),
    /** A draft's problems (see db/schema/sqlite.ts); null for a version without problems. */
    problems: json<{ nodeId?: string; edgeId?: string; field?: string; message: string }[]>("problems"),
    createdBy: text("created_by"),
    createdAt: time("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("flow_versions_flow_version").on(t.flowId, t.version)],
);

/** A flow's conversion goal (see db/schema/sqlite.ts). */
export const flowGoals = pgTable("flow_goals", {
  flowId: text("flow_id")
    .primaryKey()
    .references(() => flows.id, { onDelete: "cascade" }),
  event: text("event").notNull(),
  conditions: json<{ on: string; field: string; operator: string; value?: string; values?: string[] }[]>("conditions").notNull(),
  match: text("match", { enum: ["all", "any"] }).notNull(),
  windowDays: doublePrecision("window_days").notNull(),
  updatedAt: time("updated_at").notNull(),
});

export const runs = pgTable(
  "runs",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id").notNull().references(() => flows.id, { onDelete: "cascade" }),
    flowVersionId: text("flow_version_id").notNull().references(() => flowVersions.id),
    flowVersion: integer("flow_version").notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    triggerKind: text("trigger_kind").notNull().default("manual"),
    trigger: jsonb("trigger").$type<RunTrigger>(),
    workflowId: text("workflow_id").notNull(),
    temporalUrl: text("temporal_url").notNull(),
    error: text("error"),
    createdAt: time("created_at").notNull().default(now),
    startedAt: time("started_at"),
    finishedAt: time("finished_at"),
  },
  (t) => [index("runs_flow").on(t.flowId, t.createdAt)],
);

export const nodeRuns = pgTable(
  "node_runs",
  {
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    type: text("type").notNull(),
    status: text("status", { enum: NODE_STATUSES }).notNull(),
    attempt: integer("attempt").notNull().default(0),
    worker: text("worker"),
    startedAt: time("started_at"),
    finishedAt: time("finished_at"),
    rows: bigint("rows", { mode: "number" }),
    metrics: json<Record<string, unknown>>("metrics"),
    outputs: json<Record<string, unknown>>("outputs"),
    error: text("error"),
    progress: json("progress"),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] })],
);

export const datasets = pgTable("datasets", {
  id: text("id").primaryKey(),
  path: text("path").notNull(),
  rows: bigint("rows", { mode: "number" }).notNull(),
  bytes: bigint("bytes", { mode: "number" }).notNull(),
  columns: json<{ name: string; type: string }[]>("columns").notNull(),
  runId: text("run_id"),
  nodeId: text("node_id"),
  createdAt: time("created_at").notNull().default(now),
});

export const models = pgTable(
  "models",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    version: integer("version").notNull(),
    kind: text("kind").notNull(),
    metrics: json<Record<string, unknown>>("metrics").notNull(),
    artifactPath: text("artifact_path"),
    artifact: json("artifact"),
    datasetId: text("dataset_id"),
    runId: text("run_id"),
    nodeId: text("node_id"),
    status: text("status", { enum: MODEL_STATUSES }).notNull().default("candidate"),
    inputSchema: json<{ name: string; type: string | null }[]>("input_schema"),
    createdAt: time("created_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("models_name_version").on(t.name, t.version),
    uniqueIndex("models_one_current").on(t.name).where(sql`${t.status} = 'current'`),
  ],
);

export const files = pgTable("files", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  path: text("path").notNull(),
  bytes: bigint("bytes", { mode: "number" }).notNull(),
  rows: bigint("rows", { mode: "number" }),
  columns: json<{ name: string; type: string }[]>("columns"),
  format: text("format", { enum: FILE_FORMATS }),
  createdAt: time("created_at").notNull().default(now),
});
export * from "./pg-access";
export * from "./pg-events";
export * from "./pg-triggers";
export * from "./pg-ledger";
export * from "./pg-journeys";
export * from "./pg-guardrails";
