// Two saved versions of a model measured on the same rows, for model.promote-if-better: classifiers
// by ROC AUC (two classes) or accuracy, uplift models by the Qini coefficient or the uplift among the
// top k %. The rows are read once, in file order; each version encodes them with its own fitted
// feature preparation, as scoring does.
import { ConfigError, DataError, type DatasetRef, type NodeContext, type SavedModel } from "../sdk";
import { encodedWidth, encodeInto, missingInputs, selectInFileOrder, type FeatureSpec } from "./features";
import { schemaMismatches } from "./feature-checks";
import { argmax, labelKey, resolvePositiveLabel, rocAuc } from "./metrics";
import { CLASSIFIER_KINDS, classifierFromArtifact, type Classifier } from "./saved-classifiers";
import { qiniCoefficient, upliftAtK } from "./uplift-metrics";
import { UPLIFT_KIND, upliftModelFromArtifact, type UpliftArtifact, type UpliftModel } from "./uplift-model";

export const METRICS = ["auto", "rocAuc", "accuracy", "qini", "upliftAtTopK"] as const;
export type Metric = Exclude<(typeof METRICS)[number], "auto">;

const BATCH = 5_000;

export interface Contender {
  saved: SavedModel;
  /** "version 3 of model "churn"", for messages. */
  label: string;
  classifier?: Classifier;
  uplift?: UpliftModel;
}

export const versionLabel = (m: SavedModel) => `version ${m.ref.version} of model "${m.ref.name}"`;

/** A saved version ready to score; ConfigError (naming `field`) for a kind this node cannot compare. */
export function contender(saved: SavedModel, field: string): Contender {
  const label = versionLabel(saved);
  if (saved.kind === UPLIFT_KIND) return { saved, label, uplift: upliftModelFromArtifact(saved.kind, saved.artifact, label) };
  if ((CLASSIFIER_KINDS as readonly string[]).includes(saved.kind)) return { saved, label, classifier: classifierFromArtifact(saved.kind, saved.artifact, label) };
  throw new ConfigError(`${label} is a ${saved.kind}; this node compares classifiers (${CLASSIFIER_KINDS.join(", ")}) and uplift models (${UPLIFT_KIND})`, { field });
}

const features = (c: Contender): FeatureSpec => (c.classifier ?? c.uplift)!.features;

/** The metric to use: as configured, or for "auto" ROC AUC (two classes), accuracy (more) or Qini (uplift). */
export function chooseMetric(c: Contender, wanted: (typeof METRICS)[number]): Metric {
  const binary = c.classifier?.positiveLabel !== undefined;
  const metric: Metric = wanted !== "auto" ? wanted : c.uplift ? "qini" : binary ? "rocAuc" : "accuracy";
  const fits = c.uplift ? metric === "qini" || metric === "upliftAtTopK" : metric === "accuracy" || (metric === "rocAuc" && binary);
  if (!fits) {
    const kind = c.uplift ? "an uplift model (qini or upliftAtTopK)" : binary ? "a classifier (rocAuc or accuracy)" : "a classifier of three or more classes (accuracy)";
    throw new ConfigError(`metric: ${metric} does not apply to ${c.label}, ${kind}`, { field: "metric" });
  }
  return metric;
}

export interface Setup {
  metric: Metric;
  labelColumn: string;
  /** As configured; else the challenger's. */
  positiveLabel?: string;
  /** Uplift models: which rows were treated and which were the control group. */
  treatment?: { column: string; treatedValue: string; controlValue: string };
  /** upliftAtTopK: the share, 0..1. */
  k: number;
}

/** The value the column holds for `wanted`: itself, or the one value equal to it ignoring case and spaces. */
function valueIn(values: readonly string[], wanted: string, field: string, column: string): string {
  if (values.includes(wanted)) return wanted;
  const loose = values.filter((v) => v.trim().toLowerCase() === wanted.trim().toLowerCase());
  if (loose.length === 1) return loose[0]!;
  throw new ConfigError(`${field}: no row has "${wanted}" in "${column}" (values: ${values.slice(0, 10).join(", ")})`, { field });
}

/** Checks the holdout has what both versions and the figures need; ConfigError naming the field otherwise. */
export function checkColumns(ref: DatasetRef, contenders: readonly Contender[], s: Setup): string[] {
  const names = new Set(ref.columns.map((c) => c.name));
  if (!names.has(s.labelColumn)) throw new ConfigError(`labelColumn: the holdout has no column "${s.labelColumn}" (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field: "labelColumn" });
  if (s.treatment && !names.has(s.treatment.column)) throw new ConfigError(`treatmentColumn: the holdout has no column "${s.treatment.column}"`, { field: "treatmentColumn" });
  for (const c of contenders) {
    const missing = missingInputs(features(c), ref.columns);
    if (missing.length) throw new ConfigError(`The holdout lacks column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")} needed by ${c.label}`, { field: "rows" });
    const mismatched = schemaMismatches(features(c), ref.columns);
    if (mismatched.length) throw new ConfigError(`The holdout does not fit ${c.label}: ${mismatched.map((m) => m.message).join("; ")}`, { field: "rows" });
  }
  return [...new Set([...contenders.flatMap((c) => features(c).inputs), s.labelColumn, ...(s.treatment ? [s.treatment.column] : [])])];
}

