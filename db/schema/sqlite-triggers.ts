// Customers and triggers, on SQLite (db/schema/pg-triggers.ts is the same on PostgreSQL): profiles
// and the identities joined into them, the trigger of each flow with its place in the inbox, the
// cohorts that became runs, audience memberships, and webhook endpoints.
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { IDENTITY_KINDS, TRIGGER_KINDS } from "./vocabulary";

const json = <T = unknown>(name: string) => text(name, { mode: "json" }).$type<T>();

/** One customer. A profile merged into another keeps its row, pointing at the one that absorbed it. */
export const profiles = sqliteTable(
  "profiles",
  {
    id: text("id").primaryKey(),
    /** The first userId this customer was known by, for lists; every id is in `identities`. */
    userId: text("user_id"),
    traits: json<Record<string, unknown>>("traits").notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    updatedAt: integer("updated_at").notNull(),
    mergedInto: text("merged_into"),
  },
  (t) => [index("profiles_user").on(t.userId), index("profiles_updated").on(t.updatedAt)],
);

/** A userId or anonymousId and the profile it belongs to. */
export const identities = sqliteTable(
  "identities",
  {
    kind: text("kind", { enum: IDENTITY_KINDS }).notNull(),
    value: text("value").notNull(),
    profileId: text("profile_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  // Ids are looked up by value whatever their kind (the primary key leads with the kind).
  (t) => [primaryKey({ columns: [t.kind, t.value] }), index("identities_profile").on(t.profileId), index("identities_value").on(t.value)],
);

/** Named places in the inbox (the profile updater's, for one): everything at or before `position` is done. */
export const inboxCursors = sqliteTable("inbox_cursors", {
  name: text("name").primaryKey(),
  position: integer("position").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** The trigger of a flow's newest version: what starts it, and (for events) how far into the inbox it has looked. */
export const triggers = sqliteTable("triggers", {
  flowId: text("flow_id").primaryKey(),
  flowVersionId: text("flow_version_id").notNull(),
  nodeId: text("node_id").notNull(),
  kind: text("kind", { enum: TRIGGER_KINDS }).notNull(),
  /** The trigger node's config, as compiled. */
  config: json<Record<string, unknown>>("config").notNull(),
  /** Inbox position up to which events were considered (event, webhook and upload triggers). */
  position: integer("position").notNull(),
  /** When an audience was last evaluated, and how many times. */
  evaluatedAt: integer("evaluated_at"),
  evaluations: integer("evaluations").notNull().default(0),
  updatedAt: integer("updated_at").notNull(),
});

/** A micro-batch of a flow's trigger data that becomes one run; its id is the run's id. */
export const cohorts = sqliteTable(
  "cohorts",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id").notNull(),
    flowVersionId: text("flow_version_id").notNull(),
    nodeId: text("node_id").notNull(),
    kind: text("kind", { enum: TRIGGER_KINDS }).notNull(),
    /** Inbox positions (events, webhooks, uploads) or profile ids (audiences) in the cohort. */
    members: json<(number | string)[]>("members").notNull(),
    /** Audience cohorts: per member, "entered" or "left". */
    detail: json<Record<string, unknown>>("detail"),
    size: integer("size").notNull(),
    firstAt: integer("first_at"),
    lastAt: integer("last_at"),
    createdAt: integer("created_at").notNull(),
    /** Null until its run was started (or found already started). */
    startedAt: integer("started_at"),
    error: text("error"),
  },
  (t) => [index("cohorts_pending").on(t.startedAt, t.createdAt), index("cohorts_flow").on(t.flowId, t.createdAt)],
);

/** Who is in a flow's audience since its last evaluation. */
export const audienceMembers = sqliteTable(
  "audience_members",
  {
    flowId: text("flow_id").notNull(),
    profileId: text("profile_id").notNull(),
    since: integer("since").notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.profileId] })],
);

/** A flow's webhook URL and how senders prove who they are (a Standard Webhooks secret, sealed, or a bearer token, hashed). */
export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  flowId: text("flow_id").primaryKey(),
  secret: text("secret"),
  tokenHash: text("token_hash"),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull(),
});
