import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { typeFamily } from "../transform/sql-helpers";
import { compareMeans, compareProportions, finiteOrNull, meanInterval, wilsonInterval, withPosition, type Comparison, type Interval } from "./stats";

const config = z.object({
  treatmentColumn: column(z.string().min(1)).describe("Column that says which arm each row was in, e.g. segment."),
  outcomeColumn: column(z.string().min(1)).describe(
    "Column with the outcome: 0/1 or yes/no (compared as a rate, e.g. visit or conversion) or any number (compared as a mean, e.g. spend).",
  ),
  controlValue: z.string().min(1).describe("The treatment column's value for the control arm, e.g. No E-Mail. Every other value is a treatment arm compared with it."),
  scoreColumn: column(z.string())
    .optional()
    .describe("Optional model score (higher = more likely to respond to treatment). With it, the uplift among the top-scored rows of each arm is reported too."),
  topPercents: advanced(
    z
      .array(z.number().gt(0).max(100))
      .min(1)
      .max(20)
      .default([10, 20, 30])
      .describe("With a score: the top shares of each arm, in percent, at which to report the uplift (treated minus control among the highest scores)."),
  ),
  confidence: advanced(z.number().min(0.5).max(0.999).default(0.95).describe("Confidence level of the intervals; a difference is significant when its p-value is below 1 − confidence.")),
});
type Config = z.output<typeof config>;

/** More distinct values than this, and the column is probably not a treatment. */
const MAX_ARMS = 50;

export interface ArmResult {
  arm: string;
  control: boolean;
  /** Rows in the arm with an outcome. */
  n: number;
  /** The rate (share of 1/yes) or the mean, as `measure` says. */
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
  /** Rates: the rows with outcome 1/yes. */
  positives?: number;
  /** Means: the sample standard deviation. */
  sd?: number | null;
}

export interface ArmComparison {
  arm: string;
  control: string;
  /** treated − control */
  difference: number;
  ciLow: number | null;
  ciHigh: number | null;
  /** difference / control value (null when the control's value is 0). */
  relativeLift: number | null;
  /** z (rates) or Welch's t (means). */
  statistic: number | null;
  /** Welch-Satterthwaite degrees of freedom (means only). */
  df?: number | null;
  pValue: number | null;
  significant: boolean;
}

export interface UpliftPoint {
  percent: number;
  treatedRows: number;
  treatedValue: number | null;
  controlRows: number;
  controlValue: number | null;
  /** treatedValue − controlValue */
  uplift: number | null;
}

const num = (v: unknown) => Number(v ?? 0);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The arm the user named, exactly or, failing that, ignoring case and surrounding spaces. */
function findControl(arms: string[], wanted: string): string {
  if (arms.includes(wanted)) return wanted;
  const loose = arms.filter((a) => a.trim().toLowerCase() === wanted.trim().toLowerCase());
  if (loose.length === 1) return loose[0]!;
  throw new ConfigError(`A/B test: no arm "${wanted}" in the treatment column (arms: ${arms.join(", ")})`, { field: "controlValue" });
}

