// What flows did, on SQLite (db/schema/pg-ledger.ts is the same on PostgreSQL): the decision
// ledger, one row per action per customer, and the state of the last successful sync per destination.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { LEDGER_STATUSES } from "./vocabulary";

const json = <T = unknown>(name: string) => text(name, { mode: "json" }).$type<T>();

/** One action towards one customer (or one row of a sync): what, why, and how it went. */
export const ledger = sqliteTable(
  "ledger",
  {
    /** From (run, node, customer): checked before acting and recorded after, so a retry never acts twice. */
    key: text("key").primaryKey(),
    runId: text("run_id").notNull(),
    flowId: text("flow_id").notNull(),
    flowVersion: integer("flow_version").notNull(),
    nodeId: text("node_id").notNull(),
    /** email, webhook, sync, ... */
    channel: text("channel").notNull(),
    /** The customer's id as the row gave it (a userId, an e-mail, a record key). */
    customerId: text("customer_id"),
    /** The profile it resolved to, when there is one. */
    profileId: text("profile_id"),
    status: text("status", { enum: LEDGER_STATUSES }).notNull(),
    reason: text("reason"),
    /** What was sent: template and version, or the payload's hash. */
    content: json<Record<string, unknown>>("content"),
    /** The model, version and score that led to it, when the row had a score. */
    model: json<{ name?: string; version?: number; score?: number }>("model"),
    /** The experiment arm, when there is one. */
    arm: text("arm"),
    /** The provider's id for it (an SMTP Message-ID, an HTTP response id). */
    providerId: text("provider_id"),
    at: integer("at").notNull(),
  },
  (t) => [index("ledger_customer").on(t.customerId, t.at), index("ledger_profile").on(t.profileId, t.at), index("ledger_run").on(t.runId, t.nodeId)],
);

/** Per destination (a connection and table, or an API), each record's key and the hash of what was last synced. */
export const syncStates = sqliteTable(
  "sync_states",
  {
    destination: text("destination").notNull(),
    recordKey: text("record_key").notNull(),
    hash: text("hash").notNull(),
    syncedAt: integer("synced_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.destination, t.recordKey] })],
);
