// The tables of db/schema/sqlite-triggers.ts on PostgreSQL (db/store/schema.test.ts compares them).
import { bigint, index, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { IDENTITY_KINDS, TRIGGER_KINDS } from "./vocabulary";

const time = (name: string) => bigint(name, { mode: "number" });
const json = <T = unknown>(name: string) => jsonb(name).$type<T>();

export const profiles = pgTable(
  "profiles",
  {
    id: text("id").primaryKey(),
    userId: text("user_id"),
    traits: json<Record<string, unknown>>("traits").notNull(),
    firstSeen: time("first_seen").notNull(),
    lastSeen: time("last_seen").notNull(),
    updatedAt: time("updated_at").notNull(),
    mergedInto: text("merged_into"),
  },
  (t) => [index("profiles_user").on(t.userId), index("profiles_updated").on(t.updatedAt)],
);

export const identities = pgTable(
  "identities",
  {
    kind: text("kind", { enum: IDENTITY_KINDS }).notNull(),
    value: text("value").notNull(),
    profileId: text("profile_id").notNull(),
    createdAt: time("created_at").notNull(),
  },
  // Ids are looked up by value whatever their kind (the primary key leads with the kind).
  (t) => [primaryKey({ columns: [t.kind, t.value] }), index("identities_profile").on(t.profileId), index("identities_value").on(t.value)],
);

export const inboxCursors = pgTable("inbox_cursors", {
  name: text("name").primaryKey(),
  position: bigint("position", { mode: "number" }).notNull(),
  updatedAt: time("updated_at").notNull(),
});

export const triggers = pgTable("triggers", {
  flowId: text("flow_id").primaryKey(),
  flowVersionId: text("flow_version_id").notNull(),
  nodeId: text("node_id").notNull(),
  kind: text("kind", { enum: TRIGGER_KINDS }).notNull(),
  config: json<Record<string, unknown>>("config").notNull(),
  position: bigint("position", { mode: "number" }).notNull(),
  evaluatedAt: time("evaluated_at"),
  evaluations: integer("evaluations").notNull().default(0),
  updatedAt: time("updated_at").notNull(),
});

export const cohorts = pgTable(
  "cohorts",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id").notNull(),
    flowVersionId: text("flow_version_id").notNull(),
    nodeId: text("node_id").notNull(),
    kind: text("kind", { enum: TRIGGER_KINDS }).notNull(),
    members: json<(number | string)[]>("members").notNull(),
    detail: json<Record<string, unknown>>("detail"),
    size: integer("size").notNull(),
    firstAt: time("first_at"),
    lastAt: time("last_at"),
    createdAt: time("created_at").notNull(),
    startedAt: time("started_at"),
    error: text("error"),
  },
  (t) => [index("cohorts_pending").on(t.startedAt, t.createdAt), index("cohorts_flow").on(t.flowId, t.createdAt)],
);

export const audienceMembers = pgTable(
  "audience_members",
  {
    flowId: text("flow_id").notNull(),
    profileId: text("profile_id").notNull(),
    since: time("since").notNull(),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.profileId] })],
);

export const webhookEndpoints = pgTable("webhook_endpoints", {
  flowId: text("flow_id").primaryKey(),
  secret: text("secret"),
  tokenHash: text("token_hash"),
  createdBy: text("created_by"),
  createdAt: time("created_at").notNull(),
});
