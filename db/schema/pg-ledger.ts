// The tables of db/schema/sqlite-ledger.ts on PostgreSQL (db/store/schema.test.ts compares them).
import { bigint, index, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { LEDGER_STATUSES } from "./vocabulary";

const time = (name: string) => bigint(name, { mode: "number" });
const json = <T = unknown>(name: string) => jsonb(name).$type<T>();

export const ledger = pgTable(
  "ledger",
  {
    key: text("key").primaryKey(),
    runId: text("run_id").notNull(),
    flowId: text("flow_id").notNull(),
    flowVersion: integer("flow_version").notNull(),
    nodeId: text("node_id").notNull(),
    channel: text("channel").notNull(),
    customerId: text("customer_id"),
    profileId: text("profile_id"),
    status: text("status", { enum: LEDGER_STATUSES }).notNull(),
    reason: text("reason"),
    content: json<Record<string, unknown>>("content"),
    model: json<{ name?: string; version?: number; score?: number }>("model"),
    arm: text("arm"),
    providerId: text("provider_id"),
    at: time("at").notNull(),
  },
  (t) => [index("ledger_customer").on(t.customerId, t.at), index("ledger_profile").on(t.profileId, t.at), index("ledger_run").on(t.runId, t.nodeId)],
);

export const syncStates = pgTable(
  "sync_states",
  {
    destination: text("destination").notNull(),
    recordKey: text("record_key").notNull(),
    hash: text("hash").notNull(),
    syncedAt: time("synced_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.destination, t.recordKey] })],
);
