import { z } from "zod";
import { advanced, column, defineNode, sameColumns } from "../sdk";
import { checkNoPositionColumn, freeName, POSITION, requireColumn } from "./sql-helpers";

const LABEL = "Sample or split";

const config = z
  .object({
    mode: z
      .enum(["split", "sample"])
      .default("split")
      .describe("split = divide the rows into a training part (Rows) and a test part (Rest); sample = take some of the rows (Rows) and leave the others (Rest)."),
    trainFraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.8)
      .describe("For split: the share of rows in the training part, e.g. 0.8 for an 80/20 split."),
    fraction: z.number().gt(0).max(1).optional().describe("For sample: the share of rows to take, e.g. 0.1 for 10 %. Give this or a number of rows."),
    rows: z.number().int().min(1).optional().describe("For sample: how many rows to take. Give this or a share of rows."),
    stratifyBy: column(z.string())
      .optional()
      .describe("Keep the mix of this column's values (e.g. the churn rate) the same in both parts. Empty: purely random."),
    seed: advanced(
      z
        .number()
        .int()
        .min(-(2 ** 53) + 1)
        .max(2 ** 53 - 1)
        .default(42)
        .describe("The same seed on the same table always picks the same rows; change it for a different random pick."),
    ),
  })
  .superRefine((c, issue) => {
    if (c.mode !== "sample") return;
    if (c.fraction === undefined && c.rows === undefined) issue.addIssue({ code: "custom", path: ["fraction"], message: "Give a share of rows or a number of rows to sample" });
    if (c.fraction !== undefined && c.rows !== undefined) issue.addIssue({ code: "custom", path: ["rows"], message: "Give a share of rows or a number of rows, not both" });
  });

export default defineNode({
  type: "transform.sample-split",
  version: 1,
  kind: "transform",
  label: LABEL,
  description:
    "Take a random sample, or split the rows into a training part and a test part, optionally keeping the mix of a column (like churned / not churned) the same in each. The same rows are picked every run unless you change the seed.",
  inputs: { rows: "table" },
  outputs: { rows: { type: "table", label: "Rows (sample / train)" }, rest: { type: "table", label: "Rest (test)" } },
  columns: sameColumns("rows", "rest"),
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const ds = ctx.datasets;
    const { ident } = ds;
    const stratify = cfg.stratifyBy || undefined;
    if (stratify !== undefined) requireColumn(input, stratify, "stratifyBy", LABEL);
    checkNoPositionColumn(input, LABEL, "stratifyBy");

    const n = input.rows;
    const target = cfg.mode === "split" ? Math.round(cfg.trainFraction * n) : cfg.rows !== undefined ? Math.min(cfg.rows, n) : Math.round(cfg.fraction! * n);

    // Helper columns, named so they cannot meet an input column.
    const used = input.columns.map((c) => c.name);
    const [S, K, P] = ["_stratum", "_key", "_picked"].map((b) => ident(freeName(b, used))) as [string, string, string];

    // Each row's random key is a hash of the seed and its position: the same on every run and
    // every machine, whatever order DuckDB's threads read the file in. Position breaks ties.
    // hash(a, b) is hash(a) XOR hash(b), so two seeds would give related orders: hash it again.
    const pos = ident(POSITION);
    const stratum = stratify !== undefined ? ident(stratify) : "NULL";
    const src = `src AS (SELECT *, ${stratum} AS ${S}, hash(hash(${cfg.seed}::BIGINT, ${pos})) AS ${K} FROM ${ds.fromWithPosition(input)})`;
    // How many rows each stratum gives: its share of the target, rounded down, plus one for the
    // strata with the largest remainders until the total is exact (all in whole numbers).
    const N = Math.max(n, 1);
    const strata = `strata AS (SELECT ${S}, count(*)::HUGEINT AS size FROM src GROUP BY ${S})`;
    const quota = `quota AS (SELECT ${S}, size, (${target}::HUGEINT * size) // ${N} AS base, (${target}::HUGEINT * size) % ${N} AS remainder FROM strata)`;
    const alloc = `alloc AS (SELECT ${S}, base + CASE WHEN row_number() OVER (ORDER BY remainder DESC, size DESC, ${S} NULLS LAST) <= ${target} - sum(base) OVER () THEN 1 ELSE 0 END AS take FROM quota)`;
    const picked = `picked AS (SELECT src.*, row_number() OVER (PARTITION BY src.${S} ORDER BY src.${K}, src.${pos}) <= alloc.take AS ${P} FROM src JOIN alloc ON src.${S} IS NOT DISTINCT FROM alloc.${S})`;
    const cols = input.columns.map((c) => ident(c.name)).join(", ");
    const part = (yes: boolean) => `WITH ${src}, ${strata}, ${quota}, ${alloc}, ${picked} SELECT ${cols} FROM picked WHERE ${yes ? "" : "NOT "}${P} ORDER BY ${pos}`;

    ctx.progress(null, "Picking rows");
    const rows = await ds.create(part(true));
    ctx.signal.throwIfAborted();
    const rest = await ds.create(part(false));

    const metrics: Record<string, unknown> = { rowsIn: n, rowsOut: rows.rows, rest: rest.rows };
    if (stratify !== undefined) {
      const counts = await ds.query<{ stratum: unknown; rows: number; rest: number }>(
        `SELECT CAST(s AS VARCHAR) AS stratum, sum(r)::BIGINT AS "rows", sum(t)::BIGINT AS "rest" FROM (
           SELECT ${ident(stratify)} AS s, 1 AS r, 0 AS t FROM ${ds.from(rows)}
           UNION ALL SELECT ${ident(stratify)}, 0, 1 FROM ${ds.from(rest)}) GROUP BY s ORDER BY s NULLS LAST LIMIT 21`,
      );
      metrics.strata = counts.length > 20 ? "more than 20" : Object.fromEntries(counts.map((c) => [c.stratum === null ? "(empty)" : String(c.stratum), { rows: c.rows, rest: c.rest }]));
    }
    return { outputs: { rows, rest }, metrics };
  },
});
