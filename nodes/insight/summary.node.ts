import { z } from "zod";
import { advanced, column, ConfigError, defineNode, type Column, type DatasetRef, type NodeContext } from "../sdk";
import { typeFamily } from "../transform/sql-helpers";
import { chosenColumns, topValues } from "./stats";

const config = z.object({
  columns: z.array(column(z.string())).optional().describe("Columns to summarise. Empty: every column."),
  top: advanced(z.number().int().min(1).max(100).default(10).describe("How many of the most frequent values to list per column (the value counts of a text column).")),
  bins: advanced(z.number().int().min(2).max(100).default(10).describe("Number of equal-width bars in the histogram of each number column.")),
});
type Config = z.output<typeof config>;

export interface ValueCount {
  value: unknown;
  count: number;
  /** count / all rows */
  share: number;
}

export interface ColumnSummary {
  /** DuckDB type. */
  type: string;
  /** numeric: histogram; categorical (text, yes/no): value counts; temporal: range only. */
  kind: "numeric" | "categorical" | "temporal" | "other";
  /** Rows with a value. */
  count: number;
  nulls: number;
  nullShare: number | null;
  /** Distinct values, NULL not counted. */
  distinct: number;
  /** Most frequent values first (ties by value), NULL left out. With otherCount, the value counts of the column. */
  topValues: ValueCount[];
  /** Values present but not among topValues. */
  otherCount: number;
  otherShare: number | null;
  /** Numeric: over finite values. Temporal: ISO text. */
  min?: number | string | null;
  max?: number | string | null;
  mean?: number | null;
  std?: number | null;
  /** Numeric: 5th, 25th, 50th, 75th and 95th percentiles (interpolated). */
  quantiles?: { p5: number; p25: number; p50: number; p75: number; p95: number } | null;
  /** Floating-point columns: NaN and ±Infinity values, left out of the figures above. */
  nonFinite?: number;
  /**
   * Numeric: equal-width bins from min to max, the last including max. A whole-number column
   * with no more different steps than bins gets one bin per whole number, from v to v + 1.
   */
  histogram?: { from: number; to: number; count: number }[];
}

const FLOATING = /^(FLOAT|DOUBLE|REAL)$/i;
const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function kindOf(type: string): ColumnSummary["kind"] {
  const f = typeFamily(type);
  if (f === "integer" || f === "number") return "numeric";
  if (f === "text" || f === "boolean") return "categorical";
  if (f === "date" || f === "timestamp") return "temporal";
  return "other";
}

