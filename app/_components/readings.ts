// Plain-language readings of a classifier's figures, shown next to them: what a ROC AUC of 0.85
// means, whether an accuracy beats always giving the commoner answer, and precision and recall
// as counts of rows. Pure functions, so the rules are tested on their own (readings.test.ts).

export type Grade = "poor" | "weak" | "fair" | "good" | "excellent";

export interface Reading {
  text: string;
  /** How the figure should look: good news, bad news, or a warning to check something. */
  tone: "good" | "bad" | "neutral" | "warn";
}

/** At or above this a ROC AUC is more likely a leak (a column that gives the answer away) than a model. */
export const LEAKAGE_AUC = 0.98;

/** A label as people read it: DuckDB reads a Yes/No column as true/false, shown again as Yes and No. */
export function labelWord(label: string): string {
  if (label === "true") return "Yes";
  if (label === "false") return "No";
  return label;
}

const percent = (v: number) => `${(v * 100).toFixed(1).replace(/\.0$/, "")}%`;
const count = new Intl.NumberFormat("en-US");
const quoted = (label: string) => `“${labelWord(label)}”`;

/**
 * The grade of a ROC AUC as shown (three decimals): under 0.6 poor, 0.6 to 0.7 weak, 0.7 to 0.8
 * fair, 0.8 to 0.9 good, 0.9 and above excellent (each band includes its lower bound).
 */
export function aucGrade(auc: number): Grade {
  const shown = Math.round(auc * 1000) / 1000;
  if (shown < 0.6) return "poor";
  if (shown < 0.7) return "weak";
  if (shown < 0.8) return "fair";
  if (shown < 0.9) return "good";
  return "excellent";
}

export function readRocAuc(auc: number): Reading {
  const grade = aucGrade(auc);
  if (Math.round(auc * 1000) / 1000 >= LEAKAGE_AUC) {
    return {
      text: `${grade}, suspiciously so: check that no column gives the answer away (filled in after the outcome, or the outcome under another name)`,
      tone: "warn",
    };
  }
  return { text: `${grade} — 0.5 is a coin toss, 1.0 perfect`, tone: grade === "poor" || grade === "weak" ? "bad" : grade === "fair" ? "neutral" : "good" };
}

/**
 * Accuracy against the base rate: the accuracy of always giving the commoner answer. A model that
 * does no better has learnt nothing useful, however high the figure looks.
 */
export function readAccuracy(accuracy: number, positiveRate: number, labels: { positive: string; negative?: string }): Reading {
  const commonerIsPositive = positiveRate > 0.5;
  const base = commonerIsPositive ? positiveRate : 1 - positiveRate;
  const answer = commonerIsPositive ? quoted(labels.positive) : labels.negative !== undefined ? quoted(labels.negative) : `not ${quoted(labels.positive)}`;
  const points = (accuracy - base) * 100;
  const always = `always answering ${answer} would be right ${percent(base)} of the time`;
  if (points >= 0.05) return { text: `${points.toFixed(1)} points better than the base rate: ${always}`, tone: "good" };
  return { text: `no better than the base rate: ${always}`, tone: "bad" };
}

export interface Counts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Precision in words: of the rows the model flagged, how many really were positive. */
export function readPrecision(c: Counts, positive: string): Reading {
  const flagged = c.tp + c.fp;
  if (flagged === 0) return { text: `no row was flagged ${quoted(positive)} at this threshold`, tone: "bad" };
  return { text: `of the ${count.format(flagged)} rows flagged ${quoted(positive)}, ${percent(c.tp / flagged)} (${count.format(c.tp)}) really were`, tone: "neutral" };
}

/** Recall in words: of the rows that really were positive, how many the model flagged. */
export function readRecall(c: Counts, positive: string): Reading {
  const actual = c.tp + c.fn;
  if (actual === 0) return { text: `no row really was ${quoted(positive)}`, tone: "neutral" };
  return { text: `of the ${count.format(actual)} rows that really were ${quoted(positive)}, the model flagged ${percent(c.tp / actual)} (${count.format(c.tp)})`, tone: "neutral" };
}

/** The readings a node's metrics allow, by figure key; a figure without what its reading needs gets none. */
export function readings(metrics: Record<string, unknown>): Partial<Record<"rocAuc" | "accuracy" | "precision" | "recall", Reading>> {
  const num = (k: string) => (typeof metrics[k] === "number" && Number.isFinite(metrics[k]) ? (metrics[k] as number) : undefined);
  const positive = typeof metrics.positiveLabel === "string" ? metrics.positiveLabel : undefined;
  const negative = typeof metrics.negativeLabel === "string" ? metrics.negativeLabel : undefined;
  const c = metrics.confusion as Partial<Counts> | undefined;
  const counts = c && ["tp", "fp", "tn", "fn"].every((k) => typeof (c as Record<string, unknown>)[k] === "number") ? (c as Counts) : undefined;
  const out: ReturnType<typeof readings> = {};
  const auc = num("rocAuc");
  if (auc !== undefined) out.rocAuc = readRocAuc(auc);
  const accuracy = num("accuracy");
  // The positive rate of the rows measured: from the confusion matrix when there is one (the
  // training node's positiveRate is over every row, not the held-out ones).
  const rate = counts && counts.tp + counts.fp + counts.tn + counts.fn > 0 ? (counts.tp + counts.fn) / (counts.tp + counts.fp + counts.tn + counts.fn) : num("positiveRate");
  if (accuracy !== undefined && rate !== undefined && positive !== undefined) out.accuracy = readAccuracy(accuracy, rate, { positive, negative });
  if (counts && positive !== undefined) {
    out.precision = readPrecision(counts, positive);
    out.recall = readRecall(counts, positive);
  }
  return out;
}
