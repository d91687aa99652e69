import { z } from "zod";
import { advanced, column, ConfigError, defineNode, type DatasetStore } from "../sdk";
import { blankSql, requireColumn, sameName, trimSql, typeFamily, type TypeFamily } from "./sql-helpers";

const LABEL = "Select & convert columns";
const REASON = "_reject_reason";

const TARGETS = {
  text: { sql: "VARCHAR", words: "text" },
  integer: { sql: "BIGINT", words: "a whole number" },
  number: { sql: "DOUBLE", words: "a number" },
  boolean: { sql: "BOOLEAN", words: "a yes/no value" },
  date: { sql: "DATE", words: "a date" },
  timestamp: { sql: "TIMESTAMP", words: "a date and time" },
} as const;
type Target = keyof typeof TARGETS;

const config = z.object({
  columns: z
    .array(
      z.object({
        column: column(z.string().min(1)).describe("A column of the input."),
        rename: z.string().optional().describe("Give the column this name in the output. Empty: keep its name."),
        type: z
          .enum(["text", "integer", "number", "boolean", "date", "timestamp"])
          .optional()
          .describe(
            "Convert the values to this type: integer = whole numbers, boolean = yes/no (yes/no, true/false, 1/0), date = YYYY-MM-DD, timestamp = date and time. Empty: leave the values as they are.",
          ),
        keep: z.boolean().default(true).describe("Off: leave this column out of the output."),
      }),
    )
    .min(1)
    .describe("The columns to rename, convert or drop."),
  others: z
    .enum(["keep", "drop"])
    .default("keep")
    .describe("Columns not in the list: keep them (the columns stay in their input order) or drop them (the output has only the listed columns, in list order)."),
  onCastFailure: z
    .enum(["null", "reject"])
    .default("null")
    .describe(
      "A value that cannot be converted (like \"abc\" as a number): null = leave it empty and count it; reject = set the whole row aside in the Rejects output, with the reason.",
    ),
  blankAsNull: advanced(
    z
      .boolean()
      .default(true)
      .describe("Treat empty or whitespace-only text as a missing value, not as a value that failed to convert."),
  ),
});

/** SQL converting `x` (of DuckDB type `type`) to `target`; null when the value cannot be converted. */
function castSql(ds: DatasetStore, x: string, type: string, target: Target, blankAsNull: boolean): string {
  const family: TypeFamily = typeFamily(type);
  const T = TARGETS[target].sql;
  if (family === "text") {
    if (target === "text") return blankAsNull ? `CASE WHEN ${blankSql(ds, x)} THEN NULL ELSE ${x} END` : x;
    const v = trimSql(ds, x);
    switch (target) {
      // TRY_CAST('1.5' AS BIGINT) rounds to 2: a whole number must read the same as a double.
      case "integer":
        return `CASE WHEN TRY_CAST(${v} AS DOUBLE) = TRY_CAST(${v} AS BIGINT) THEN TRY_CAST(${v} AS BIGINT) END`;
      case "boolean":
        return `TRY_CAST(lower(${v}) AS BOOLEAN)`;
      default:
        return `TRY_CAST(${v} AS ${T})`;
    }
  }
  if (target === "text") return `CAST(${x} AS VARCHAR)`;
  if (family === "integer") {
    if (target === "integer" || target === "number") return `TRY_CAST(${x} AS ${T})`;
    if (target === "boolean") return `CASE WHEN ${x} = 1 THEN true WHEN ${x} = 0 THEN false END`;
  }
  if (family === "number") {
    if (target === "integer") return `CASE WHEN ${x} = trunc(${x}) THEN TRY_CAST(${x} AS BIGINT) END`;
    if (target === "number") return `TRY_CAST(${x} AS DOUBLE)`;
    if (target === "boolean") return `CASE WHEN ${x} = 1 THEN true WHEN ${x} = 0 THEN false END`;
  }
  if (family === "boolean" && (target === "integer" || target === "number" || target === "boolean")) return `CAST(${x} AS ${T})`;
  if ((family === "date" || family === "timestamp") && (target === "date" || target === "timestamp")) return `TRY_CAST(${x} AS ${T})`;
  // Anything else goes through its text form, the way a person would read it.
  return castSql(ds, `CAST(${x} AS VARCHAR)`, "VARCHAR", target, false);
}