async function summarise(ctx: NodeContext, ref: DatasetRef, cols: Column[], cfg: Config) {
  const { ident } = ctx.datasets;
  const from = ctx.datasets.from(ref);
  const query = <T,>(sql: string) => ctx.datasets.query<T>(sql);
  const kinds = cols.map((c) => kindOf(c.type));
  const floating = (c: Column) => FLOATING.test(c.type.trim());
  // Finite values as DOUBLE (NaN and infinities would spoil min, max and the bins).
  const x = (c: Column) => (floating(c) ? `CASE WHEN isfinite(${ident(c.name)}) THEN CAST(${ident(c.name)} AS DOUBLE) END` : `CAST(${ident(c.name)} AS DOUBLE)`);

  // Pass 1: counts, distinct values and the numeric statistics of every column, in one scan.
  const aggs = ["count(*) AS n"];
  if (cols.length) aggs.push(`count(*) FILTER (WHERE ${cols.map((c) => `${ident(c.name)} IS NOT NULL`).join(" AND ")}) AS complete`);
  cols.forEach((c, i) => {
    const q = ident(c.name);
    aggs.push(`count(${q}) AS c${i}_count`, `count(DISTINCT ${q}) AS c${i}_distinct`);
    if (kinds[i] === "numeric") {
      aggs.push(
        `min(${x(c)}) AS c${i}_min`,
        `max(${x(c)}) AS c${i}_max`,
        `avg(${x(c)}) AS c${i}_mean`,
        `stddev_samp(${x(c)}) AS c${i}_std`,
        `quantile_cont(${x(c)}, [${QUANTILES.join(", ")}]) AS c${i}_q`,
      );
      if (floating(c)) aggs.push(`count(*) FILTER (WHERE ${q} IS NOT NULL AND NOT isfinite(${q})) AS c${i}_nonfinite`);
    } else if (kinds[i] === "temporal") {
      aggs.push(`CAST(min(${q}) AS VARCHAR) AS c${i}_min`, `CAST(max(${q}) AS VARCHAR) AS c${i}_max`);
    }
  });
  const stats = (await query<Record<string, unknown>>(`SELECT ${aggs.join(", ")} FROM ${from}`))[0]!;
  const rows = Number(stats.n);

  // Pass 2: histograms, one GROUP BY per numeric column, in one statement.
  const layouts = new Map<number, { min: number; max: number; bins: number; unit: boolean }>();
  const histSql: string[] = [];
  cols.forEach((c, i) => {
    const min = num(stats[`c${i}_min`]);
    const max = num(stats[`c${i}_max`]);
    if (kinds[i] !== "numeric" || min === null || max === null) return;
    const unit = typeFamily(c.type) === "integer" && max - min + 1 <= cfg.bins;
    const bins = unit ? max - min + 1 : max > min ? cfg.bins : 1;
    layouts.set(i, { min, max, bins, unit });
    const bin = unit ? `CAST(${x(c)} - ${min} AS INTEGER)` : bins > 1 ? `least(${bins - 1}, CAST(floor((${x(c)} - ${min}) * ${bins} / ${max - min}) AS INTEGER))` : "0";
    histSql.push(`SELECT ${i} AS col, ${bin} AS bin, count(*) AS n FROM ${from} WHERE ${x(c)} IS NOT NULL GROUP BY bin`);
  });
  const histRows = histSql.length ? await query<{ col: number; bin: number; n: unknown }>(histSql.join(" UNION ALL ")) : [];
  const hist = new Map(histRows.map((r) => [`${r.col}:${r.bin}`, Number(r.n)]));

  // Pass 3: the most frequent values of each column.
  const topBy = new Map(
    [...(await topValues(ctx.datasets, from, cols.map((c) => c.name), cfg.top))].map(([i, list]): [number, ValueCount[]] => [
      i,
      list.map((v) => ({ ...v, share: rows ? v.count / rows : 0 })),
    ]),
  );

  const summaries = cols.map((c, i): [string, ColumnSummary] => {
    const count = Number(stats[`c${i}_count`]);
    const topValues = topBy.get(i) ?? [];
    const otherCount = count - topValues.reduce((a, v) => a + v.count, 0);
    const s: ColumnSummary = {
      type: c.type,
      kind: kinds[i]!,
      count,
      nulls: rows - count,
      nullShare: rows ? (rows - count) / rows : null,
      distinct: Number(stats[`c${i}_distinct`]),
      topValues,
      otherCount,
      otherShare: rows ? otherCount / rows : null,
    };
    if (kinds[i] === "numeric") {
      s.min = num(stats[`c${i}_min`]);
      s.max = num(stats[`c${i}_max`]);
      s.mean = num(stats[`c${i}_mean`]);
      s.std = num(stats[`c${i}_std`]);
      const q = stats[`c${i}_q`] as unknown[] | null;
      s.quantiles = q ? { p5: Number(q[0]), p25: Number(q[1]), p50: Number(q[2]), p75: Number(q[3]), p95: Number(q[4]) } : null;
      if (floating(c)) s.nonFinite = Number(stats[`c${i}_nonfinite`]);
      const l = layouts.get(i);
      if (l) {
        const width = l.unit ? 1 : (l.max - l.min) / l.bins;
        s.histogram = Array.from({ length: l.bins }, (_, k) => ({
          from: l.min + k * width,
          to: l.unit ? l.min + k + 1 : k === l.bins - 1 ? l.max : l.min + (k + 1) * width,
          count: hist.get(`${i}:${k}`) ?? 0,
        }));
      }
    } else if (kinds[i] === "temporal") {
      s.min = (stats[`c${i}_min`] as string | null) ?? null;
      s.max = (stats[`c${i}_max`] as string | null) ?? null;
    }
    return [c.name, s];
  });
  return { rows, completeRows: cols.length ? Number(stats.complete) : rows, columns: Object.fromEntries(summaries) as Record<string, ColumnSummary> };
}

export default defineNode({
  type: "insight.summary",
  version: 1,
  kind: "insight",
  label: "Summary",
  description:
    "Summarise chosen columns: how many values are present, missing and distinct, the most frequent values, and the distribution: " +
    "a histogram with mean, standard deviation and percentiles for numbers, value counts for text and yes/no columns. The table passes through unchanged.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const cols = chosenColumns(input.columns, cfg.columns, (name, i) => new ConfigError(`Summary: no column "${name}" in the input`, { field: `columns.${i}` }));
    ctx.progress(null, `Summarising ${cols.length} column${cols.length === 1 ? "" : "s"} of ${input.rows} rows`);
    const summary = await summarise(ctx, input, cols, cfg);
    ctx.progress(1, "Summarised");
    return { outputs: { rows: input }, metrics: { rows: summary.rows, completeRows: summary.completeRows, columnCount: cols.length, columns: summary.columns } };
  },
});
