import { z } from "zod";
import { column, ConfigError, defineNode } from "../sdk";
import { isIntegerType, valueTypeOf } from "./expression";

const FUNCTIONS = ["count", "count_distinct", "sum", "avg", "min", "max"] as const;
type AggFunction = (typeof FUNCTIONS)[number];

export default defineNode({
  type: "transform.aggregate",
  version: 1,
  kind: "transform",
  label: "Aggregate",
  description:
    "Summarise rows per group, e.g. customers and average spend per segment. One row per combination of the group-by columns (one row in all when there are none), sorted by them.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  columns: ({ config, inputs }) => {
    const rows = inputs.rows;
    if (!rows) return undefined;
    const byName = new Map(rows.map((c) => [c.name, c]));
    const groups = config.groupBy.map((g) => byName.get(g)).filter((c) => c !== undefined);
    const figures = config.aggregations.map((agg) => {
      const col = agg.column ? byName.get(agg.column) : undefined;
      const name = agg.as || (col ? `${agg.function}_${col.name}` : "count");
      const type = agg.function.startsWith("count") ? "BIGINT" : agg.function === "avg" ? "DOUBLE" : (col?.type ?? "DOUBLE");
      return { name, type };
    });
    return { rows: [...groups, ...figures] };
  },
  config: z.object({
    groupBy: z
      .array(column(z.string().min(1)))
      .default([])
      .describe("Columns to group by. Rows with the same values in all of them are summarised together; empty values form their own group. Leave empty for one summary row."),
    aggregations: z
      .array(
        z.object({
          function: z
            .enum(FUNCTIONS)
            .describe(
              "count: rows (or, with a column, its non-empty values); count_distinct: different values; sum, avg: total and average of a number column (true counts as 1); min, max: smallest and largest value. Empty values are skipped.",
            ),
          column: column(z.string())
            .optional()
            .describe("The column to summarise. Leave empty with count to count rows."),
          as: z.string().trim().max(200).optional().describe("Name of the result column. Empty: the function and column, e.g. avg_spend."),
        }),
      )
      .min(1)
      .describe("The figures to compute for each group."),
  }),
  async run({ config, inputs, ctx }) {
    const input = inputs.rows;
    const { ident } = ctx.datasets;
    const byName = new Map(input.columns.map((c) => [c.name, c]));

    config.groupBy.forEach((g, i) => {
      if (!byName.has(g)) throw new ConfigError(`Aggregate: no column "${g}" in the input`, { field: `groupBy.${i}` });
    });
    if (new Set(config.groupBy).size !== config.groupBy.length) throw new ConfigError("Aggregate: a group-by column is listed twice", { field: "groupBy" });

    // Output names, compared ignoring case as DuckDB does.
    const names = new Map(config.groupBy.map((g) => [g.toLowerCase(), "groupBy"]));
    const select: string[] = config.groupBy.map((g) => ident(g));
    config.aggregations.forEach((agg, i) => {
      const field = `aggregations.${i}`;
      const fn: AggFunction = agg.function;
      const colName = agg.column || undefined;
      const col = colName === undefined ? undefined : byName.get(colName);
      if (colName !== undefined && !col) throw new ConfigError(`Aggregate: no column "${colName}" in the input`, { field: `${field}.column` });
      if (!col && fn !== "count") throw new ConfigError(`Aggregate: ${fn} needs a column`, { field: `${field}.column` });
      const kind = col ? valueTypeOf(col.type) : undefined;
      if ((fn === "sum" || fn === "avg") && kind !== "number" && kind !== "boolean") {
        throw new ConfigError(`Aggregate: ${fn} needs a number column, and "${colName}" is ${col!.type}`, { field: `${field}.column` });
      }
      if ((fn === "min" || fn === "max") && kind === "other") {
        throw new ConfigError(`Aggregate: ${fn} cannot compare the values of "${colName}" (${col!.type})`, { field: `${field}.column` });
      }
      const as = agg.as || (col ? `${fn}_${col.name}` : "count");
      const key = as.toLowerCase();
      if (names.has(key)) {
        throw new ConfigError(`Aggregate: two result columns would be called "${as}"; give one a different name`, { field: `${field}.as` });
      }
      names.set(key, field);

      const x = col ? ident(col.name) : "";
      // true counts as 1 in sums and averages (the share of rows where it holds).
      const num = kind === "boolean" ? `CAST(${x} AS INTEGER)` : x;
      let sql: string;
      switch (fn) {
        case "count":
          sql = col ? `count(${x})` : "count(*)";
          break;
        case "count_distinct":
          sql = `count(DISTINCT ${x})`;
          break;
        case "sum":
          // DuckDB widens whole-number sums to HUGEINT, which Parquet stores as a float: keep BIGINT.
          sql = kind === "boolean" || isIntegerType(col!.type) ? `CAST(sum(${num}) AS BIGINT)` : `sum(${num})`;
          break;
        case "avg":
          sql = `avg(${num})`;
          break;
        case "min":
          sql = `min(${x})`;
          break;
        case "max":
          sql = `max(${x})`;
          break;
      }
      select.push(`${sql} AS ${ident(as)}`);
    });

    const src = ctx.datasets.from(input);
    const groups = config.groupBy.map((g) => ident(g)).join(", ");
    const sql = config.groupBy.length
      ? `SELECT ${select.join(", ")} FROM ${src} GROUP BY ${groups} ORDER BY ${config.groupBy.map((g) => `${ident(g)} ASC NULLS LAST`).join(", ")}`
      : `SELECT ${select.join(", ")} FROM ${src}`;
    const out = await ctx.datasets.create(sql);
    return {
      outputs: { rows: out },
      metrics: { rowsIn: input.rows, groups: out.rows },
    };
  },
});
