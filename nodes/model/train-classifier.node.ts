import { ConfigError, DataError, defineNode, type DatasetRef } from "../sdk";
import { isIdentifierLike, selectInFileOrder } from "./features";
import { Pacer, trainAndEvaluate, type Task } from "./classifier-training";
import { labelKey, requirePositiveLabel, stratifiedFolds, stratifiedSplit, summarise } from "./metrics";
import { config, defaultModelName, type Config } from "./train-classifier-config";
import { keyColumn, trainingRows, type RowIdentity } from "./training-rows";

type Row = Record<string, unknown>;

const MAX_CLASSES = 50;

/** Which columns to learn from; ids (all values distinct) are left out unless asked for. */
function chooseFeatures(ref: DatasetRef, cfg: Config, rows: readonly Row[]): { features: string[]; skipped: string[] } {
  const names = new Set(ref.columns.map((c) => c.name));
  for (const col of cfg.exclude) {
    if (!names.has(col)) throw new ConfigError(`Excluded column "${col}" is not in the input`, { field: "exclude" });
  }
  for (const col of cfg.textColumns) {
    if (!names.has(col)) throw new ConfigError(`Text column "${col}" is not in the input`, { field: "textColumns" });
    if (col === cfg.target) throw new ConfigError(`The target "${col}" cannot also be a text column`, { field: "textColumns" });
    if (cfg.exclude.includes(col)) throw new ConfigError(`Column "${col}" is both excluded and a text column`, { field: "textColumns" });
  }
  if (cfg.features.length) {
    for (const col of cfg.features) {
      if (!names.has(col)) throw new ConfigError(`Feature column "${col}" is not in the input`, { field: "features" });
      if (col === cfg.target) throw new ConfigError(`The target "${col}" cannot also be a feature`, { field: "features" });
    }
    const chosen = cfg.features.filter((c) => !cfg.exclude.includes(c));
    return { features: [...chosen, ...cfg.textColumns.filter((c) => !chosen.includes(c))], skipped: [] };
  }
  const candidates = ref.columns.filter((c) => c.name !== cfg.target && !cfg.exclude.includes(c.name));
  const skipped = candidates.filter((c) => !cfg.textColumns.includes(c.name) && isIdentifierLike(rows, c)).map((c) => c.name);
  return { features: candidates.map((c) => c.name).filter((c) => !skipped.includes(c)), skipped };
}

