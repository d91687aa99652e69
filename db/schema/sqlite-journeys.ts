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
