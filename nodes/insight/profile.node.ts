import { z } from "zod";
import { advanced, column, ConfigError, defineNode, type Column, type NodeContext } from "../sdk";
import { chosenColumns, topValues } from "./stats";

const config = z.object({
  columns: z
    .array(column(z.string()))
    .optional()
    .describe("Columns to profile. Empty: every column."),
  topValues: advanced(z.number().int().min(1).max(50).default(5).describe("How many of the most frequent values to list per column.")),
  bins: advanced(z.number().int().min(2).max(100).default(10).describe("Number of equal-width bars in the histogram of each numeric column.")),
});

const NUMERIC = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$/i;
const FLOATING = /^(FLOAT|DOUBLE|REAL)$/i;
const TEMPORAL = /^(DATE|TIME|TIMESTAMP.*|TIME WITH TIME ZONE)$/i;
const TEXT = /^VARCHAR/i;

export interface ColumnProfile {
  type: string;
  /** Rows where the column is empty (NULL). */
  nulls: number;
  nullShare: number | null;
  /** Text columns: values that are present but only spaces (often a missing value in disguise). */
  blanks?: number;
  /** Distinct values, NULL not counted. */
  distinct: number;
  /** Numeric columns: over finite values; temporal columns: as ISO text. */
  min?: number | string | null;
  max?: number | string | null;
  mean?: number | null;
  std?: number | null;
  /** The most frequent values (NULL left out), most frequent first, ties by value. */
  topValues: { value: unknown; count: number }[];
  /** Numeric columns: equal-width bins from min to max; the last bin includes max. */
  histogram?: { from: number; to: number; count: number }[];
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function profileColumns(ctx: NodeContext, from: string, cols: Column[], topN: number, bins: number) {
  const ident = (name: string) => ctx.datasets.ident(name);
  const query = <T,>(sql: string) => ctx.datasets.query<T>(sql);
  const numeric = (c: Column) => NUMERIC.test(c.type);
  // Infinite and NaN floats would make min, max and the bins meaningless: leave them out there.
  const x = (c: Column) => (FLOATING.test(c.type) ? `CASE WHEN isfinite(${ident(c.name)}) THEN CAST(${ident(c.name)} AS DOUBLE) END` : `CAST(${ident(c.name)} AS DOUBLE)`);

  // Pass 1: counts, distinct values, min/max/mean/std, for every column at once.
  const aggs = ["count(*) AS n"];
  cols.forEach((c, i) => {
    const q = ident(c.name);
    aggs.push(`count(${q}) AS c${i}_present`, `count(DISTINCT ${q}) AS c${i}_distinct`);
    if (TEXT.test(c.type)) aggs.push(`count(*) FILTER (WHERE trim(${q}) = '') AS c${i}_blanks`);
    if (numeric(c)) aggs.push(`min(${x(c)}) AS c${i}_min`, `max(${x(c)}) AS c${i}_max`, `avg(${x(c)}) AS c${i}_mean`, `stddev_samp(${x(c)}) AS c${i}_std`);
    else if (TEMPORAL.test(c.type)) aggs.push(`CAST(min(${q}) AS VARCHAR) AS c${i}_min`, `CAST(max(${q}) AS VARCHAR) AS c${i}_max`);
  });
  const stats = (await query<Record<string, unknown>>(`SELECT ${aggs.join(", ")} FROM ${from}`))[0]!;
  const rows = Number(stats.n);

  // Pass 2: one histogram per numeric column, all in one scan, with the bounds from pass 1.
  const binned: { i: number; min: number; max: number; width: number }[] = [];
  const histAggs: string[] = [];
  cols.forEach((c, i) => {
    const min = num(stats[`c${i}_min`]);
    const max = num(stats[`c${i}_max`]);
    if (!numeric(c) || min === null || max === null) return;
    const width = (max - min) / bins;
    binned.push({ i, min, max, width });
    const bin = width > 0 ? `least(${bins - 1}, CAST(floor((${x(c)} - ${min}) / ${width}) AS INTEGER))` : "0";
    for (let b = 0; b < (width > 0 ? bins : 1); b++) histAggs.push(`count(*) FILTER (WHERE ${x(c)} IS NOT NULL AND ${bin} = ${b}) AS h${i}_${b}`);
  });
  const hist = histAggs.length ? (await query<Record<string, unknown>>(`SELECT ${histAggs.join(", ")} FROM ${from}`))[0]! : {};

  // Pass 3: the most frequent values of each column (one scan of each column, in one statement).
  const topBy = await topValues(ctx.datasets, from, cols.map((c) => c.name), topN);

  const profiles: [string, ColumnProfile][] = cols.map((c, i) => {
    const present = Number(stats[`c${i}_present`]);
    const p: ColumnProfile = {
      type: c.type,
      nulls: rows - present,
      nullShare: rows ? (rows - present) / rows : null,
      ...(TEXT.test(c.type) ? { blanks: Number(stats[`c${i}_blanks`]) } : {}),
      distinct: Number(stats[`c${i}_distinct`]),
      topValues: topBy.get(i) ?? [],
    };
    if (numeric(c) || TEMPORAL.test(c.type)) {
      const cast = numeric(c) ? num : (v: unknown) => (v === null || v === undefined ? null : String(v));
      p.min = cast(stats[`c${i}_min`]);
      p.max = cast(stats[`c${i}_max`]);
    }
    if (numeric(c)) {
      p.mean = num(stats[`c${i}_mean`]);
      p.std = num(stats[`c${i}_std`]);
      const b = binned.find((h) => h.i === i);
      if (b) {
        p.histogram =
          b.width > 0
            ? Array.from({ length: bins }, (_, k) => ({ from: b.min + k * b.width, to: k === bins - 1 ? b.max : b.min + (k + 1) * b.width, count: Number(hist[`h${i}_${k}`]) }))
            : [{ from: b.min, to: b.max, count: Number(hist[`h${i}_0`]) }];
      }
    }
    return [c.name, p];
  });
  return { rows, columns: Object.fromEntries(profiles) as Record<string, ColumnProfile> };
}

export default defineNode({
  type: "insight.profile",
  version: 1,
  kind: "insight",
  label: "Profile data",
  description:
    "Describe each column: its type, how many values are missing, how many distinct values, the most frequent ones, and for numbers the minimum, maximum, mean and a histogram. " +
    "The table passes through unchanged, so the profile can sit anywhere in a flow.",
  inputs: { rows: "table" },
  // Passing the table on (the same dataset, no copy) lets the profile sit inline between two nodes.
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const cols = chosenColumns(input.columns, cfg.columns, (name) => new ConfigError(`Profile data: no column "${name}" in the input`, { field: "columns" }));
    ctx.progress(null, `Profiling ${cols.length} column${cols.length === 1 ? "" : "s"} of ${input.rows} rows`);
    const profile = await profileColumns(ctx, ctx.datasets.from(input), cols, cfg.topValues, cfg.bins);
    ctx.progress(1, "Profiled");
    return { outputs: { rows: input }, metrics: { rows: profile.rows, columnCount: cols.length, columns: profile.columns } };
  },
});