function classesOf(rows: readonly Row[], target: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const k = labelKey(r[target]);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

export default defineNode({
  type: "model.train-classifier",
  version: 1,
  kind: "model",
  label: "Train classifier",
  description:
    "Learn from past customers to predict a column, such as who churns or which plan someone picks. Part of the rows is kept aside to check how often the model is right (ROC AUC, accuracy, precision and recall). Each training saves a new version of the model, which remembers which rows it learnt from and which it kept aside.",
  inputs: { rows: "table" },
  outputs: { model: "model" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    if (!ref.columns.some((c) => c.name === cfg.target)) {
      throw new ConfigError(`Target column "${cfg.target}" is not in the input (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field: "target" });
    }
    if (ref.rows === 0) throw new DataError("The input has no rows to train on");

    const all = await ctx.datasets.query<Row>(selectInFileOrder(ctx.datasets, ref, ref.columns.map((c) => c.name)));
    const rows = all.filter((r) => labelKey(r[cfg.target]) !== null);
    if (rows.length === 0) throw new DataError(`Every value of the target "${cfg.target}" is empty`, { where: cfg.target });
    ctx.signal.throwIfAborted();

    const counts = classesOf(rows, cfg.target);
    const sorted = [...counts.keys()].sort();
    const listed = () => `${sorted.slice(0, 10).map((c) => `${c} (${counts.get(c)})`).join(", ")}${sorted.length > 10 ? ", ..." : ""}`;
    if (sorted.length < 2) throw new DataError(`The target "${cfg.target}" must have at least two values; found ${listed()}`, { where: cfg.target });
    if (sorted.length > MAX_CLASSES) {
      throw new DataError(`The target "${cfg.target}" has ${sorted.length} values, more than the ${MAX_CLASSES} classes this node learns: ${listed()}`, { where: cfg.target });
    }
    const binary = sorted.length === 2;
    let classes = sorted;
    let positiveLabel: string | undefined;
    if (binary) {
      positiveLabel = requirePositiveLabel(sorted, cfg.positiveLabel, cfg.target);
      classes = [sorted.find((c) => c !== positiveLabel)!, positiveLabel];
    } else if (cfg.positiveLabel) {
      throw new ConfigError(`positiveLabel applies to two-valued targets; "${cfg.target}" has ${sorted.length}: ${listed()}`, { field: "positiveLabel" });
    }
    const index = new Map(classes.map((c, i) => [c, i]));
    const y = rows.map((r) => index.get(labelKey(r[cfg.target])!)!);

    const { features, skipped } = chooseFeatures(ref, cfg, rows);
    if (features.length === 0) throw new ConfigError("No feature columns are left to learn from", { field: "features" });
    if (skipped.length) ctx.log.info("Left out id-like columns (every value distinct)", { columns: skipped });

    const split = stratifiedSplit(y, cfg.testFraction, cfg.seed);
    if (split.test.length === 0 || split.train.length === 0) {
      throw new DataError(`${rows.length} rows are too few to hold out a test part of ${cfg.testFraction}`);
    }
    const task: Task = { cfg, rows, columns: ref.columns, features, y, classes, binary, positiveLabel };
    const pacer = new Pacer(ctx, cfg.folds + 1);
    const started = Date.now();

    let crossValidation: Record<string, unknown> | undefined;
    if (cfg.folds) {
      const trainY = split.train.map((i) => y[i]!);
      for (const [c, label] of classes.entries()) {
        const n = trainY.filter((v) => v === c).length;
        if (n < cfg.folds) {
          throw new ConfigError(`Class "${label}" has ${n} training row${n === 1 ? "" : "s"}, too few for ${cfg.folds} folds; use fewer folds or none`, { field: "folds" });
        }
      }
      const parts = stratifiedFolds(trainY, cfg.folds, cfg.seed).map((p) => p.map((k) => split.train[k]!));
      const figures: Record<string, number[]> = binary ? { rocAuc: [], accuracy: [] } : { accuracy: [], macroF1: [] };
      for (const [f, held] of parts.entries()) {
        pacer.begin(f, `fold ${f + 1}/${cfg.folds}: `);
        const heldOut = new Set(held);
        const { evaluated } = await trainAndEvaluate(task, split.train.filter((i) => !heldOut.has(i)), held, pacer);
        for (const key of Object.keys(figures)) figures[key]!.push((evaluated as unknown as Record<string, number>)[key]!);
      }
      crossValidation = { folds: cfg.folds, ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, summarise(v)])) };
    }

    pacer.begin(cfg.folds, cfg.folds ? "final model: " : "");
    const { spec, width, fitted, kind, artifact, evaluated } = await trainAndEvaluate(task, split.train, split.test, pacer);
    const trainSeconds = (Date.now() - started) / 1000;
    ctx.progress(1, "trained", { iteration: fitted.iterations, error: fitted.error });
    ctx.signal.throwIfAborted();

    const metrics = {
      algorithm: cfg.algorithm,
      target: cfg.target,
      ...evaluated,
      measuredOn: `${split.test.length.toLocaleString("en-US")} held-out rows`,
      trainRows: split.train.length,
      testRows: split.test.length,
      ...(binary ? { positiveRate: y.reduce((s, v) => s + v, 0) / y.length, positiveLabel, negativeLabel: classes[0] } : { classes }),
      features: features.length,
      inputs: width,
      ...(skipped.length ? { skippedColumns: skipped } : {}),
      ...(all.length > rows.length ? { droppedRows: all.length - rows.length } : {}),
      ...(crossValidation ? { crossValidation } : {}),
      iterations: fitted.iterations,
      trainingError: fitted.error,
      ...fitted.details,
      trainSeconds,
    };
    // Which rows trained the model and which were held out, so a scored row can say which it was.
    const others = ref.columns.map((c) => c.name).filter((c) => c !== cfg.target && !features.includes(c));
    const key = keyColumn(all, [...cfg.exclude.filter((c) => others.includes(c)), ...others.filter((c) => !cfg.exclude.includes(c))]);
    const identity: RowIdentity = key ? { by: "key", column: key } : { by: "inputs", columns: spec.inputs };
    const types = new Map(ref.columns.map((c) => [c.name, c.type]));
    const model = await ctx.models.save({
      name: cfg.modelName || defaultModelName(await ctx.flowId(), cfg.target),
      kind,
      metrics: { ...metrics, ...(key ? { rowKey: key } : {}) },
      artifact: { ...(artifact as object), trainingRows: trainingRows(identity, rows, split.train, split.test) },
      datasetId: ref.id,
      inputSchema: spec.inputs.map((name) => ({ name, type: types.get(name) ?? null })),
    });
    return { outputs: { model }, metrics: { ...metrics, ...(key ? { rowKey: key } : {}), model: model.name, modelVersion: model.version } };
  },
});
