import { z } from "zod";
import { advanced, column, ConfigError, defineNode } from "../sdk";
import { sameFamily, valueTypeOf } from "./expression";

// DuckDB's virtual column giving a row's position in the Parquet file: the stable "input order".
const POSITION = "file_row_number";

const KIND_SQL = { inner: "INNER JOIN", left: "LEFT JOIN", full: "FULL OUTER JOIN" } as const;

export default defineNode({
  type: "transform.join",
  version: 1,
  kind: "transform",
  label: "Join",
  description:
    "Combine two tables on matching key columns, e.g. customers with their orders. Gives the left table's columns, then the right table's (without its key columns). Empty keys never match.",
  inputs: { left: { type: "table", label: "Left" }, right: { type: "table", label: "Right" } },
  outputs: { rows: "table" },
  config: z.object({
    kind: z
      .enum(["inner", "left", "full"])
      .default("inner")
      .describe("inner: only rows that match. left: every left row, with the right columns empty where nothing matches. full: every row of both sides."),
    keys: z
      .array(
        z.object({
          left: column(z.string().min(1)).describe("Key column of the left table."),
          right: column(z.string().min(1)).describe("Column of the right table that must equal it."),
        }),
      )
      .min(1)
      .describe("Rows match when all of these pairs of columns are equal."),
    suffix: advanced(
      z
        .string()
        .min(1)
        .max(50)
        .default("_right")
        .describe("Added to the name of a right-side column that has the same name as a left-side one."),
    ),
  }),
  async run({ config, inputs, ctx }) {
    const { left, right } = inputs;
    const { ident } = ctx.datasets;
    const leftCols = new Map(left.columns.map((c) => [c.name, c]));
    const rightCols = new Map(right.columns.map((c) => [c.name, c]));
    config.keys.forEach((pair, i) => {
      const l = leftCols.get(pair.left);
      if (!l) throw new ConfigError(`Join: no column "${pair.left}" in the left table`, { field: `keys.${i}.left` });
      const r = rightCols.get(pair.right);
      if (!r) throw new ConfigError(`Join: no column "${pair.right}" in the right table`, { field: `keys.${i}.right` });
      if (!sameFamily(valueTypeOf(l.type), valueTypeOf(r.type))) {
        throw new ConfigError(`Join: "${pair.left}" (${l.type}) and "${pair.right}" (${r.type}) hold different kinds of values and cannot be matched`, {
          field: `keys.${i}`,
        });
      }
    });
    for (const [side, ref] of [["left", left], ["right", right]] as const) {
      if (ref.columns.some((c) => c.name === POSITION)) {
        throw new ConfigError(`Join: the ${side} table has a column named "${POSITION}", which this node needs for row positions; rename it first`, {
          field: side,
        });
      }
    }

    // Output columns: the left ones, then the right ones except the right keys (their values are
    // the left keys'). Names are compared ignoring case, as DuckDB does.
    const taken = new Set(left.columns.map((c) => c.name.toLowerCase()));
    const rightKeys = new Set(config.keys.map((k) => k.right));
    const coalesced = new Map<string, string>(); // left key -> right key (full join)
    for (const k of config.keys) if (!coalesced.has(k.left)) coalesced.set(k.left, k.right);
    const select = left.columns.map((c) =>
      config.kind === "full" && coalesced.has(c.name)
        ? // Right-only rows of a full join get their key from the right.
          `coalesce(l.${ident(c.name)}, r.${ident(coalesced.get(c.name)!)}) AS ${ident(c.name)}`
        : `l.${ident(c.name)}`,
    );
    const renamed: Record<string, string> = {};
    for (const c of right.columns) {
      if (rightKeys.has(c.name)) continue;
      let name = c.name;
      for (let n = 1; taken.has(name.toLowerCase()); n++) name = n === 1 ? `${c.name}${config.suffix}` : `${c.name}${config.suffix}${n}`;
      taken.add(name.toLowerCase());
      if (name !== c.name) renamed[c.name] = name;
      select.push(`r.${ident(c.name)} AS ${ident(name)}`);
    }

    const on = config.keys.map((k) => `l.${ident(k.left)} = r.${ident(k.right)}`).join(" AND ");
    const pos = ident(POSITION);
    const lsrc = ctx.datasets.fromWithPosition(left);
    const rsrc = ctx.datasets.fromWithPosition(right);
    ctx.progress(null, "Joining");
    // Left order first (each left row's matches in right order), then right-only rows in right order.
    const out = await ctx.datasets.create(
      `SELECT ${select.join(", ")} FROM ${lsrc} l ${KIND_SQL[config.kind]} ${rsrc} r ON ${on} ORDER BY l.${pos} NULLS LAST, r.${pos}`,
    );

    // The same counts whatever the kind: how the two sides met.
    const [counts] = await ctx.datasets.query<{ matched: number; leftOnly: number; rightOnly: number; leftMatched: number }>(
      `SELECT count(*) FILTER (WHERE l.${pos} IS NOT NULL AND r.${pos} IS NOT NULL) AS matched,
              count(*) FILTER (WHERE r.${pos} IS NULL) AS "leftOnly",
              count(*) FILTER (WHERE l.${pos} IS NULL) AS "rightOnly",
              count(DISTINCT l.${pos}) FILTER (WHERE r.${pos} IS NOT NULL) AS "leftMatched"
         FROM ${lsrc} l FULL OUTER JOIN ${rsrc} r ON ${on}`,
    );
    return {
      outputs: { rows: out },
      metrics: {
        rowsLeft: left.rows,
        rowsRight: right.rows,
        rowsOut: out.rows,
        /** Output rows made of a left and a right row (more than the left rows when a key repeats on the right). */
        matched: Number(counts!.matched),
        leftOnly: Number(counts!.leftOnly),
        rightOnly: Number(counts!.rightOnly),
        leftRowsMatched: Number(counts!.leftMatched),
        ...(Object.keys(renamed).length ? { renamed } : {}),
      },
    };
  },
});
