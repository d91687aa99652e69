import { ConfigError, DataError, defineNode, type DatasetRef } from "../sdk";
import { Pacer } from "./classifier-training";
import { encodedWidth, encodeInto, fitFeatures, isIdentifierLike, selectInFileOrder } from "./features";
import { labelKey, resolvePositiveLabel, shuffleSplit } from "./metrics";
import { config, type Config } from "./train-uplift-config";
import { fitUplift, UPLIFT_KIND, upliftModelFromArtifact, type UpliftArtifact } from "./uplift-model";
import { qiniChartPoints, qiniCoefficient, upliftAtK } from "./uplift-metrics";

type Row = Record<string, unknown>;

/** Columns the node adds to its rows. */
const OUTPUT_COLUMNS = ["uplift", "p_treated", "p_control", "part"] as const;
const PARTS = ["train", "held out"];
const LOGISTIC_MAX_ITERATIONS = 1_000;

/** Which columns to learn from; ids (all values distinct) are left out unless asked for. */
function chooseFeatures(ref: DatasetRef, cfg: Config, rows: readonly Row[]): { features: string[]; skipped: string[] } {
  const names = new Set(ref.columns.map((c) => c.name));
  const reserved = [cfg.treatmentColumn, cfg.outcomeColumn];
  for (const field of ["features", "exclude"] as const) {
    for (const col of cfg[field]) {
      if (!names.has(col)) throw new ConfigError(`${field === "features" ? "Feature" : "Excluded"} column "${col}" is not in the input`, { field });
      if (field === "features" && reserved.includes(col)) throw new ConfigError(`The ${col === cfg.outcomeColumn ? "outcome" : "treatment"} "${col}" cannot also be a feature`, { field });
    }
  }
  if (cfg.features.length) return { features: cfg.features.filter((c) => !cfg.exclude.includes(c)), skipped: [] };
  const candidates = ref.columns.filter((c) => !reserved.includes(c.name) && !cfg.exclude.includes(c.name));
  const skipped = candidates.filter((c) => isIdentifierLike(rows, c)).map((c) => c.name);
  return { features: candidates.map((c) => c.name).filter((c) => !skipped.includes(c)), skipped };
}

/** The value as the column holds it, exactly or, failing that, ignoring case and surrounding spaces. */
function findValue(counts: Map<string, number>, wanted: string, column: string, field: "treatedValue" | "controlValue"): string {
  if (counts.has(wanted)) return wanted;
  const loose = [...counts.keys()].filter((v) => v.trim().toLowerCase() === wanted.trim().toLowerCase());
  if (loose.length === 1) return loose[0]!;
  const values = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([v, n]) => `${v} (${n})`);
  throw new ConfigError(`No row has "${wanted}" in the treatment column "${column}" (values: ${values.join(", ")}${counts.size > 10 ? ", ..." : ""})`, { field });
}

