// Events in, on SQLite (db/schema/pg-events.ts is the same on PostgreSQL): sources with their write
// keys, the inbox every accepted event is committed to before the ingest API answers, and the
// events that were refused, with every reason.
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { INBOX_TYPES, UNPLANNED_POLICIES } from "./vocabulary";

const json = <T = unknown>(name: string) => text(name, { mode: "json" }).$type<T>();

/** A sender of events (a website, an app, a backend), known by its write key (kept as a SHA-256 hash). */
export const sources = sqliteTable("sources", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  writeKeyHash: text("write_key_hash").notNull().unique(),
  /** The write key's first characters, to tell keys apart in lists. */
  prefix: text("prefix").notNull(),
  unplanned: text("unplanned", { enum: UNPLANNED_POLICIES }).notNull().default("accept"),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
});

/** Accepted events, in the order they were committed; `position` is what deliveries advance over. */
export const inbox = sqliteTable(
  "inbox",
  {
    position: integer("position").primaryKey({ autoIncrement: true }),
    sourceId: text("source_id").notNull(),
    /** The sender's id for the event: a resent event with the same id is not stored again. */
    messageId: text("message_id").notNull(),
    type: text("type", { enum: INBOX_TYPES }).notNull(),
    /** The event name (track), page or screen name; null for the other types. */
    event: text("event"),
    userId: text("user_id"),
    anonymousId: text("anonymous_id"),
    /** When it happened (epoch ms), corrected for the sender's clock with sentAt. */
    timestamp: integer("timestamp").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** The event as sent (properties, traits, context), with the corrected timestamp. */
    payload: json<Record<string, unknown>>("payload").notNull(),
    /** Accepted although the tracking plan has no entry for it (the source's policy is "flag"). */
    unplanned: integer("unplanned", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    uniqueIndex("inbox_source_message").on(t.sourceId, t.messageId),
    index("inbox_received").on(t.receivedAt),
    // A customer's timeline.
    index("inbox_user").on(t.userId),
    index("inbox_anonymous").on(t.anonymousId),
  ],
);

/** Events that were not accepted, kept with every reason (field path and rule) so they can be fixed and replayed. */
export const failedEvents = sqliteTable(
  "failed_events",
  {
    id: text("id").primaryKey(),
    sourceId: text("source_id").notNull(),
    messageId: text("message_id"),
    type: text("type"),
    event: text("event"),
    receivedAt: integer("received_at").notNull(),
    payload: json("payload").notNull(),
    reasons: json<{ path: string; rule: string; message: string }[]>("reasons").notNull(),
    /** When a replay (after the plan was fixed) let it into the inbox. */
    replayedAt: integer("replayed_at"),
  },
  (t) => [index("failed_events_received").on(t.receivedAt)],
);

/** The tracking plan: per event name (or "$identify" for identify traits) a JSON Schema, versioned; the newest version applies. */
export const trackingPlan = sqliteTable(
  "tracking_plan",
  {
    id: text("id").primaryKey(),
    event: text("event").notNull(),
    version: integer("version").notNull(),
    /** JSON Schema of the event's properties (or the traits). */
    schema: json<Record<string, unknown>>("schema").notNull(),
    description: text("description"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("tracking_plan_event_version").on(t.event, t.version)],
);
