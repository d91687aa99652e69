// action.sync: write-back (reverse ETL). Sends a dataset into a table of a PostgreSQL or SQLite
// connection, or into an HTTP API, sending only the rows that changed since the last successful
// sync to the same destination. The machinery is in sync-core.ts (the contract a destination
// implements and the halving of refused batches in sync-destination.ts); the destinations in
// sync-sql.ts and sync-http.ts.
//
// The state (record key -> hash of the row as sent) is kept per destination: the connection, the
// table or path, and the key columns (other key columns are other records, so they start afresh).
// It is updated after each batch that lands, only for the rows that landed: a rejected row is
// tried again next time. Mirror mode removes the records that earlier syncs to this destination
// sent and that have left the dataset, never rows someone else wrote.
import { z } from "zod";
import { advanced, column, ConfigError, connectionField, defineNode, type Column } from "../sdk";
import { runSync, type SyncPlan } from "./sync-core";
import { httpDestination, placeholders } from "./sync-http";
import { postgresDestination, sqliteDestination } from "./sync-sql";

const PLAIN_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FIELD = /^[^\0\r\n]{1,128}$/;

const config = z
  .object({
    connection: connectionField(z.string().trim().min(1), ["postgres", "sqlite", "http"]).describe(
      "Where to sync to: a PostgreSQL or SQLite database, or an HTTP API (a connection kept by an admin).",
    ),
    table: z
      .string()
      .regex(PLAIN_IDENT, "letters, digits and _, not starting with a digit")
      .optional()
      .describe("Databases: the table. Created if missing (with the key as primary key), except in update mode."),
    path: z
      .string()
      .trim()
      .max(500)
      .optional()
      .describe("HTTP: the path below the connection's base URL, e.g. /v1/contacts, or /v1/contacts/{customerID} (one request per row, the key in the path)."),
    method: advanced(z.enum(["POST", "PUT", "PATCH"]).default("POST").describe("HTTP: the method rows are sent with. Removals (mirror mode) are sent with DELETE.")),
    per: advanced(z.enum(["batch", "row"]).default("batch").describe("HTTP: one request per batch of rows (a JSON array), or one per row (a JSON object).")),
    wrap: advanced(
      z
        .string()
        .trim()
        .max(100)
        .default("")
        .describe('HTTP, per batch: send the array under this name ({"records": [...]}). Empty: the array is the body.'),
    ),
    keys: z.array(column(z.string().min(1))).min(1).describe("The record-matching key: the columns that identify a record in the destination."),
    mode: z
      .enum(["upsert", "insert", "update", "mirror"])
      .default("upsert")
      .describe(
        "upsert: add new records and change existing ones. insert: only add records (never change one). update: only change existing records (never add one). " +
          "mirror: upsert, and remove the records earlier syncs sent that have left the dataset.",
      ),
    mapping: z
      .array(
        z.object({
          column: column(z.string().min(1)).describe("A column of the input."),
          field: z.string().trim().regex(FIELD, "1 to 128 characters, no line breaks").describe("Its name in the destination (HTTP: a dotted name nests, e.g. properties.email)."),
        }),
      )
      .default([])
      .describe("Which columns to send and under which names. Empty: every column under its own name. Key columns are always sent."),
    batchSize: advanced(
      z
        .number()
        .int()
        .min(1)
        .max(10_000)
        .optional()
        .describe("Rows per statement (databases, default 5,000) or per request (HTTP per batch, default 100). A refused batch is halved until the refused rows are found."),
    ),
    maxRemovePercent: advanced(
      z
        .number()
        .min(0)
        .max(100)
        .default(50)
        .describe("Mirror: the most one sync may remove, as a percentage of the records synced before; more stops the sync before removing any (an upstream mistake must not empty the destination)."),
    ),
    recordSent: advanced(
      z
        .boolean()
        .default(true)
        .describe("Record every row sent in the decision ledger (one ledger row each). Rejected, skipped and removed records are always recorded; turn this off for very large syncs."),
    ),
    concurrency: advanced(z.number().int().min(1).max(16).default(4).describe("HTTP, per row: requests in flight at once.")),
    retries: advanced(z.number().int().min(0).max(10).default(3).describe("HTTP: retries of a request on 408, 429, 5xx and network errors, with growing waits.")),
    backoffMs: advanced(z.number().int().min(0).max(60_000).default(500).describe("HTTP: the first wait between retries, in milliseconds; it doubles each retry.")),
    timeoutSeconds: advanced(z.number().positive().max(600).default(30).describe("HTTP: the longest wait for one response, in seconds.")),
  })
  .superRefine((c, issue) => {
    const fields = c.mapping.map((m) => m.field);
    const dup = fields.find((f, i) => fields.indexOf(f) !== i);
    if (dup) issue.addIssue({ code: "custom", path: ["mapping"], message: `"${dup}" is the destination of two columns` });
    const cols = c.mapping.map((m) => m.column);
    const twice = cols.find((f, i) => cols.indexOf(f) !== i);
    if (twice) issue.addIssue({ code: "custom", path: ["mapping"], message: `the column "${twice}" is mapped twice` });
  });

