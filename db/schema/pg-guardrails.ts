// The tables of db/schema/sqlite-guardrails.ts on PostgreSQL (db/store/schema.test.ts compares them).
import { bigint, index, pgTable, text } from "drizzle-orm/pg-core";

export const contacts = pgTable(
  "contacts",
  {
    key: text("key").primaryKey(),
    subject: text("subject").notNull(),
    channel: text("channel").notNull(),
    at: bigint("at", { mode: "number" }).notNull(),
  },
  (t) => [index("contacts_subject").on(t.subject, t.channel, t.at)],
);
