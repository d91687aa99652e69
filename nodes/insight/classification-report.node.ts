import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { accuracy, f1, labelKey, precision, recall, requirePositiveLabel, type Confusion } from "../model/metrics";
import { typeFamily } from "../transform/sql-helpers";
import { finiteOrNull, withPosition } from "./stats";
import { measureScope, scopeFields } from "./held-out";

const config = z.object({
  labelColumn: column(z.string().min(1)).describe("Column with the true outcome, e.g. Churn."),
  scoreColumn: advanced(column(z.string().min(1)).default("score").describe("Column with the model's score: the probability of the positive class, or any number where higher means more likely.")),
  positiveLabel: z
    .string()
    .optional()
    .describe("The value of the label column that counts as positive. Leave empty for Yes/No, True/False, 1/0 or Y/N labels."),
  threshold: advanced(z.number().default(0.5).describe("A score at or above this counts as a positive prediction (for accuracy, precision, recall and the confusion matrix).")),
  bins: advanced(z.number().int().min(2).max(100).default(10).describe("Number of equal-width score bins in the calibration table.")),
  ...scopeFields,
});
type Config = z.output<typeof config>;

/** At most this many points on the ROC curve, (0, 0) and (1, 1) included. */
const ROC_POINTS = 200;
const DECILES = 10;

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Scores at or above this are predicted positive at this point; null for (0, 0). */
  threshold: number | null;
}

export interface LiftRow {
  /** 1 = the 10 % of rows with the highest scores. */
  decile: number;
  rows: number;
  positives: number;
  rate: number;
  /** rate / overall positive rate. */
  lift: number | null;
  minScore: number;
  maxScore: number;
  cumulativeRows: number;
  cumulativePositives: number;
  /** cumulativeRows / all rows: the x axis of the gains chart. */
  populationShare: number;
  /** Share of all positives found in deciles 1..this one: the y axis of the gains chart. */
  gain: number | null;
  cumulativeRate: number;
  cumulativeLift: number | null;
}

export interface CalibrationBin {
  bin: number;
  from: number;
  to: number;
  rows: number;
  meanScore: number | null;
  observedRate: number | null;
}

const n = (v: unknown) => Number(v ?? 0);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