export default defineNode({
  type: "transform.select-cast",
  version: 1,
  kind: "transform",
  label: LABEL,
  description:
    "Choose, rename and convert columns: text to numbers, dates or yes/no. Values that cannot be converted are left empty and counted, or their rows are set aside in Rejects with the reason.",
  inputs: { rows: "table" },
  outputs: { rows: "table", rejects: { type: "table", label: "Rejects" } },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const ds = ctx.datasets;
    const { ident } = ds;

    const listed = cfg.columns.map((c, i) => ({ ...c, i, source: requireColumn(input, c.column, `columns.${i}.column`, LABEL) }));
    const seen = new Map<string, number>();
    for (const c of listed) {
      const before = seen.get(c.column);
      if (before !== undefined) {
        throw new ConfigError(`${LABEL}: column "${c.column}" is listed twice (entries ${before + 1} and ${c.i + 1})`, { field: `columns.${c.i}.column` });
      }
      seen.set(c.column, c.i);
    }
    if (cfg.onCastFailure === "reject" && input.columns.some((c) => sameName(c.name, REASON))) {
      throw new ConfigError(`${LABEL}: the input already has a column "${REASON}", which the Rejects output needs; rename it first`, { field: "onCastFailure" });
    }

    // The output: listed columns in list order, or every kept column in input order.
    const byName = new Map(listed.map((c) => [c.column, c]));
    const order =
      cfg.others === "drop"
        ? listed.filter((c) => c.keep).map((c) => c.source)
        : input.columns.filter((col) => byName.get(col.name)?.keep ?? true);
    if (!order.length) throw new ConfigError(`${LABEL}: no column is left in the output`, { field: "columns" });

    const outNames = new Map<string, string>(); // lower-cased output name -> the column it comes from
    const selects: string[] = [];
    for (const col of order) {
      const entry = byName.get(col.name);
      const name = entry?.rename?.trim() || col.name;
      const clash = outNames.get(name.toLowerCase());
      if (clash !== undefined) {
        // Point at the rename that caused it: this column's, else the earlier one's.
        const other = byName.get(clash);
        const at = entry?.rename?.trim() ? entry : other?.rename?.trim() ? other : undefined;
        throw new ConfigError(`${LABEL}: two output columns would be called "${name}" (from "${clash}" and "${col.name}")`, {
          field: at ? `columns.${at.i}.rename` : "columns",
        });
      }
      outNames.set(name.toLowerCase(), col.name);
      const value = entry?.type ? castSql(ds, ident(col.name), col.type, entry.type, cfg.blankAsNull) : ident(col.name);
      selects.push(`${value} AS ${ident(name)}`);
    }

    // A value fails when it was there (not null, not blank when blanks count as missing) and converts to null.
    const casts = listed.filter((c) => c.type && c.type !== "text");
    const failures = casts.map((c) => {
      const x = ident(c.column);
      const present = cfg.blankAsNull && typeFamily(c.source.type) === "text" ? `${x} IS NOT NULL AND NOT ${blankSql(ds, x)}` : `${x} IS NOT NULL`;
      const reason = `${ds.literal(`${c.column}: "`)} || CAST(${x} AS VARCHAR) || ${ds.literal(`" is not ${TARGETS[c.type!].words}`)}`;
      return { c, sql: `(${present} AND (${castSql(ds, x, c.source.type, c.type!, cfg.blankAsNull)}) IS NULL)`, reason };
    });
    const anyFailure = failures.length ? failures.map((f) => f.sql).join(" OR ") : "false";
    const src = ds.from(input);

    const counts = failures.length
      ? (await ds.query<Record<string, number>>(
          `SELECT count(*) FILTER (WHERE ${anyFailure}) AS "rows", ${failures.map((f, k) => `count(*) FILTER (WHERE ${f.sql}) AS f${k}`).join(", ")} FROM ${src}`,
        ))[0]!
      : { rows: 0 };
    const castFailures: Record<string, number> = {};
    failures.forEach((f, k) => (castFailures[f.c.column] = Number(counts[`f${k}`] ?? 0)));
    ctx.signal.throwIfAborted();

    const reject = cfg.onCastFailure === "reject";
    const inputColumns = input.columns.map((c) => ident(c.name)).join(", ");
    const reasonSql = failures.length ? `concat_ws('; ', ${failures.map((f) => `CASE WHEN ${f.sql} THEN ${f.reason} END`).join(", ")})` : "CAST(NULL AS VARCHAR)";
    const rows = await ds.create(`SELECT ${selects.join(", ")} FROM ${src}${reject ? ` WHERE NOT (${anyFailure})` : ""}`);
    ctx.signal.throwIfAborted();
    // Rejects keep the row as it came in, so the bad value can be seen and fixed at its source.
    const rejects = await ds.create(`SELECT ${inputColumns}, ${reasonSql} AS ${ident(REASON)} FROM ${src} WHERE ${reject ? anyFailure : "false"}`);

    return {
      outputs: { rows, rejects },
      metrics: {
        rowsIn: input.rows,
        rowsOut: rows.rows,
        rejected: rejects.rows,
        columnsOut: rows.columns.length,
        castFailures,
        ...(reject ? {} : { nulledValues: Object.values(castFailures).reduce((a, b) => a + b, 0) }),
      },
    };
  },
});