function countValues(rows: readonly Row[], column: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const k = labelKey(r[column]);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** Treatment flag and outcome per row used; which rows of the input they are. */
function armsAndOutcomes(all: readonly Row[], cfg: Config) {
  const values = countValues(all, cfg.treatmentColumn);
  const present = (v: string) => [...values.keys()].some((k) => k.trim().toLowerCase() === v.trim().toLowerCase());
  if (!present(cfg.treatedValue) && !present(cfg.controlValue)) {
    const seen = [...values.keys()].slice(0, 10).join(", ");
    throw new ConfigError(`The treatment column "${cfg.treatmentColumn}" has neither "${cfg.treatedValue}" nor "${cfg.controlValue}" (values: ${seen || "none"})`, { field: "treatmentColumn" });
  }
  const treatedValue = findValue(values, cfg.treatedValue, cfg.treatmentColumn, "treatedValue");
  const controlValue = findValue(values, cfg.controlValue, cfg.treatmentColumn, "controlValue");
  if (treatedValue === controlValue) throw new ConfigError(`The treated and control values both mean "${treatedValue}"`, { field: "controlValue" });
  const inArms = all.flatMap((r, i) => {
    const v = labelKey(r[cfg.treatmentColumn]);
    return v === treatedValue || v === controlValue ? [i] : [];
  });
  const used = inArms.filter((i) => labelKey(all[i]![cfg.outcomeColumn]) !== null);
  const outcomes = countValues(used.map((i) => all[i]!), cfg.outcomeColumn);
  const classes = [...outcomes.keys()].sort();
  const listed = classes.slice(0, 10).map((c) => `${c} (${outcomes.get(c)})`).join(", ");
  if (classes.length !== 2) {
    throw new DataError(`The outcome "${cfg.outcomeColumn}" must have two values in the treated and control rows; found ${classes.length ? listed : "none"}`, { where: cfg.outcomeColumn });
  }
  const positiveLabel = resolvePositiveLabel(classes, cfg.positiveOutcome);
  if (positiveLabel === undefined) {
    throw new ConfigError(
      cfg.positiveOutcome
        ? `positiveOutcome "${cfg.positiveOutcome}" is not a value of "${cfg.outcomeColumn}" (values: ${classes.join(", ")})`
        : `Say which value of "${cfg.outcomeColumn}" is a response: ${classes.join(" or ")}`,
      { field: "positiveOutcome" },
    );
  }
  const t = used.map((i) => (labelKey(all[i]![cfg.treatmentColumn]) === treatedValue ? 1 : 0));
  const y = used.map((i) => (labelKey(all[i]![cfg.outcomeColumn]) === positiveLabel ? 1 : 0));
  return {
    used,
    t,
    y,
    treatment: { column: cfg.treatmentColumn, treatedValue, controlValue },
    outcome: { column: cfg.outcomeColumn, positiveLabel, negativeLabel: classes.find((c) => c !== positiveLabel)! },
    ignoredRows: all.length - inArms.length,
    missingOutcomeRows: inArms.length - used.length,
  };
}

/** Rows and response rate of each arm among some rows (positions into t and y). */
function armFigures(part: readonly number[], t: readonly number[], y: readonly number[]) {
  const f = { treatedRows: 0, treatedResponses: 0, controlRows: 0, controlResponses: 0 };
  for (const k of part) {
    if (t[k] === 1) {
      f.treatedRows++;
      f.treatedResponses += y[k]!;
    } else {
      f.controlRows++;
      f.controlResponses += y[k]!;
    }
  }
  return f;
}

/** NaN (e.g. no control rows among the top k %) is stored as null. */
const finite = (v: number) => (Number.isFinite(v) ? v : null);

export default defineNode({
  type: "model.train-uplift",
  version: 1,
  kind: "model",
  label: "Train uplift model",
  description:
    "Learn who responds because they were contacted (an e-mail, an offer), from an experiment with a control group, so you can contact those it helps most. " +
    "Part of the rows is kept aside to check the model: the uplift among the top k % it picks, and the Qini curve and coefficient. Scores every row (uplift, p_treated, p_control, part) and saves a new version of the model.",
  inputs: { rows: "table" },
  outputs: { rows: "table", model: "model" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    const byName = new Map(ref.columns.map((c) => [c.name, c]));
    for (const field of ["treatmentColumn", "outcomeColumn"] as const) {
      if (!byName.has(cfg[field])) throw new ConfigError(`Column "${cfg[field]}" is not in the input (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field });
    }
    const taken = OUTPUT_COLUMNS.filter((c) => ref.columns.some((col) => col.name.toLowerCase() === c));
    if (taken.length) throw new ConfigError(`The input already has column${taken.length > 1 ? "s" : ""} ${taken.map((c) => `"${c}"`).join(", ")}, which this node adds; rename or drop them first`, { field: "rows" });
    if (ref.rows === 0) throw new DataError("The input has no rows to train on");

    const all = await ctx.datasets.query<Row>(selectInFileOrder(ctx.datasets, ref, ref.columns.map((c) => c.name)));
    ctx.signal.throwIfAborted();
    const arms = armsAndOutcomes(all, cfg);
    const { used, t, y } = arms;
    const { features, skipped } = chooseFeatures(ref, cfg, all);
    if (features.length === 0) throw new ConfigError("No feature columns are left to learn from", { field: "features" });
    if (skipped.length) ctx.log.info("Left out id-like columns (every value distinct)", { columns: skipped });

    // Positions into `used` (and t, y).
    const split = shuffleSplit(used.length, cfg.holdoutShare, cfg.seed);
    const train = armFigures(split.train, t, y);
    const held = armFigures(split.test, t, y);
    const needs = cfg.method === "two-model" ? "each arm with both outcomes" : "both arms";
    const short = (f: ReturnType<typeof armFigures>) =>
      !f.treatedRows || !f.controlRows || (cfg.method === "two-model" && [f.treatedResponses, f.controlResponses, f.treatedRows - f.treatedResponses, f.controlRows - f.controlResponses].includes(0));
    if (short(train) || !held.treatedRows || !held.controlRows) {
      throw new DataError(`${used.length} treated and control rows are too few: the training and held-out parts need ${needs} (training part: ${JSON.stringify(train)}, held out: ${JSON.stringify(held)})`);
    }

    const spec = fitFeatures(split.train.map((k) => all[used[k]!]!), ref.columns, features, { maxCategories: cfg.maxCategories });
    const width = encodedWidth(spec);
    if (width === 0) throw new DataError("The feature columns give no inputs to learn from");
    const X = all.map((r) => encodeInto(spec, r, new Float32Array(width)));

    const started = Date.now();
    const pacer = new Pacer(ctx, cfg.method === "two-model" ? 2 : 1);
    const trainX = split.train.map((k) => X[used[k]!]!);
    const fitted = await fitUplift(cfg.method, trainX, split.train.map((k) => t[k]!), split.train.map((k) => y[k]!), cfg.regularisation, LOGISTIC_MAX_ITERATIONS, pacer);
    const trainSeconds = (Date.now() - started) / 1000;
    ctx.progress(1, "trained");
    ctx.signal.throwIfAborted();

    // Score every input row, other arms too, through the reader of the saved artifact.
    const artifact: UpliftArtifact = { method: cfg.method, features: spec, treatment: arms.treatment, outcome: arms.outcome, ...fitted.models };
    const model = upliftModelFromArtifact(UPLIFT_KIND, artifact);
    const uplift = new Float64Array(all.length);
    const pTreated = new Float64Array(all.length);
    const pControl = new Float64Array(all.length);
    const part = new Float64Array(all.length).fill(Number.NaN);
    for (const [i, x] of X.entries()) {
      const p = model.predict(x);
      uplift[i] = p.uplift;
      pTreated[i] = p.pTreated;
      pControl[i] = p.pControl;
    }
    for (const k of split.train) part[used[k]!] = 0;
    for (const k of split.test) part[used[k]!] = 1;

    const measure = (positions: number[]) => {
      const yy = positions.map((k) => y[k]!);
      const tt = positions.map((k) => t[k]!);
      const ss = positions.map((k) => uplift[used[k]!]!);
      return { y: yy, t: tt, s: ss, atK: upliftAtK(yy, ss, tt, cfg.topPercent / 100) };
    };
    const h = measure(split.test);
    const trainAtK = measure(split.train).atK;
    const qini = qiniCoefficient(h.y, h.s, h.t);
    const rate = (n: number, d: number) => (d ? n / d : null);
    const treatedShare = (train.treatedRows + held.treatedRows) / used.length;
    if (cfg.method === "class-transformation" && Math.abs(treatedShare - 0.5) > 0.1) {
      ctx.log.warn("Class transformation assumes about half the rows are treated", { treatedShare });
    }

    const metrics = {
      method: cfg.method,
      treatedValue: arms.treatment.treatedValue,
      controlValue: arms.treatment.controlValue,
      positiveOutcome: arms.outcome.positiveLabel,
      topPercent: cfg.topPercent,
      upliftAtTopK: finite(h.atK.uplift),
      qiniCoefficient: finite(qini),
      heldOutTopK: { rows: h.atK.rows, treatedRows: h.atK.treatedRows, treatedRate: finite(h.atK.treatedRate), controlRows: h.atK.controlRows, controlRate: finite(h.atK.controlRate) },
      trainUpliftAtTopK: finite(trainAtK.uplift),
      heldOutTreatedRate: rate(held.treatedResponses, held.treatedRows),
      heldOutControlRate: rate(held.controlResponses, held.controlRows),
      heldOutUplift: rate(held.treatedResponses, held.treatedRows)! - rate(held.controlResponses, held.controlRows)!,
      rows: all.length,
      trainRows: split.train.length,
      heldOutRows: split.test.length,
      treatedShare,
      ...(arms.ignoredRows ? { ignoredRows: arms.ignoredRows } : {}),
      ...(arms.missingOutcomeRows ? { missingOutcomeRows: arms.missingOutcomeRows } : {}),
      features: features.length,
      inputs: width,
      ...(skipped.length ? { skippedColumns: skipped } : {}),
      regressions: fitted.details,
      trainSeconds,
    };
    const types = new Map(ref.columns.map((c) => [c.name, c.type]));
    const saved = await ctx.models.save({
      name: cfg.modelName,
      kind: UPLIFT_KIND,
      metrics,
      artifact,
      datasetId: ref.id,
      inputSchema: spec.inputs.map((name) => ({ name, type: types.get(name) ?? null })),
    });
    const rows = await ctx.datasets.addColumns(ref, [
      { name: "uplift", type: "DOUBLE", values: uplift },
      { name: "p_treated", type: "DOUBLE", values: pTreated },
      { name: "p_control", type: "DOUBLE", values: pControl },
      { name: "part", type: "VARCHAR", values: part, labels: PARTS },
    ]);
    return {
      outputs: { rows, model: saved },
      metrics: { ...metrics, qini: qiniChartPoints(h.y, h.s, h.t), model: saved.name, modelVersion: saved.version },
    };
  },
});
