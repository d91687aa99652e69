import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { toNumber } from "../model/features";
import { classificationMetrics, labelKey, requirePositiveLabel } from "../model/metrics";
import { measureScope, scopeFields } from "./held-out";

const config = z.object({
  labelColumn: column(z.string()).optional().describe("Column with the true outcome, e.g. Churn. Needed when a scored table is connected."),
  scoreColumn: advanced(column(z.string().min(1)).default("score").describe("Column with the model's probability of the positive class.")),
  positiveLabel: z
    .string()
    .optional()
    .describe("The value of the label column that counts as positive. Leave empty for Yes/No, True/False, 1/0 or Y/N labels."),
  threshold: advanced(z.number().min(0).max(1).default(0.5).describe("A score at or above this counts as a positive prediction.")),
  ...scopeFields,
});
type Config = z.output<typeof config>;

// NaN (an AUC with one class absent) would turn into null somewhere down the line anyway; say so here.
const finite = (v: number) => (Number.isFinite(v) ? v : null);

async function evaluateTable(ctx: NodeContext, ref: DatasetRef, cfg: Config): Promise<Record<string, unknown>> {
  if (!cfg.labelColumn) throw new ConfigError("Name the column with the true outcome to evaluate the table", { field: "labelColumn" });
  for (const [field, col] of [["labelColumn", cfg.labelColumn], ["scoreColumn", cfg.scoreColumn]] as const) {
    if (!ref.columns.some((c) => c.name === col)) throw new ConfigError(`Column "${col}" is not in the input`, { field });
  }
  const label = ctx.datasets.ident(cfg.labelColumn);
  const score = ctx.datasets.ident(cfg.scoreColumn);
  const from = ctx.datasets.from(ref);

  const distinct = await ctx.datasets.query<{ v: unknown }>(`SELECT DISTINCT ${label} AS v FROM ${from} WHERE ${label} IS NOT NULL LIMIT 11`);
  const classes = distinct.map((r) => labelKey(r.v)!).sort();
  if (classes.length !== 2) {
    throw new DataError(`The label "${cfg.labelColumn}" must have exactly two values; found ${classes.length}: ${classes.slice(0, 10).join(", ")}`, { where: cfg.labelColumn });
  }
  const positiveLabel = requirePositiveLabel(classes, cfg.positiveLabel, cfg.labelColumn);

  const negativeLabel = classes.find((c) => c !== positiveLabel)!;
  // Rows with both a label and a score, among those the model did not learn from unless asked.
  const scope = await measureScope(ctx, ref, cfg, `${label} IS NOT NULL AND ${score} IS NOT NULL`);

  const labels: number[] = [];
  const scores: number[] = [];
  let skipped = 0;
  for await (const batch of ctx.datasets.batches<{ l: unknown; s: unknown }>(`SELECT ${label} AS l, ${score} AS s FROM ${from} WHERE ${scope.where}`)) {
    for (const r of batch) {
      const key = labelKey(r.l);
      const s = toNumber(r.s);
      if (key === null || s === null) {
        skipped++;
        continue;
      }
      labels.push(key === positiveLabel ? 1 : 0);
      scores.push(s);
    }
  }
  if (labels.length === 0) throw new DataError(`No row has both a label and a score`, { where: cfg.scoreColumn });
  const m = classificationMetrics(labels, scores, cfg.threshold);
  return {
    rows: ref.rows,
    evaluatedRows: labels.length,
    ...scope.figures,
    ...(skipped ? { skippedRows: skipped } : {}),
    positiveLabel,
    negativeLabel,
    positiveRate: labels.reduce((a, b) => a + b, 0) / labels.length,
    threshold: cfg.threshold,
    rocAuc: finite(m.rocAuc),
    accuracy: m.accuracy,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    confusion: m.confusion,
    measuredOn: scope.measuredOn,
  };
}

export default defineNode({
  type: "insight.metrics",
  version: 1,
  kind: "insight",
  label: "Model metrics",
  description:
    "Show how good a model is: the figures measured when it was trained, or, on a scored table that also holds the true outcome, ROC AUC, accuracy, precision and recall. By default only on the rows the model did not learn from (the part column of Score with model says which), so the figures are not flattered by rows it was trained on.",
  inputs: { model: { type: "model", optional: true }, rows: { type: "table", optional: true } },
  outputs: {},
  config,
  async run({ config: cfg, inputs, ctx }) {
    if (!inputs.model && !inputs.rows) throw new ConfigError("Connect a model, or a scored table with its true outcomes", { field: "rows" });
    const saved = inputs.model ? await ctx.models.load({ id: inputs.model.id }) : undefined;
    const about = saved ? { model: saved.ref.name, modelVersion: saved.ref.version } : {};
    if (!inputs.rows) return { outputs: {}, metrics: { ...saved!.metrics, ...about } };
    // With both, the table is what is being measured; the training figures come along to compare.
    const evaluated = await evaluateTable(ctx, inputs.rows, cfg);
    return { outputs: {}, metrics: { ...about, ...evaluated, ...(saved ? { trainingMetrics: saved.metrics } : {}) } };
  },
});