async function report(ctx: NodeContext, ref: DatasetRef, cfg: Config): Promise<Record<string, unknown>> {
  const { ident, literal } = ctx.datasets;
  for (const [field, col] of [["labelColumn", cfg.labelColumn], ["scoreColumn", cfg.scoreColumn]] as const) {
    if (!ref.columns.some((c) => c.name === col)) throw new ConfigError(`Classification report: no column "${col}" in the input`, { field });
  }
  const scoreType = ref.columns.find((c) => c.name === cfg.scoreColumn)!.type;
  const family = typeFamily(scoreType);
  if (family !== "integer" && family !== "number") {
    throw new ConfigError(`Classification report: the score column "${cfg.scoreColumn}" must hold numbers, and it is ${scoreType}`, { field: "scoreColumn" });
  }
  const label = ident(cfg.labelColumn);
  const score = ident(cfg.scoreColumn);

  // The two classes, with the text DuckDB gives each, so the positive one is picked out in SQL.
  const distinct = await ctx.datasets.query<{ v: unknown; s: string }>(
    `SELECT DISTINCT ${label} AS v, CAST(${label} AS VARCHAR) AS s FROM ${ctx.datasets.from(ref)} WHERE ${label} IS NOT NULL LIMIT 11`,
  );
  const classes = distinct.map((r) => labelKey(r.v)!).sort();
  if (classes.length !== 2) {
    throw new DataError(`The label "${cfg.labelColumn}" must have exactly two values; found ${classes.length}: ${classes.slice(0, 10).join(", ")}`, { where: cfg.labelColumn });
  }
  const positiveLabel = requirePositiveLabel(classes, cfg.positiveLabel, cfg.labelColumn);
  const positiveSql = distinct.find((r) => labelKey(r.v) === positiveLabel)!.s;
  const negativeLabel = classes.find((c) => c !== positiveLabel)!;

  // One row per evaluated row: y (1 = positive), s (the score), pos (the row's position, for ties).
  const s = `CAST(${score} AS DOUBLE)`;
  const src = withPosition(ctx.datasets, ref);
  const valid = `${label} IS NOT NULL AND ${score} IS NOT NULL AND isfinite(${s})`;
  // Only the rows the model did not learn from, unless asked for all.
  const scope = await measureScope(ctx, ref, cfg, valid);
  const base = `d AS (SELECT CAST(CAST(${label} AS VARCHAR) = ${literal(positiveSql)} AS INTEGER) AS y, ${s} AS s, ${src.pos} AS pos
    FROM ${src.from} WHERE ${valid} AND ${scope.where})`;

  const [totals] = await ctx.datasets.query<Record<string, unknown>>(
    `WITH ${base} SELECT count(*) AS n, sum(y) AS p, min(s) AS lo, max(s) AS hi, avg((s - y) * (s - y)) AS brier,
       count(*) FILTER (WHERE s >= ${cfg.threshold} AND y = 1) AS tp, count(*) FILTER (WHERE s >= ${cfg.threshold} AND y = 0) AS fp,
       count(*) FILTER (WHERE s < ${cfg.threshold} AND y = 0) AS tn, count(*) FILTER (WHERE s < ${cfg.threshold} AND y = 1) AS fn
     FROM d`,
  );
  const rows = n(totals!.n);
  if (rows === 0) throw new DataError("No row has both a label and a score", { where: cfg.scoreColumn });
  const P = n(totals!.p);
  const N = rows - P;
  const lo = Number(totals!.lo);
  const hi = Number(totals!.hi);
  const confusion: Confusion = { tp: n(totals!.tp), fp: n(totals!.fp), tn: n(totals!.tn), fn: n(totals!.fn) };
  const overallRate = P / rows;
  const probabilities = lo >= 0 && hi <= 1;

  // ROC: one vertex per distinct score, from the highest down. The area (ties counting half) is
  // the trapezoid area under all vertices. The curve is thinned by cutting the path, whose
  // tpr + fpr rises from 0 to 2, into equal stretches and keeping the last vertex of each.
  let rocAuc: number | null = null;
  let roc: RocPoint[] = [];
  if (P > 0 && N > 0) {
    const buckets = ROC_POINTS - 2;
    const curve = `g AS (SELECT s, sum(y) AS pos, count(*) - sum(y) AS neg FROM d GROUP BY s),
      c AS (SELECT s, pos, neg, sum(pos) OVER w AS tp, sum(neg) OVER w AS fp FROM g WINDOW w AS (ORDER BY s DESC ROWS UNBOUNDED PRECEDING))`;
    const [auc] = await ctx.datasets.query<{ auc: number }>(
      `WITH ${base}, ${curve} SELECT sum(CAST(neg AS DOUBLE) * (CAST(tp AS DOUBLE) - pos / 2.0)) / (${P}.0 * ${N}.0) AS auc FROM c`,
    );
    rocAuc = finiteOrNull(Number(auc!.auc));
    const points = await ctx.datasets.query<{ s: number; tp: unknown; fp: unknown }>(
      `WITH ${base}, ${curve} SELECT min(s) AS s, max(tp) AS tp, max(fp) AS fp FROM c
       GROUP BY least(${buckets}, CAST(floor((tp / ${P}.0 + fp / ${N}.0) / 2 * ${buckets}) AS INTEGER)) ORDER BY s DESC`,
    );
    roc = [{ fpr: 0, tpr: 0, threshold: null }, ...points.map((p) => ({ fpr: n(p.fp) / N, tpr: n(p.tp) / P, threshold: Number(p.s) }))];
  }

  // Lift and gains by decile of score, highest first. Tied scores across a decile boundary are
  // split in a fixed pseudo-random order (a hash of the row position), not by where rows sit.
  const decileRows = await ctx.datasets.query<Record<string, unknown>>(
    `WITH ${base}, r AS (SELECT y, s, ntile(${DECILES}) OVER (ORDER BY s DESC, hash(pos), pos) AS decile FROM d)
     SELECT decile, count(*) AS n, sum(y) AS p, min(s) AS lo, max(s) AS hi FROM r GROUP BY decile ORDER BY decile`,
  );
  let cumRows = 0;
  let cumPos = 0;
  const lift: LiftRow[] = decileRows.map((d) => {
    const dn = n(d.n);
    const dp = n(d.p);
    cumRows += dn;
    cumPos += dp;
    const rate = dp / dn;
    const cumulativeRate = cumPos / cumRows;
    return {
      decile: n(d.decile),
      rows: dn,
      positives: dp,
      rate,
      lift: P > 0 ? rate / overallRate : null,
      minScore: Number(d.lo),
      maxScore: Number(d.hi),
      cumulativeRows: cumRows,
      cumulativePositives: cumPos,
      populationShare: cumRows / rows,
      gain: P > 0 ? cumPos / P : null,
      cumulativeRate,
      cumulativeLift: P > 0 ? cumulativeRate / overallRate : null,
    };
  });

  // Calibration: equal-width bins over [0, 1] for probabilities, else over the scores' range.
  const from = probabilities ? 0 : lo;
  const to = probabilities ? 1 : hi;
  const bins = cfg.bins;
  const binSql = to > from ? `least(${bins - 1}, greatest(0, CAST(floor((s - ${from}) * ${bins} / ${to - from}) AS INTEGER)))` : "0";
  const calRows = await ctx.datasets.query<Record<string, unknown>>(
    `WITH ${base} SELECT ${binSql} AS bin, count(*) AS n, avg(s) AS ms, avg(y) AS rate FROM d GROUP BY bin`,
  );
  const byBin = new Map(calRows.map((r) => [n(r.bin), r]));
  const width = (to - from) / bins;
  const calibration: CalibrationBin[] = Array.from({ length: bins }, (_, k) => {
    const r = byBin.get(k);
    return {
      bin: k + 1,
      from: from + k * width,
      to: k === bins - 1 ? to : from + (k + 1) * width,
      rows: r ? n(r.n) : 0,
      meanScore: r ? numOrNull(r.ms) : null,
      observedRate: r ? numOrNull(r.rate) : null,
    };
  });

  const [inScope] = await ctx.datasets.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${src.from} WHERE ${scope.where}`);
  const skipped = n(inScope!.n) - rows;
  return {
    rows: ref.rows,
    evaluatedRows: rows,
    ...scope.figures,
    ...(skipped ? { skippedRows: skipped } : {}),
    positiveLabel,
    negativeLabel,
    positives: P,
    positiveRate: overallRate,
    threshold: cfg.threshold,
    rocAuc,
    accuracy: accuracy(confusion),
    precision: precision(confusion),
    recall: recall(confusion),
    f1: f1(confusion),
    confusion,
    measuredOn: scope.measuredOn,
    // The mean squared difference between score and outcome; only meaningful for probabilities.
    brierScore: probabilities ? finiteOrNull(Number(totals!.brier)) : null,
    scoreRange: { min: lo, max: hi },
    roc,
    lift,
    calibration,
  };
}

export default defineNode({
  type: "insight.classification-report",
  version: 1,
  kind: "insight",
  label: "Classification report",
  description:
    "Check a model's predictions against what really happened: how well it ranks customers (ROC AUC and curve), how often it is right at a threshold (accuracy, precision, recall, F1, the confusion matrix), how much better than random its top tenths are (lift and cumulative gains by score decile), and whether its scores match the observed rates (calibration). By default only on the rows the model did not learn from (the part column of Score with model says which).",
  inputs: { rows: "table" },
  outputs: {},
  config,
  async run({ config: cfg, inputs, ctx }) {
    ctx.progress(null, `Evaluating ${inputs.rows.rows} scored rows`);
    const metrics = await report(ctx, inputs.rows, cfg);
    ctx.progress(1, "Evaluated");
    return { outputs: {}, metrics };
  },
});
