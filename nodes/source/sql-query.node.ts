import { z } from "zod";
import { advanced, ConfigError, connectionField, DataError, defineNode, type NodeContext } from "../sdk";
import { readSqlite, RowSpill, type ReadOutcome } from "./sql-read";
import { readPostgres } from "./sql-read-postgres";

/**
 * Secrets never go into a flow: a PostgreSQL server is reached through a connection (kept by the
 * admin, encrypted), which the flow names; the worker decrypts it. The browser sees the name only.
 */

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const config = z
  .object({
    engine: z.enum(["sqlite", "postgres"]).describe("The database: a SQLite file, or a PostgreSQL server."),
    connection: connectionField(z.string().trim().min(1).optional(), ["postgres", "sqlite"]).describe(
      "The connection to read from (of the engine's kind), kept by an admin on the Connections page. PostgreSQL needs one; for SQLite, give a connection or a database file.",
    ),
    database: z
      .string()
      .optional()
      .describe("SQLite without a connection: path of the database file (opened read-only). Relative paths start at the project directory."),
    query: z
      .string()
      .refine((q) => q.trim().length > 0, "write a query")
      .describe("One SQL statement that reads rows (SELECT, WITH … SELECT, VALUES). Use ? (SQLite) or $1, $2… (PostgreSQL) for parameters. SQLite is opened read-only and only statements that change nothing run; PostgreSQL runs it in a READ ONLY transaction (rolled back). " +
          "Types: integers stay exact integers (BIGINT), numeric(p,s) becomes DECIMAL(p,s) and plain numeric DOUBLE, floats DOUBLE, booleans, dates and timestamps (timestamptz in UTC) keep their type, bytea/BLOB is BLOB, anything else (uuid, json, arrays, intervals) text. " +
          "A SQLite column takes its type from its values; one declared BOOLEAN, DATE or DATETIME/TIMESTAMP whose values all fit becomes that type."),
    params: z.array(scalar).default([]).describe("Values for the query's parameters, in order. Bound by the database, never pasted into the SQL."),
    timeoutSeconds: advanced(
      z
        .number()
        .int()
        .min(1)
        .max(86_400)
        .optional()
        .describe("PostgreSQL: the longest one statement may run (the query, then each fetch of 5,000 rows). Empty: the connection's limit, which this can lower but never raise."),
    ),
  })
  .superRefine((c, issue) => {
    // Checked on save too, so the form shows it before any run.
    if (c.engine === "sqlite" && !c.database && !c.connection) {
      issue.addIssue({ code: "custom", path: ["database"], message: "give the SQLite database file, or a SQLite connection" });
    }
    if (c.engine === "sqlite" && c.database && c.connection) {
      issue.addIssue({ code: "custom", path: ["database"], message: "give either a database file or a connection, not both" });
    }
    if (c.engine === "postgres" && !c.connection) issue.addIssue({ code: "custom", path: ["connection"], message: "choose the PostgreSQL connection to read from" });
    if (c.engine === "postgres" && c.database) issue.addIssue({ code: "custom", path: ["database"], message: "a database file is for SQLite; PostgreSQL is reached through its connection" });
  });

function resolveDatabase(ctx: NodeContext, file: string): string {
  try {
    return ctx.resolvePath(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.message, { field: "database", cause: err });
    throw err;
  }
}

const secondsText = (ms: number) => `${+(ms / 1000).toFixed(ms < 1000 ? 3 : 1)} s`;

export default defineNode({
  type: "source.sql-query",
  version: 2,
  kind: "source",
  label: "SQL query",
  description:
    "Read the rows of one SQL query from your own database: a SQLite file, or PostgreSQL. Reading only: the query can never change anything there. " +
    "The database is a connection an admin keeps (its password never in the flow), or for SQLite a file. Values given as parameters are passed separately, never pasted into the query.",
  inputs: {},
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, ctx }) {
    const readAt = new Date().toISOString();
    const onBatch = (rows: number) => ctx.progress(null, `${rows} rows read`, { rows });
    const spill = new RowSpill(ctx.scratchFile(".ndjson"));
    try {
      await spill.open();
      ctx.progress(null, "Running the query");
      let outcome: ReadOutcome;
      if (cfg.engine === "sqlite") {
        const file = cfg.connection ? (await ctx.connection(cfg.connection, "sqlite")).file : resolveDatabase(ctx, cfg.database!);
        outcome = await readSqlite({ file, query: cfg.query, params: cfg.params, sink: spill.write, signal: ctx.signal, onBatch });
      } else {
        const target = await ctx.connection(cfg.connection!, "postgres");
        const requested = cfg.timeoutSeconds === undefined ? undefined : cfg.timeoutSeconds * 1000;
        const timeoutMs = target.statementTimeout(requested);
        const limit = `the statement timeout of connection "${target.name}", ${secondsText(target.statementTimeoutMs)}`;
        outcome = await readPostgres({
          target,
          query: cfg.query,
          params: cfg.params,
          timeoutMs,
          timeoutNote: requested !== undefined && requested <= target.statementTimeoutMs ? "timeoutSeconds" : limit,
          sink: spill.write,
          signal: ctx.signal,
          onBatch,
        });
      }
      await spill.close();
      if (!outcome.columns.length) throw new ConfigError("SQL query: the query returns no columns", { field: "query" });
      ctx.signal.throwIfAborted();

      let ref;
      try {
        ref = await ctx.datasets.create(spill.select(outcome.columns, ctx.datasets.ident, ctx.datasets.literal));
      } catch (err) {
        // A value that does not fit its column's type (rare: the types come from the database).
        const first = (err instanceof Error ? err.message : String(err)).split("\n")[0]!.split(spill.file).join("the query result");
        throw new DataError(`SQL query: the result cannot be stored: ${first}`, { where: outcome.source, cause: err });
      }
      ctx.progress(1, `Read ${ref.rows} rows from ${outcome.source}`, { rows: ref.rows });
      return {
        outputs: { rows: ref },
        metrics: {
          engine: cfg.engine,
          rows: ref.rows,
          columns: ref.columns.length,
          lineage: { source: outcome.source, kind: "sql", readAt, rows: ref.rows },
        },
      };
    } finally {
      await spill.remove();
    }
  },
});
