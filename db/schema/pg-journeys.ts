// Journeys on PostgreSQL (db/schema/sqlite-journeys.ts is the same on SQLite): the wait-for-event steps
// runs are holding, and each customer waiting in one until their event releases them or the time runs out.
import { bigint, index, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { WAITER_STATUSES } from "./vocabulary";


/** A wait-for-event step of one run: what releases its customers, and until when. */
export const waits = pgTable(
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
    conditions: jsonb("conditions").$type<unknown[]>().notNull(),
    match: text("match", { enum: ["all", "any"] }).notNull(),
    /** Only events received after this count (the time the customers started waiting). */
    since: bigint("since", { mode: "number" }).notNull(),
    deadline: bigint("deadline", { mode: "number" }).notNull(),
    /** Set when the step's time ran out and the rest were taken as timed out. */
    closedAt: bigint("closed_at", { mode: "number" }),
  },
  (t) => [index("waits_open").on(t.closedAt, t.event)],
);

/** One customer waiting in a wait: released by their event, taken by the run, or timed out. */
export const waiters = pgTable(
  "waiters",
  {
    waitId: text("wait_id").notNull(),
    customerId: text("customer_id").notNull(),
    profileId: text("profile_id"),
    status: text("status", { enum: WAITER_STATUSES }).notNull(),
    releasedAt: bigint("released_at", { mode: "number" }),
    /** Which take of the run's took them (a retried take finds its customers again). */
    part: bigint("part", { mode: "number" }),
    /** The inbox position of the event that released them. */
    position: bigint("position", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.waitId, t.customerId] }), index("waiters_profile").on(t.profileId, t.status), index("waiters_status").on(t.waitId, t.status)],
);

/** A flow's journey rules (from its entry node): who may enter again, and the event that makes a customer leave. */
export const journeyRules = pgTable("journey_rules", {
  flowId: text("flow_id").primaryKey(),
  /** The event that takes a customer out of the journey wherever they wait (none: only the end does). */
  exitEvent: text("exit_event"),
  exitConditions: jsonb("exit_conditions").$type<{ on: string; field: string; operator: string; value?: string; values?: string[] }[]>().notNull(),
  exitMatch: text("exit_match", { enum: ["all", "any"] }).notNull(),
  updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
});

/** A customer's time in a flow's journey: entered with a run, left at its end or by the exit event. */
export const journeyEntries = pgTable(
  "journey_entries",
  {
    flowId: text("flow_id").notNull(),
    customerId: text("customer_id").notNull(),
    /** The run they entered with (its end closes the entry). */
    runId: text("run_id").notNull(),
    profileId: text("profile_id"),
    enteredAt: bigint("entered_at", { mode: "number" }).notNull(),
    exitedAt: bigint("exited_at", { mode: "number" }),
    /** "completed", or "left: <event>". */
    exitReason: text("exit_reason"),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.customerId, t.runId] }), index("journey_entries_open").on(t.flowId, t.exitedAt), index("journey_entries_run").on(t.runId), index("journey_entries_profile").on(t.profileId)],
);
