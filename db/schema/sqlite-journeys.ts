// Journeys on SQLite (db/schema/pg-journeys.ts is the same on PostgreSQL): the wait-for-event steps
// runs are holding, and each customer waiting in one until their event releases them or the time runs out.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { WAITER_STATUSES } from "./vocabulary";

const json = <T = unknown>(name: string) => text(name, { mode: "json" }).$type<T>();

/** A wait-for-event step of one run: what releases its customers, and until when. */
export const waits = sqliteTable(
  "waits",
  {
    /** `<run id>:<node id>`. */
    id: text("id").primaryKey(),
    runId: text("run_id").notNull(),
    nodeId: text("node_id").notNull(),
    flowId: text("flow_id").notNull(),
    /** The workflow holding it, signalled when customers are released. */
    workflowId: text("workflow_id").notNull(),
    event: text("event").notNull(),
    conditions: json<unknown[]>("conditions").notNull(),
    match: text("match", { enum: ["all", "any"] }).notNull(),
    /** Only events received after this count (the time the customers started waiting). */
    since: integer("since").notNull(),
    deadline: integer("deadline").notNull(),
    /** Set when the step's time ran out and the rest were taken as timed out. */
    closedAt: integer("closed_at"),
  },
  (t) => [index("waits_open").on(t.closedAt, t.event)],
);

/** One customer waiting in a wait: released by their event, taken by the run, or timed out. */
export const waiters = sqliteTable(
  "waiters",
  {
    waitId: text("wait_id").notNull(),
    customerId: text("customer_id").notNull(),
    profileId: text("profile_id"),
    status: text("status", { enum: WAITER_STATUSES }).notNull(),
    releasedAt: integer("released_at"),
    /** Which take of the run's took them (a retried take finds its customers again). */
    part: integer("part"),
    /** The inbox position of the event that released them. */
    position: integer("position"),
  },
  (t) => [primaryKey({ columns: [t.waitId, t.customerId] }), index("waiters_profile").on(t.profileId, t.status), index("waiters_status").on(t.waitId, t.status)],
);

/** A flow's journey rules (from its entry node): who may enter again, and the event that makes a customer leave. */
export const journeyRules = sqliteTable("journey_rules", {
  flowId: text("flow_id").primaryKey(),
  /** The event that takes a customer out of the journey wherever they wait (none: only the end does). */
  exitEvent: text("exit_event"),
  exitConditions: json<{ on: string; field: string; operator: string; value?: string; values?: string[] }[]>("exit_conditions").notNull(),
  exitMatch: text("exit_match", { enum: ["all", "any"] }).notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** A customer's time in a flow's journey: entered with a run, left at its end or by the exit event. */
export const journeyEntries = sqliteTable(
  "journey_entries",
  {
    flowId: text("flow_id").notNull(),
    customerId: text("customer_id").notNull(),
    /** The run they entered with (its end closes the entry). */
    runId: text("run_id").notNull(),
    profileId: text("profile_id"),
    enteredAt: integer("entered_at").notNull(),
    exitedAt: integer("exited_at"),
    /** "completed", or "left: <event>". */
    exitReason: text("exit_reason"),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.customerId, t.runId] }), index("journey_entries_open").on(t.flowId, t.exitedAt), index("journey_entries_run").on(t.runId), index("journey_entries_profile").on(t.profileId)],
);
