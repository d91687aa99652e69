// Multinomial naive Bayes on bag-of-words text (unigrams, optionally bigrams too), with Laplace
// (add-alpha) smoothing, and seeded stratified k-fold cross-validation. Pure functions: the nodes
// read and write the data, these count and predict.
import { mulberry32, shuffle } from "../metrics";

/** Model kind in the registry for the text classifier. */
export const TEXT_CLASSIFIER_KIND = "text-classifier/naive-bayes";

/**
 * Words of a text: lower case runs of letters and digits, keeping apostrophes inside a word
 * ("don't", "it's"; a curly ’ counts as '). Everything else separates words.
 */
export function words(text: string): string[] {
  return text.toLowerCase().replace(/\u2019/g, "'").match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) ?? [];
}

/** The terms a text counts as: its words, and with `bigrams` each pair of neighbouring words too. */
export function terms(text: string, bigrams: boolean): string[] {
  const w = words(text);
  if (!bigrams) return w;
  const out = w.slice();
  for (let i = 1; i < w.length; i++) out.push(`${w[i - 1]} ${w[i]}`);
  return out;
}

export interface NaiveBayesCounts {
  /** Number of classes; class c is index c of each array. */
  classes: number;
  /** Training texts per class. */
  docs: number[];
  /** Per term, its count in each class. */
  counts: Map<string, number[]>;
  /** All term counts per class. */
  totals: number[];
}

export function countTerms(docs: readonly string[][], labels: ArrayLike<number>, classes: number, rows?: Iterable<number>): NaiveBayesCounts {
  const m: NaiveBayesCounts = { classes, docs: new Array<number>(classes).fill(0), counts: new Map(), totals: new Array<number>(classes).fill(0) };
  for (const i of rows ?? docs.keys()) {
    const c = labels[i]!;
    m.docs[c] = m.docs[c]! + 1;
    for (const t of docs[i]!) {
      let per = m.counts.get(t);
      if (!per) m.counts.set(t, (per = new Array<number>(classes).fill(0)));
      per[c] = per[c]! + 1;
      m.totals[c] = m.totals[c]! + 1;
    }
  }
  return m;
}

/** Log priors and per-term log likelihoods, ready to score texts. */
export interface NaiveBayesModel {
  logPrior: Float64Array;
  /** Per known term, the log likelihood in each class. */
  logLikelihood: Map<string, Float64Array>;
}

/**
 * P(term | class) = (count + alpha) / (total + alpha * V), V the number of terms seen in training.
 * A class without training texts gets a prior of 0 (log -Infinity) and is never predicted.
 */
export function fitNaiveBayes(m: NaiveBayesCounts, alpha: number): NaiveBayesModel {
  const nDocs = m.docs.reduce((a, b) => a + b, 0);
  const logPrior = Float64Array.from(m.docs, (d) => Math.log(d / nDocs));
  const vocabulary = m.counts.size;
  const denominators = m.totals.map((t) => Math.log(t + alpha * vocabulary));
  const logLikelihood = new Map<string, Float64Array>();
  for (const [term, per] of m.counts) logLikelihood.set(term, Float64Array.from(per, (n, c) => Math.log(n + alpha) - denominators[c]!));
  return { logPrior, logLikelihood };
}

/**
 * The class probabilities of a text's terms (terms never seen in training are ignored), written
 * into `out`; returns the most likely class (the first on a tie).
 */
export function predict(model: NaiveBayesModel, termsOfText: readonly string[], out: Float64Array): number {
  out.set(model.logPrior);
  for (const t of termsOfText) {
    const ll = model.logLikelihood.get(t);
    if (ll) for (let c = 0; c < out.length; c++) out[c] = out[c]! + ll[c]!;
  }
  let best = 0;
  for (let c = 1; c < out.length; c++) if (out[c]! > out[best]!) best = c;
  const top = out[best]!;
  let sum = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = Math.exp(out[c]! - top);
    sum += out[c]!;
  }
  for (let c = 0; c < out.length; c++) out[c] = out[c]! / sum;
  return best;
}

/**
 * A fold (0..k-1) for each row, stratified: each class's rows are shuffled with the seed and dealt
 * round the folds, continuing where the previous class stopped, so fold sizes differ by at most
 * one and each class is spread evenly. Classes are visited in index order.
 */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): Int32Array {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]!);
    if (members) members.push(i);
    else byClass.set(labels[i]!, [i]);
  }
  const random = mulberry32(seed);
  const folds = new Int32Array(labels.length);
  let next = 0;
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    for (const i of shuffle(byClass.get(cls)!, random)) {
      folds[i] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}

/** What a saved text classifier holds: written by model.train-text-classifier, read by model.score-text. */
export interface TextClassifierArtifact {
  version: 1;
  /** The text column it was trained on. */
  text: string;
  target: string;
  /** DuckDB type of the target, so predictions come back in it. */
  targetType: string;
  /** The classes as text, in index order. */
  classes: string[];
  bigrams: boolean;
  alpha: number;
  docs: number[];
  totals: number[];
  /** Terms, and their count in each class (same order as `terms`). */
  terms: string[];
  counts: number[][];
}

export function countsFromArtifact(a: TextClassifierArtifact): NaiveBayesCounts {
  return { classes: a.classes.length, docs: a.docs, totals: a.totals, counts: new Map(a.terms.map((t, i) => [t, a.counts[i]!])) };
}