export default defineNode({
  type: "action.sync",
  version: 1,
  kind: "action",
  label: "Sync to a destination",
  description:
    "Send rows to another system, matched by a key (reverse ETL): into a table of a PostgreSQL or SQLite database, or into a web API. Only rows that changed since the last sync to the same place are sent; mirror mode also removes the records that left the data. Rows the destination refuses are listed with the reason while the rest land; every outcome goes to the decision ledger.",
  inputs: { rows: "table" },
  outputs: {},
  config,
  activity: { startToCloseTimeout: "2 hours", heartbeatTimeout: "5 minutes" },
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const byName = new Map(input.columns.map((c) => [c.name, c]));
    cfg.keys.forEach((k, i) => {
      if (!byName.has(k)) throw new ConfigError(`Sync: no column "${k}" in the input`, { field: `keys.${i}` });
    });
    cfg.mapping.forEach((m, i) => {
      if (!byName.has(m.column)) throw new ConfigError(`Sync: no column "${m.column}" in the input`, { field: `mapping.${i}.column` });
    });

    // The columns sent and their destination names: the mapping (plus any key it leaves out), or every column.
    const pairs: [Column, string][] = cfg.mapping.length
      ? [...cfg.keys.filter((k) => !cfg.mapping.some((m) => m.column === k)).map((k): [Column, string] => [byName.get(k)!, k]), ...cfg.mapping.map((m): [Column, string] => [byName.get(m.column)!, m.field])]
      : input.columns.map((c): [Column, string] => [c, c.name]);
    const columns = pairs.map(([c]) => c);
    const fields = pairs.map(([, f]) => f);
    const keyFields = cfg.keys.map((k) => fields[columns.findIndex((c) => c.name === k)]!);
    if (new Set(fields).size !== fields.length) {
      throw new ConfigError(`Sync: two columns go to the same destination name; a key column left out of the mapping keeps its own name`, { field: "mapping" });
    }

    const target = await ctx.connection(cfg.connection, ["postgres", "sqlite", "http"]);
    let dest;
    let where: string;
    if (target.kind === "http") {
      if (!cfg.path) throw new ConfigError("Sync: give the path to send to (below the connection's base URL)", { field: "path" });
      if (cfg.table) throw new ConfigError("Sync: a table is for database connections; an HTTP API takes a path", { field: "table" });
      const unknown = placeholders(cfg.path).find((p) => !cfg.keys.includes(p));
      if (unknown !== undefined) throw new ConfigError(`Sync: the path's {${unknown}} is not a key column`, { field: "path" });
      where = cfg.path;
      dest = httpDestination(target, { ...cfg, path: cfg.path, fields, keyFields, keys: cfg.keys }, ctx);
    } else {
      if (!cfg.table) throw new ConfigError("Sync: give the table to sync into", { field: "table" });
      if (cfg.path) throw new ConfigError("Sync: a path is for HTTP connections; a database takes a table", { field: "path" });
      where = cfg.table;
      const t = { table: cfg.table, fields, keyFields };
      dest = target.kind === "postgres" ? postgresDestination(target, t, ctx) : sqliteDestination(target, t);
    }
    const plan: SyncPlan = {
      destinationId: `${target.kind}:${target.name}/${where}#${keyFields.join(",")}`,
      mode: cfg.mode,
      columns,
      fields,
      keys: cfg.keys,
      batchSize: Math.min(cfg.batchSize ?? dest.defaultBatch, dest.maxBatch),
      maxRemovePercent: cfg.maxRemovePercent,
      recordSent: cfg.recordSent,
    };
    try {
      const report = await runSync(ctx, input, plan, dest);
      if (report.rejected) ctx.log.warn(`${report.rejected} row(s) rejected by ${dest.label}`, { first: report.rejections.slice(0, 3) });
      return { outputs: {}, metrics: { ...report } };
    } finally {
      await dest.close();
    }
  },
});