async function analyse(ctx: NodeContext, ref: DatasetRef, cfg: Config) {
  const { ident } = ctx.datasets;
  const byName = new Map(ref.columns.map((c) => [c.name, c]));
  for (const [field, name] of [["treatmentColumn", cfg.treatmentColumn], ["outcomeColumn", cfg.outcomeColumn], ["scoreColumn", cfg.scoreColumn]] as const) {
    if (name && !byName.has(name)) throw new ConfigError(`A/B test: no column "${name}" in the input`, { field });
  }
  const outcomeType = byName.get(cfg.outcomeColumn)!.type;
  const outcomeFamily = typeFamily(outcomeType);
  if (outcomeFamily !== "boolean" && outcomeFamily !== "integer" && outcomeFamily !== "number") {
    throw new ConfigError(`A/B test: the outcome "${cfg.outcomeColumn}" must be 0/1, yes/no or a number, and it is ${outcomeType}`, { field: "outcomeColumn" });
  }
  if (cfg.scoreColumn) {
    const scoreType = byName.get(cfg.scoreColumn)!.type;
    const f = typeFamily(scoreType);
    if (f !== "integer" && f !== "number") throw new ConfigError(`A/B test: the score "${cfg.scoreColumn}" must hold numbers, and it is ${scoreType}`, { field: "scoreColumn" });
  }

  const t = ident(cfg.treatmentColumn);
  const o = ident(cfg.outcomeColumn);
  const y = outcomeFamily === "boolean" ? `CAST(CAST(${o} AS INTEGER) AS DOUBLE)` : `CAST(${o} AS DOUBLE)`;
  const where = `${t} IS NOT NULL AND ${o} IS NOT NULL AND isfinite(${y})`;

  const groups = await ctx.datasets.query<Record<string, unknown>>(
    `SELECT CAST(${t} AS VARCHAR) AS arm, count(*) AS n, sum(y) AS total, avg(y) AS mean, stddev_samp(y) AS sd, count(*) FILTER (WHERE y <> 0 AND y <> 1) AS other
     FROM (SELECT ${t}, ${y} AS y FROM ${ctx.datasets.from(ref)} WHERE ${where}) GROUP BY 1 ORDER BY 1 LIMIT ${MAX_ARMS + 1}`,
  );
  if (groups.length > MAX_ARMS) {
    throw new ConfigError(`A/B test: "${cfg.treatmentColumn}" has more than ${MAX_ARMS} different values; is it the treatment column?`, { field: "treatmentColumn" });
  }
  if (groups.length === 0) throw new DataError(`A/B test: no row has both a treatment and an outcome`, { where: cfg.outcomeColumn });
  const control = findControl(
    groups.map((g) => String(g.arm)),
    cfg.controlValue,
  );
  if (groups.length < 2) throw new DataError(`A/B test: every row is in the control arm "${control}"; there is nothing to compare`, { where: cfg.treatmentColumn });

  // 0/1 (or yes/no) outcomes are compared as rates, anything else as means.
  const measure: "rate" | "mean" = groups.every((g) => num(g.other) === 0) ? "rate" : "mean";
  const ordered = [...groups.filter((g) => g.arm === control), ...groups.filter((g) => g.arm !== control)];
  const arms: ArmResult[] = ordered.map((g) => {
    const n = num(g.n);
    const value = Number(g.mean);
    const isControl = g.arm === control;
    if (measure === "rate") {
      const positives = Math.round(num(g.total));
      const ci: Interval = wilsonInterval(positives, n, cfg.confidence);
      return { arm: String(g.arm), control: isControl, n, value, ciLow: finiteOrNull(ci.low), ciHigh: finiteOrNull(ci.high), positives };
    }
    const sd = numOrNull(g.sd);
    const ci = sd === null ? { low: Number.NaN, high: Number.NaN } : meanInterval(value, sd, n, cfg.confidence);
    return { arm: String(g.arm), control: isControl, n, value, ciLow: finiteOrNull(ci.low), ciHigh: finiteOrNull(ci.high), sd };
  });

  const c = arms[0]!;
  const alpha = 1 - cfg.confidence;
  const comparisons: ArmComparison[] = arms.slice(1).map((a) => {
    const r: Comparison =
      measure === "rate"
        ? compareProportions(a.positives!, a.n, c.positives!, c.n, cfg.confidence)
        : compareMeans(a.value, a.sd ?? Number.NaN, a.n, c.value, c.sd ?? Number.NaN, c.n, cfg.confidence);
    const pValue = finiteOrNull(r.pValue);
    return {
      arm: a.arm,
      control: c.arm,
      difference: r.difference,
      ciLow: finiteOrNull(r.low),
      ciHigh: finiteOrNull(r.high),
      relativeLift: c.value !== 0 ? r.difference / c.value : null,
      statistic: finiteOrNull(r.statistic),
      ...(measure === "mean" ? { df: finiteOrNull(r.df) } : {}),
      pValue,
      significant: pValue !== null && pValue < alpha,
    };
  });

  const analysedRows = arms.reduce((s, a) => s + a.n, 0);
  const uplift = cfg.scoreColumn ? await upliftAtK(ctx, ref, cfg, y, where, control, arms) : undefined;
  return { analysedRows, measure, control, arms, comparisons, uplift };
}

/**
 * Uplift at k %: in each arm separately, the k % of rows with the highest scores (rounded down,
 * at least one; ties in a fixed pseudo-random order), then the treated arm's rate or mean there
 * minus the control's. Rows without a score are left out of the ranking.
 */
async function upliftAtK(ctx: NodeContext, ref: DatasetRef, cfg: Config, y: string, where: string, control: string, arms: ArmResult[]) {
  const { ident } = ctx.datasets;
  const t = ident(cfg.treatmentColumn);
  const s = `CAST(${ident(cfg.scoreColumn!)} AS DOUBLE)`;
  const ks = [...new Set(cfg.topPercents)].sort((a, b) => a - b);
  const src = withPosition(ctx.datasets, ref);
  const cut = (k: number) => `rk <= greatest(1, floor(n * ${k} / 100.0 + 1e-9))`;
  const aggs = ks.flatMap((k, i) => [`count(*) FILTER (WHERE ${cut(k)}) AS n${i}`, `avg(y) FILTER (WHERE ${cut(k)}) AS v${i}`]);
  const rows = await ctx.datasets.query<Record<string, unknown>>(
    `WITH d AS (SELECT CAST(${t} AS VARCHAR) AS arm, ${y} AS y, ${s} AS s, ${src.pos} AS pos FROM ${src.from}
                WHERE ${where} AND ${s} IS NOT NULL AND isfinite(${s})),
          r AS (SELECT arm, y, row_number() OVER (PARTITION BY arm ORDER BY s DESC, hash(pos), pos) AS rk, count(*) OVER (PARTITION BY arm) AS n FROM d)
     SELECT arm, max(n) AS n, ${aggs.join(", ")} FROM r GROUP BY arm`,
  );
  const byArm = new Map(
    rows.map((r) => [String(r.arm), { scoredRows: num(r.n), top: ks.map((k, i) => ({ percent: k, rows: num(r[`n${i}`]), value: numOrNull(r[`v${i}`]) })) }]),
  );
  const empty = { scoredRows: 0, top: ks.map((k) => ({ percent: k, rows: 0, value: null as number | null })) };
  const ctl = byArm.get(control) ?? empty;
  return {
    scoreColumn: cfg.scoreColumn!,
    topPercents: ks,
    arms: arms.map((a) => ({ arm: a.arm, control: a.control, ...(byArm.get(a.arm) ?? empty) })),
    comparisons: arms
      .filter((a) => !a.control)
      .map((a) => {
        const tr = byArm.get(a.arm) ?? empty;
        return {
          arm: a.arm,
          control,
          points: ks.map((k, i): UpliftPoint => {
            const tv = tr.top[i]!.value;
            const cv = ctl.top[i]!.value;
            return { percent: k, treatedRows: tr.top[i]!.rows, treatedValue: tv, controlRows: ctl.top[i]!.rows, controlValue: cv, uplift: tv !== null && cv !== null ? tv - cv : null };
          }),
        };
      }),
  };
}

