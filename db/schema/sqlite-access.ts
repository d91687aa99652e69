// Who may do what, and with which credentials, on SQLite; db/schema/pg-access.ts is the same on
// PostgreSQL. users, sessions, accounts and verifications are better-auth's tables (its drizzle
// adapter reads them by these property names, with usePlural); their times are Dates, as the
// library writes them. The rest are Loopwright's, with epoch-millisecond times like every other table.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { CONNECTION_KINDS, ROLES } from "./vocabulary";

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`;
const json = <T = unknown>(name: string) => text(name, { mode: "json" }).$type<T>();
const date = (name: string) => integer(name, { mode: "timestamp_ms" });

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
  image: text("image"),
  role: text("role", { enum: ROLES }).notNull().default("viewer"),
  createdAt: date("created_at").notNull(),
  updatedAt: date("updated_at").notNull(),
});

export const sessions = sqliteTable(
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

export const accounts = sqliteTable(
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
    /** The password's scrypt hash (better-auth's default KDF). */
    password: text("password"),
    createdAt: date("created_at").notNull(),
    updatedAt: date("updated_at").notNull(),
  },
  (t) => [index("accounts_user").on(t.userId)],
);

export const verifications = sqliteTable("verifications", {
  id: text("id").primaryKey(),
  identifier: text("identifier").notNull(),
  value: text("value").notNull(),
  expiresAt: date("expires_at").notNull(),
  createdAt: date("created_at").notNull(),
  updatedAt: date("updated_at").notNull(),
});

/** Links that let someone create an account with a role. Only the token's hash is kept. */
export const invites = sqliteTable("invites", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  /** Who the invite is for (shown on the invite page); any address may accept it when null. */
  email: text("email"),
  role: text("role", { enum: ROLES }).notNull(),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull().default(now),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  usedBy: text("used_by"),
  revokedAt: integer("revoked_at"),
});

/** Keys for the CLI and automation: shown once, kept as a SHA-256 hash. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** The key's first characters, to tell keys apart in lists. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    role: text("role", { enum: ROLES }).notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull().default(now),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_user").on(t.userId)],
);

/** Credentials flows use by name. `secret` is AES-256-GCM ciphertext (lib/secret-box.ts); `config` holds no secret. */
export const connections = sqliteTable("connections", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  kind: text("kind", { enum: CONNECTION_KINDS }).notNull(),
  config: json<Record<string, unknown>>("config").notNull(),
  secret: text("secret"),
  /** Hosts the connection may be sent to. */
  hosts: json<string[]>("hosts").notNull(),
  /** Hosts (of `hosts`) that may be reached over plain http. */
  plainHttpHosts: json<string[]>("plain_http_hosts").notNull(),
  /** "app" when made in the app or CLI, "environment" when defined by a LOOPWRIGHT_SECRET_* variable. */
  origin: text("origin").notNull().default("app"),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull().default(now),
  updatedAt: integer("updated_at").notNull().default(now),
  lastTest: json<{ at: number; ok: boolean; message: string }>("last_test"),
});

/** Small settings an admin changes at run time. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: json("value").notNull(),
  updatedAt: integer("updated_at").notNull().default(now),
});

/** Append-only: the store has no update or delete for it, and the database refuses both. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: integer("at").notNull().default(now),
    /** A user id, or null for the system and for failed sign-ins. */
    actorId: text("actor_id"),
    /** What to show: an e-mail address, "key <prefix> of <email>", "system". */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    outcome: text("outcome").notNull().default("ok"),
    detail: json<Record<string, unknown>>("detail"),
    ip: text("ip"),
  },
  (t) => [index("audit_log_at").on(t.at), index("audit_log_action").on(t.action, t.at)],
);
