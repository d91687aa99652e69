import { ConfigError } from "../sdk/errors";
import { RandomState } from "./numpy-random";
// Pure evaluation helpers for binary and multi-class classifiers, plus the seeded randomness
// training needs so a run with the same seed splits and trains the same way on every machine.

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ClassificationMetrics {
  rocAuc: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: Confusion;
}

/**
 * Area under the ROC curve via the Mann-Whitney U statistic: the chance that a random positive
 * scores above a random negative, ties counting half (tied scores get their average rank).
 * NaN when either class is absent, since the area is then undefined.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new Error(`rocAuc: ${n} labels but ${scores.length} scores`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const averageRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** A score at or above the threshold predicts the positive class (label 1). */
export function confusion(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = scores[i]! >= threshold;
    const actual = labels[i] === 1;
    if (predicted && actual) c.tp++;
    else if (predicted) c.fp++;
    else if (actual) c.fn++;
    else c.tn++;
  }
  return c;
}

// Undefined ratios (no predicted or no actual positives) are reported as 0, as scikit-learn does.
const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);

export const accuracy = (c: Confusion) => ratio(c.tp + c.tn, c.tp + c.fp + c.tn + c.fn);
export const precision = (c: Confusion) => ratio(c.tp, c.tp + c.fp);
export const recall = (c: Confusion) => ratio(c.tp, c.tp + c.fn);
export const f1 = (c: Confusion) => ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn);

export function classificationMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): ClassificationMetrics {
  const c = confusion(labels, scores, threshold);
  return { rocAuc: rocAuc(labels, scores), accuracy: accuracy(c), precision: precision(c), recall: recall(c), f1: f1(c), confusion: c };
}

/** Figures for a classifier of three or more classes (labels and predictions are class indices). */
export interface MultiClassMetrics {
  accuracy: number;
  /** Unweighted mean of the per-class F1 scores. */
  macroF1: number;
  /** matrix[actual][predicted] counts, rows and columns in `labels` order. */
  confusion: { labels: string[]; matrix: number[][] };
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  /** Share of the most frequent actual class: the accuracy of always guessing it. */
  majorityRate: number;
}

export function multiClassMetrics(labels: ArrayLike<number>, predicted: ArrayLike<number>, classNames: readonly string[]): MultiClassMetrics {
  const k = classNames.length;
  const n = labels.length;
  if (predicted.length !== n) throw new Error(`multiClassMetrics: ${n} labels but ${predicted.length} predictions`);
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) {
    const a = labels[i]!;
    const p = predicted[i]!;
    if (!(a >= 0 && a < k && p >= 0 && p < k)) throw new Error(`multiClassMetrics: class index out of range at ${i}`);
    matrix[a]![p]!++;
  }
  let correct = 0;
  let largest = 0;
  const perClass = classNames.map((label, c) => {
    const tp = matrix[c]![c]!;
    const support = matrix[c]!.reduce((s, v) => s + v, 0);
    const predictedAs = matrix.reduce((s, row) => s + row[c]!, 0);
    correct += tp;
    largest = Math.max(largest, support);
    return { label, precision: ratio(tp, predictedAs), recall: ratio(tp, support), f1: ratio(2 * tp, predictedAs + support), support };
  });
  return {
    accuracy: ratio(correct, n),
    macroF1: k ? perClass.reduce((s, c) => s + c.f1, 0) / k : 0,
    confusion: { labels: [...classNames], matrix },
    perClass,
    majorityRate: ratio(largest, n),
  };
}

/** Position of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Mean log loss (cross-entropy) of class probabilities: probabilities[i][labels[i]] is the
 * probability given to the true class of row i, clamped away from 0.
 */
export function logLoss(trueClassProbabilities: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < trueClassProbabilities.length; i++) sum -= Math.log(Math.min(1, Math.max(1e-15, trueClassProbabilities[i]!)));
  return trueClassProbabilities.length ? sum / trueClassProbabilities.length : Number.NaN;
}

/** Mean and standard deviation (n - 1 denominator; 0 for a single value) of some figures, with the figures. */
export function summarise(values: readonly number[]): { mean: number; std: number; values: number[] } {
  const n = values.length;
  const mean = n ? values.reduce((s, v) => s + v, 0) / n : Number.NaN;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, values: [...values] };
}

/** mulberry32: a tiny 32-bit PRNG, uniform in [0, 1). Good enough for splits and weight init. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates in place. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Labels in NumPy's sorted order: numbers by value, text by code point. */
function sortedClasses(byClass: Map<string | number, number[]>): (string | number)[] {
  return [...byClass.keys()].sort((a, b) => {
    if (typeof a === "number" && typeof b === "number") return a - b;
    const x = [...String(a)].map((c) => c.codePointAt(0)!);
    const y = [...String(b)].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
}

/**
 * scikit-learn's `_approximate_mode`: how many of `draws` each class gets, in proportion to its
 * count, the rounding left-overs going to the largest remainders with ties drawn at random.
 */
function approximateMode(counts: readonly number[], draws: number, rng: RandomState): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  const continuous = counts.map((c) => (c / total) * draws);
  const floored = continuous.map(Math.floor);
  let needToAdd = draws - floored.reduce((s, f) => s + f, 0);
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]!);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const tied = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const addNow = Math.min(tied.length, needToAdd);
      for (const i of rng.choose(tied, addNow)) floored[i]!++;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