/** "uplift_at_10", "uplift_at_2_5". */
const upliftColumn = (k: number) => `uplift_at_${String(k).replace(/\./g, "_")}`;

const sqlNumber = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? "NULL" : String(v));

export default defineNode({
  type: "insight.ab-test",
  version: 1,
  kind: "insight",
  label: "A/B test",
  description:
    "Compare the arms of an experiment with its control group: each arm's rate (for yes/no outcomes) or average, with a confidence interval (the range it most likely lies in), and each arm's difference from control, how likely that difference is down to chance (p-value: two-proportion z-test, or Welch's t-test for averages) and the relative lift. With a model score, also the uplift among the top-scored k % of each arm. The table out has one row per arm.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    ctx.progress(null, `Comparing arms over ${input.rows} rows`);
    const r = await analyse(ctx, input, cfg);
    const { literal, ident } = ctx.datasets;

    // The same figures as a table, one row per arm, the control first.
    const ks = r.uplift?.topPercents ?? [];
    const cols = [
      ["arm", "VARCHAR"],
      ["role", "VARCHAR"],
      ["n", "BIGINT"],
      [r.measure, "DOUBLE"],
      ["ci_low", "DOUBLE"],
      ["ci_high", "DOUBLE"],
      ["difference", "DOUBLE"],
      ["difference_ci_low", "DOUBLE"],
      ["difference_ci_high", "DOUBLE"],
      ["relative_lift", "DOUBLE"],
      ["statistic", "DOUBLE"],
      ["df", "DOUBLE"],
      ["p_value", "DOUBLE"],
      ["significant", "BOOLEAN"],
      ...ks.map((k) => [upliftColumn(k), "DOUBLE"]),
    ] as const;
    const values = r.arms.map((a) => {
      const cmp = r.comparisons.find((c) => c.arm === a.arm);
      const up = r.uplift?.comparisons.find((c) => c.arm === a.arm);
      const cells = [
        literal(a.arm),
        literal(a.control ? "control" : "treatment"),
        String(a.n),
        sqlNumber(a.value),
        sqlNumber(a.ciLow),
        sqlNumber(a.ciHigh),
        sqlNumber(cmp?.difference),
        sqlNumber(cmp?.ciLow),
        sqlNumber(cmp?.ciHigh),
        sqlNumber(cmp?.relativeLift),
        sqlNumber(cmp?.statistic),
        sqlNumber(cmp?.df),
        sqlNumber(cmp?.pValue),
        cmp ? String(cmp.significant) : "NULL",
        ...ks.map((_, i) => sqlNumber(up?.points[i]?.uplift)),
      ];
      return `(${cells.join(", ")})`;
    });
    const names = cols.map((_, i) => `c${i}`);
    const table = await ctx.datasets.create(
      `SELECT ${cols.map(([name, type], i) => `CAST(c${i} AS ${type}) AS ${ident(name)}`).join(", ")}
       FROM (VALUES ${values.join(", ")}) v(${names.join(", ")}) ORDER BY c1 = 'treatment', c0`,
    );

    ctx.progress(1, "Compared");
    const skipped = input.rows - r.analysedRows;
    return {
      outputs: { rows: table },
      metrics: {
        rows: input.rows,
        analysedRows: r.analysedRows,
        ...(skipped ? { skippedRows: skipped } : {}),
        treatmentColumn: cfg.treatmentColumn,
        outcomeColumn: cfg.outcomeColumn,
        measure: r.measure,
        test: r.measure === "rate" ? "two-proportion z" : "Welch t",
        confidence: cfg.confidence,
        control: r.control,
        arms: r.arms,
        comparisons: r.comparisons,
        ...(r.uplift ? { uplift: r.uplift } : {}),
      },
    };
  },
});
