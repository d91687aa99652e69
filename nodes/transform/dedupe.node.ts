import { z } from "zod";
import { column, ConfigError, defineNode, sameColumns } from "../sdk";

// DuckDB's virtual column giving a row's position in the Parquet file: the stable "input order".
const POSITION = "file_row_number";

export default defineNode({
  type: "transform.dedupe",
  version: 1,
  kind: "transform",
  label: "Remove duplicates",
  description: "Keep one row per key: the first or last one, by position in the input or by a column. Rows keep their input order.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  columns: sameColumns("rows"),
  config: z.object({
    keys: z.array(column(z.string())).min(1).describe("Columns that identify a row: rows with the same values in all of them are duplicates."),
    keep: z.enum(["first", "last"]).default("first").describe("Which row of each group to keep."),
    orderBy: column(z.string())
      .optional()
      .describe("Decide first/last by this column (smallest value is first; empty values are never preferred). Empty: by position in the input."),
  }),
  async run({ config, inputs, ctx }) {
    const input = inputs.rows;
    const names = new Set(input.columns.map((c) => c.name));
    for (const key of config.keys) {
      if (!names.has(key)) throw new ConfigError(`Remove duplicates: no column "${key}" in the input`, { field: "keys" });
    }
    const orderBy = config.orderBy || undefined;
    if (orderBy !== undefined && !names.has(orderBy)) {
      throw new ConfigError(`Remove duplicates: no column "${orderBy}" in the input`, { field: "orderBy" });
    }
    if (names.has(POSITION)) {
      throw new ConfigError(`Remove duplicates: the input has a column named "${POSITION}", which this node needs for row positions; rename it first`, {
        field: "keys",
      });
    }

    const src = ctx.datasets.fromWithPosition(input);

    const { ident } = ctx.datasets;
    const dir = config.keep === "first" ? "ASC" : "DESC";
    const pos = ident(POSITION);
    // Position breaks ties, so the result is deterministic even when orderBy has equal values.
    const order = [...(orderBy ? [`${ident(orderBy)} ${dir} NULLS LAST`] : []), `${pos} ${dir}`].join(", ");
    const partition = config.keys.map(ident).join(", ");
    const columns = input.columns.map((c) => ident(c.name)).join(", ");

    const out = await ctx.datasets.create(
      `SELECT ${columns} FROM ${src} QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) = 1 ORDER BY ${pos}`,
    );
    return {
      outputs: { rows: out },
      metrics: { rowsIn: input.rows, rowsOut: out.rows, duplicatesRemoved: input.rows - out.rows },
    };
  },
});