/**
 * Split row indices so each class keeps its share in both parts: scikit-learn's
 * `StratifiedShuffleSplit`, which `train_test_split(X, y, test_size=f, stratify=y, random_state=seed)`
 * uses, drawn from NumPy's Mersenne Twister (numpy-random.ts). The same labels, fraction and seed
 * give the same test rows as there. The test part has ceil(f * n) rows. Both lists are ascending.
 */
export function stratifiedSplit(labels: ArrayLike<string | number>, testFraction: number, seed: number): { train: number[]; test: number[] } {
  if (!(testFraction >= 0 && testFraction < 1)) throw new Error(`stratifiedSplit: testFraction ${testFraction} must be in [0, 1)`);
  const byClass = new Map<string | number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]!);
    if (members) members.push(i);
    else byClass.set(labels[i]!, [i]);
  }
  const nTest = Math.ceil(testFraction * labels.length);
  if (nTest === 0) return { train: Array.from({ length: labels.length }, (_, i) => i), test: [] };
  const rng = new RandomState(seed >>> 0);
  const members = sortedClasses(byClass).map((c) => byClass.get(c)!);
  const counts = members.map((m) => m.length);
  const inTrain = approximateMode(counts, labels.length - nTest, rng);
  const inTest = approximateMode(
    counts.map((c, i) => c - inTrain[i]!),
    nTest,
    rng,
  );
  const train: number[] = [];
  const test: number[] = [];
  for (const [c, rows] of members.entries()) {
    const order = rng.permutation(rows.length).map((k) => rows[k]!);
    train.push(...order.slice(0, inTrain[c]));
    test.push(...order.slice(inTrain[c], inTrain[c]! + inTest[c]!));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

/**
 * Split row indices 0 .. n-1 at random, without regard to any label: scikit-learn's `ShuffleSplit`,
 * which `train_test_split(X, test_size=f, random_state=seed)` uses. The test part is the first
 * ceil(f * n) positions of NumPy's permutation(n) with the seed, as there. Both lists are ascending.
 */
export function shuffleSplit(n: number, testFraction: number, seed: number): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`shuffleSplit: testFraction ${testFraction} must be in (0, 1)`);
  const order = new RandomState(seed >>> 0).permutation(n);
  const nTest = Math.ceil(testFraction * n);
  const ascending = (a: number, b: number) => a - b;
  return { train: order.slice(nTest).sort(ascending), test: order.slice(0, nTest).sort(ascending) };
}

/**
 * Split row indices into `folds` parts for cross-validation, each class dealt out evenly (its
 * members shuffled with the seed, then given to the parts in turn, the next class starting where
 * the last one stopped). Returns the held-out indices of each part, ascending; every index is in
 * exactly one part.
 */
export function stratifiedFolds(labels: ArrayLike<string | number>, folds: number, seed: number): number[][] {
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`stratifiedFolds: ${folds} folds; need at least 2`);
  const byClass = new Map<string | number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]!);
    if (members) members.push(i);
    else byClass.set(labels[i]!, [i]);
  }
  const random = mulberry32(seed);
  const parts = Array.from({ length: folds }, () => [] as number[]);
  const classes = [...byClass.keys()].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  let next = 0;
  for (const cls of classes) {
    for (const i of shuffle(byClass.get(cls)!, random)) {
      parts[next]!.push(i);
      next = (next + 1) % folds;
    }
  }
  return parts.map((p) => p.sort((a, b) => a - b));
}

const POSITIVE = /^(yes|true|1|y)$/i;
const NEGATIVE = /^(no|false|0|n)$/i;

/**
 * Which of two class values is the positive one, when their names make it obvious
 * (Yes/No, True/False, 1/0, Y/N in any case). Undefined when they do not.
 */
export function inferPositiveLabel(classes: readonly string[]): string | undefined {
  if (classes.length !== 2) return undefined;
  const [a, b] = classes as [string, string];
  if (POSITIVE.test(a.trim()) && NEGATIVE.test(b.trim())) return a;
  if (POSITIVE.test(b.trim()) && NEGATIVE.test(a.trim())) return b;
  return undefined;
}

/** How a target value is compared with the positive label: booleans and numbers as their text. */
export function labelKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * The positive class among two, from the user's choice or inferred. The choice may differ in
 * case, or say Yes/No where the data holds true/false (DuckDB reads a Yes/No CSV column as
 * BOOLEAN). Undefined when it cannot be settled.
 */
export function resolvePositiveLabel(classes: readonly string[], requested?: string): string | undefined {
  if (requested === undefined || requested === "") return inferPositiveLabel(classes);
  if (classes.includes(requested)) return requested;
  const sameCase = classes.filter((c) => c.toLowerCase() === requested.trim().toLowerCase());
  if (sameCase.length === 1) return sameCase[0];
  const inferred = inferPositiveLabel(classes);
  if (inferred === undefined) return undefined;
  if (POSITIVE.test(requested.trim())) return inferred;
  if (NEGATIVE.test(requested.trim())) return classes.find((c) => c !== inferred);
  return undefined;
}

/** The positive class of a two-class column, or a ConfigError that says how to choose one. */
export function requirePositiveLabel(classes: readonly string[], requested: string | undefined, column: string): string {
  const label = resolvePositiveLabel(classes, requested);
  if (label !== undefined) return label;
  throw new ConfigError(
    requested
      ? `positiveLabel "${requested}" is not a value of "${column}" (values: ${classes.join(", ")})`
      : `Say which value of "${column}" is positive: ${classes.join(" or ")}`,
    { field: "positiveLabel" },
  );
}
