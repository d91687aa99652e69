// The tables of db/schema/sqlite-access.ts on PostgreSQL (db/store/schema.test.ts compares them).
import { sql } from "drizzle-orm";
import { bigint, boolean, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { CONNECTION_KINDS, ROLES } from "./vocabulary";

const now = sql`((extract(epoch from clock_timestamp()) * 1000)::bigint)`;
const time = (name: string) => bigint(name, { mode: "number" });
const json = <T = unknown>(name: string) => jsonb(name).$type<T>();
const date = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  role: text("role", { enum: ROLES }).notNull().default("viewer"),
  createdAt: date("created_at").notNull(),
  updatedAt: date("updated_at").notNull(),
});

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    expiresAt: date("expires_at").notNull(),
    token: text("token").notNull().unique(),
    createdAt: date("created_at").notNull(),
    updatedAt: date("updated_at").notNull(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: date("access_token_expires_at"),
    refreshTokenExpiresAt: date("refresh_token_expires_at"),
    scope: text("scope"),
    password: text("password"),
    createdAt: date("created_at").notNull(),
    updatedAt: date("updated_at").notNull(),
  },
  (t) => [index("accounts_user").on(t.userId)],
);

export const verifications = pgTable("verifications", {
  id: text("id").primaryKey(),
  identifier: text("identifier").notNull(),
  value: text("value").notNull(),
  expiresAt: date("expires_at").notNull(),
  createdAt: date("created_at").notNull(),
  updatedAt: date("updated_at").notNull(),
});

export const invites = pgTable("invites", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  email: text("email"),
  role: text("role", { enum: ROLES }).notNull(),
  createdBy: text("created_by"),
  createdAt: time("created_at").notNull().default(now),
  expiresAt: time("expires_at").notNull(),
  usedAt: time("used_at"),
  usedBy: text("used_by"),
  revokedAt: time("revoked_at"),
});

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    role: text("role", { enum: ROLES }).notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: time("created_at").notNull().default(now),
    lastUsedAt: time("last_used_at"),
    revokedAt: time("revoked_at"),
  },
  (t) => [index("api_keys_user").on(t.userId)],
);

export const connections = pgTable("connections", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  kind: text("kind", { enum: CONNECTION_KINDS }).notNull(),
  config: json<Record<string, unknown>>("config").notNull(),
  secret: text("secret"),
  hosts: json<string[]>("hosts").notNull(),
  plainHttpHosts: json<string[]>("plain_http_hosts").notNull(),
  origin: text("origin").notNull().default("app"),
  createdBy: text("created_by"),
  createdAt: time("created_at").notNull().default(now),
  updatedAt: time("updated_at").notNull().default(now),
  lastTest: json<{ at: number; ok: boolean; message: string }>("last_test"),
});

export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: json("value").notNull(),
  updatedAt: time("updated_at").notNull().default(now),
});

export const auditLog = pgTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: time("at").notNull().default(now),
    actorId: text("actor_id"),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    outcome: text("outcome").notNull().default("ok"),
    detail: json<Record<string, unknown>>("detail"),
    ip: text("ip"),
  },
  (t) => [index("audit_log_at").on(t.at), index("audit_log_action").on(t.action, t.at)],
);
