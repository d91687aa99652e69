// The guardrails' contacts on SQLite (db/schema/pg-guardrails.ts is the same on PostgreSQL): one row
// per marketing message a send reserved, counted against the frequency caps of every flow.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A contact reserved at send time (db/store/guardrails.ts): counted in its customer's cap window, given back when the send fails. */
export const contacts = sqliteTable(
  "contacts",
  {
    /** The ledger key of the send (run, node, customer): a retry finds its own reservation. */
    key: text("key").primaryKey(),
    /** Who is counted: "p:<profile id>", or "c:<customer id>" for a customer without a profile. */
    subject: text("subject").notNull(),
    /** email, sms, push, webhook: caps count per channel. */
    channel: text("channel").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("contacts_subject").on(t.subject, t.channel, t.at)],
);
