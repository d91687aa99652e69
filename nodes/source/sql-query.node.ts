import { z } from "zod";
import { ConfigError, DataError, defineNode, readSecret, SECRET_ENV_PATTERN, SECRET_ENV_PREFIX, type NodeContext } from "../sdk";
import { readPostgres, readSqlite, RowSpill, type ReadOutcome } from "./sql-read";

/**
 * The one rule for secrets: a flow may name an environment variable only when its name starts with
 * this prefix, so a graph (which the browser sees and edits) can hold no password, and cannot read
 * any other server setting.
 */

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const config = z
  .object({
    engine: z.enum(["sqlite", "postgres"]).describe("The database: a SQLite file, or a PostgreSQL server."),
    database: z
      .string()
      .optional()
      .describe("SQLite: path of the database file (opened read-only). Relative paths start at the project directory."),
    connectionEnv: z
      .string()
      .regex(SECRET_ENV_PATTERN, `the name of an environment variable starting with ${SECRET_ENV_PREFIX} (capital letters, digits, _)`)
      .optional()
      .describe(
        `PostgreSQL: the name of the worker's environment variable holding the connection URL (postgres://user:password@host:port/db), e.g. ${SECRET_ENV_PREFIX}CRM_DATABASE_URL. Only names starting with ${SECRET_ENV_PREFIX} are allowed; the URL itself never goes in the flow.`,
      ),
    query: z
      .string()
      .refine((q) => q.trim().length > 0, "write a query")
      .describe("One SQL statement that reads rows (SELECT, WITH … SELECT, VALUES). Use ? (SQLite) or $1, $2… (PostgreSQL) for parameters."),
    params: z.array(scalar).default([]).describe("Values for the query's parameters, in order. Bound by the database, never pasted into the SQL."),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(60)
      .describe("PostgreSQL: the longest one statement may run (the query, then each fetch of 5,000 rows)."),
  })
  .superRefine((c, issue) => {
    // Checked on save too, so the form shows it before any run.
    if (c.engine === "sqlite" && !c.database) issue.addIssue({ code: "custom", path: ["database"], message: "give the SQLite database file" });
    if (c.engine === "postgres" && !c.connectionEnv) {
      issue.addIssue({ code: "custom", path: ["connectionEnv"], message: `give the environment variable (${SECRET_ENV_PREFIX}…) holding the connection URL` });
    }
  });

function resolveDatabase(ctx: NodeContext, file: string): string {
  try {
    return ctx.resolvePath(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.message, { field: "database", cause: err });
    throw err;
  }
}

/** The connection URL from the environment; messages name the variable, never its value. */
const connectionString = (name: string) => readSecret(name, { field: "connectionEnv", what: "SQL query" });

export default defineNode({
  type: "source.sql-query",
  version: 1,
  kind: "source",
  label: "SQL query",
  description:
    "Read the rows of one SQL query from your own database: a SQLite file, or PostgreSQL. Read-only: SQLite is opened read-only and only statements " +
    "that change nothing run; PostgreSQL runs the query in a READ ONLY transaction (rolled back), with a statement timeout. Parameters are bound, never " +
    `pasted into the SQL. The PostgreSQL connection URL is a secret: put it in an environment variable of the worker whose name starts with ${SECRET_ENV_PREFIX} ` +
    "and give that name. Rows are streamed in batches. Types: integers stay integers (BIGINT, exact), PostgreSQL numeric(p,s) becomes DECIMAL(p,s) and " +
    "unconstrained numeric DOUBLE, floats DOUBLE, booleans BOOLEAN, dates DATE, timestamps TIMESTAMP (timestamptz in UTC), bytea/BLOB as BLOB, " +
    "everything else (uuid, json, arrays, intervals) as text. SQLite columns get their type from their values, and a column declared BOOLEAN, DATE or " +
    "DATETIME/TIMESTAMP whose values all fit becomes that type.",
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
        const file = resolveDatabase(ctx, cfg.database!);
        outcome = await readSqlite({ file, query: cfg.query, params: cfg.params, sink: spill.write, signal: ctx.signal, onBatch });
      } else {
        const env = cfg.connectionEnv!;
        outcome = await readPostgres({
          connectionString: connectionString(env),
          connectionEnv: env,
          query: cfg.query,
          params: cfg.params,
          timeoutSeconds: cfg.timeoutSeconds,
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