export interface Measured {
  /** Rows measured on (with a label; uplift: in the treated or the control group). */
  rows: number;
  positives: number;
  /** Per contender, in order. */
  figures: number[];
}

/** Scores the holdout with each contender and measures them by the setup's metric. */
export async function measure(ctx: NodeContext, ref: DatasetRef, contenders: readonly Contender[], s: Setup): Promise<Measured> {
  const columns = checkColumns(ref, contenders, s);
  const labels: string[] = [];
  const arms: string[] = [];
  const scores = contenders.map(() => [] as number[]);
  const predicted = contenders.map(() => [] as string[]);
  const buffers = contenders.map((c) => new Float32Array(encodedWidth(features(c))));
  const outs = contenders.map((c) => new Float64Array(c.classifier?.classes.length ?? 0));
  for await (const batch of ctx.datasets.batches<Record<string, unknown>>(selectInFileOrder(ctx.datasets, ref, columns), BATCH)) {
    ctx.signal.throwIfAborted();
    for (const row of batch) {
      const label = labelKey(row[s.labelColumn]);
      const arm = s.treatment ? labelKey(row[s.treatment.column]) : "";
      if (label === null || arm === null) continue;
      labels.push(label);
      arms.push(arm);
      contenders.forEach((c, i) => {
        const x = encodeInto(features(c), row, buffers[i]!);
        if (c.uplift) scores[i]!.push(c.uplift.predict(x).uplift);
        else {
          const p = c.classifier!.predict(x, outs[i]!);
          scores[i]!.push(p[1] ?? Number.NaN);
          predicted[i]!.push(c.classifier!.classes[argmax(p)]!);
        }
      });
    }
  }
  const values = [...new Set(labels)].sort();
  if (s.metric === "accuracy") {
    const figures = predicted.map((p) => (labels.length ? p.filter((v, i) => v === labels[i]).length / labels.length : Number.NaN));
    return { rows: labels.length, positives: 0, figures };
  }
  // Two-valued outcome: which value is positive, in the holdout's own spelling (Yes, true, 1...).
  const wanted = s.positiveLabel ?? contenders[0]!.classifier?.positiveLabel;
  const positive = resolvePositiveLabel(values, wanted);
  if (values.length !== 2 || positive === undefined) {
    throw new DataError(
      values.length !== 2
        ? `The holdout's "${s.labelColumn}" has ${values.length} value${values.length === 1 ? "" : "s"} (${values.slice(0, 10).join(", ")}); ${s.metric} needs both outcomes`
        : `Say which value of "${s.labelColumn}" is positive (positiveLabel): ${values.join(" or ")}`,
      { where: s.labelColumn },
    );
  }
  const y = labels.map((l): number => (l === positive ? 1 : 0));
  const positives = y.reduce((a, b) => a + b, 0);
  if (s.metric === "rocAuc") {
    const figures = contenders.map((c, i) => {
      // A classifier's score is P(its positive class); one whose positive class is the other value is turned round.
      const same = resolvePositiveLabel(values, c.classifier!.positiveLabel) === positive;
      return rocAuc(y, same ? scores[i]! : scores[i]!.map((p) => 1 - p));
    });
    return { rows: y.length, positives, figures };
  }
  const t = s.treatment!;
  const armValues = [...new Set(arms)];
  const treated = valueIn(armValues, t.treatedValue, "treatedValue", t.column);
  const control = valueIn(armValues, t.controlValue, "controlValue", t.column);
  const keep = arms.flatMap((a, i) => (a === treated || a === control ? [i] : []));
  const yy = keep.map((i): number => y[i]!);
  const tt = keep.map((i) => (arms[i] === treated ? 1 : 0));
  const figures = scores.map((sc) => {
    const ss = keep.map((i) => sc[i]!);
    return s.metric === "qini" ? qiniCoefficient(yy, ss, tt) : upliftAtK(yy, ss, tt, s.k).uplift;
  });
  return { rows: keep.length, positives: yy.reduce((a, b) => a + b, 0), figures };
}

/** What an uplift model was trained on: its outcome column and value, and its treatment. */
export function upliftTraining(saved: SavedModel): Pick<UpliftArtifact, "treatment" | "outcome"> {
  const a = saved.artifact as Partial<UpliftArtifact>;
  if (!a.treatment || !a.outcome) throw new DataError(`${versionLabel(saved)} has no treatment or outcome saved`, { where: "model" });
  return { treatment: a.treatment, outcome: a.outcome };
}
