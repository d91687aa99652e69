// The tables of db/schema/sqlite-events.ts on PostgreSQL (db/store/schema.test.ts compares them).
import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { INBOX_TYPES, UNPLANNED_POLICIES } from "./vocabulary";

const time = (name: string) => bigint(name, { mode: "number" });
const json = <T = unknown>(name: string) => jsonb(name).$type<T>();

export const sources = pgTable("sources", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  writeKeyHash: text("write_key_hash").notNull().unique(),
  prefix: text("prefix").notNull(),
  unplanned: text("unplanned", { enum: UNPLANNED_POLICIES }).notNull().default("accept"),
  createdBy: text("created_by"),
  createdAt: time("created_at").notNull(),
  revokedAt: time("revoked_at"),
});

export const inbox = pgTable(
  "inbox",
  {
    position: bigint("position", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    sourceId: text("source_id").notNull(),
    messageId: text("message_id").notNull(),
    type: text("type", { enum: INBOX_TYPES }).notNull(),
    event: text("event"),
    userId: text("user_id"),
    anonymousId: text("anonymous_id"),
    timestamp: time("timestamp").notNull(),
    receivedAt: time("received_at").notNull(),
    payload: json<Record<string, unknown>>("payload").notNull(),
    unplanned: boolean("unplanned").notNull().default(false),
  },
  (t) => [
    uniqueIndex("inbox_source_message").on(t.sourceId, t.messageId),
    index("inbox_received").on(t.receivedAt),
    // A customer's timeline.
    index("inbox_user").on(t.userId),
    index("inbox_anonymous").on(t.anonymousId),
  ],
);

export const failedEvents = pgTable(
  "failed_events",
  {
    id: text("id").primaryKey(),
    sourceId: text("source_id").notNull(),
    messageId: text("message_id"),
    type: text("type"),
    event: text("event"),
    receivedAt: time("received_at").notNull(),
    payload: json("payload").notNull(),
    reasons: json<{ path: string; rule: string; message: string }[]>("reasons").notNull(),
    replayedAt: time("replayed_at"),
  },
  (t) => [index("failed_events_received").on(t.receivedAt)],
);

export const trackingPlan = pgTable(
  "tracking_plan",
  {
    id: text("id").primaryKey(),
    event: text("event").notNull(),
    version: integer("version").notNull(),
    schema: json<Record<string, unknown>>("schema").notNull(),
    description: text("description"),
    createdBy: text("created_by"),
    createdAt: time("created_at").notNull(),
  },
  (t) => [uniqueIndex("tracking_plan_event_version").on(t.event, t.version)],
);
