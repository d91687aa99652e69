// Feature preparation for tabular models. Everything is fitted on the training rows only and kept
// as plain JSON in the model artifact, so scoring repeats exactly what training did:
// - numbers (and text that is nearly always a number, like a CSV column with a few blanks) are
//   standardised with the training mean and standard deviation; a missing value becomes the mean
//   (0 after scaling) and, when training saw gaps, a 0/1 "was missing" input follows;
// - other columns are one-hot encoded over their most frequent training values (20 unless told),
//   plus one "other" input when training saw more;
// - columns named as text become a bag of words (text-features.ts).
// The saved classifier kinds and what their artifacts hold are at the end of this file.
import { NeuralNetwork } from "brain.js";
import { DataError } from "../sdk/errors";
import type { Column, DatasetRef, DatasetStore } from "../sdk/types";
import { predictLogistic, type LogisticModel } from "./logistic";
import { DEFAULT_VOCABULARY, encodeText, fitVocabulary } from "./text-features";

export const MAX_CATEGORIES = 20;
/** Share of non-blank text values that must parse as numbers for a text column to count as numeric. */
export const NUMERIC_TEXT_SHARE = 0.95;
export const MISSING_CATEGORY = "(missing)";

export interface NumericFeature {
  kind: "numeric";
  column: string;
  /** DuckDB type of the column in the training data (absent from specs saved before it was kept). */
  type?: string;
  mean: number;
  /** Never 0: a constant column is divided by 1. */
  std: number;
  /** The training rows had missing values, so a 0/1 "was missing" input follows this one. */
  missingIndicator: boolean;
}

export interface CategoricalFeature {
  kind: "categorical";
  column: string;
  type?: string;
  /** One input each, most frequent first; "(missing)" stands for null. */
  categories: string[];
  /**
   * Training rows had more categories than were kept, so one more input collects the rest.
   * Without it an unseen value encodes as all zeros rather than meeting an input whose weight
   * training never moved.
   */
  other: boolean;
}

export interface TextFeature {
  kind: "text";
  column: string;
  type?: string;
  /** One input per word, most common first (see text-features.ts). */
  vocabulary: string[];
  /** 0/1 per word; false: the number of times the word occurs. */
  binary: boolean;
}

export type Feature = NumericFeature | CategoricalFeature | TextFeature;

export interface FeatureSpec {
  version: 1;
  /** The columns scoring needs, in the order they were given. */
  inputs: string[];
  features: Feature[];
  /** A name for every encoded input, e.g. "tenure", "TotalCharges (missing)", "Contract=One year", "text: great". */
  names: string[];
}

export interface FitOptions {
  /** Most one-hot inputs per column (the rest share one "other" input). Default 20. */
  maxCategories?: number;
  /** Columns to read as free text: a bag of words each. */
  textColumns?: readonly string[];
  /** Words kept per text column. Default 200. */
  textVocabulary?: number;
  /** 0/1 per word (default) or counts. */
  textMode?: "binary" | "counts";
}

type Row = Record<string, unknown>;

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|INT\d*)\b/i;
const TIME_TYPE = /^(DATE|TIMESTAMP)/i;
const TEXT_TYPE = /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|ENUM)/i;

/** A number, or null when the value is missing or cannot be read as one. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : null;
  if (typeof value === "string") {
    const s = value.trim();
    if (s === "") return null;
    const n = Number(s);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function categoryOf(value: unknown): string {
  if (value === null || value === undefined) return MISSING_CATEGORY;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

/** Text that is (almost) always a number, like a CSV column with a few blanks, is numeric. */
export function looksNumeric(values: Iterable<unknown>): boolean {
  let nonBlank = 0;
  let numeric = 0;
  for (const v of values) {
    if (v === null || v === undefined || (typeof v === "string" && v.trim() === "")) continue;
    nonBlank++;
    if (toNumber(v) !== null) numeric++;
  }
  return nonBlank > 0 && numeric >= NUMERIC_TEXT_SHARE * nonBlank;
}

function isNumericColumn(type: string, rows: readonly Row[], column: string): boolean {
  if (NUMERIC_TYPE.test(type) || TIME_TYPE.test(type)) return true;
  if (TEXT_TYPE.test(type)) return looksNumeric(rows.map((r) => r[column]));
  return false; // BOOLEAN, UUID, lists, structs: treated as categories
}

/** Text where (nearly) every value differs, like a customer id: one-hot encoding it teaches nothing. */
export function isIdentifierLike(rows: readonly Row[], column: Column): boolean {
  if (!TEXT_TYPE.test(column.type) || isNumericColumn(column.type, rows, column.name)) return false;
  const seen = new Set<string>();
  for (const r of rows) {
    const v = r[column.name];
    if (v === null || v === undefined) continue;
    const s = String(v);
    if (seen.has(s)) return false;
    seen.add(s);
  }
  return seen.size > MAX_CATEGORIES;
}

function fitNumeric(rows: readonly Row[], column: string, type: string | undefined): NumericFeature {
  let n = 0;
  let sum = 0;
  let missing = 0;
  for (const r of rows) {
    const v = toNumber(r[column]);
    if (v === null) missing++;
    else {
      n++;
      sum += v;
    }
  }
  const mean = n ? sum / n : 0;
  let squares = 0;
  for (const r of rows) {
    const v = toNumber(r[column]);
    if (v !== null) squares += (v - mean) ** 2;
  }
  const std = n ? Math.sqrt(squares / n) : 0;
  return { kind: "numeric", column, ...(type ? { type } : {}), mean, std: std > 1e-12 && Number.isFinite(std) ? std : 1, missingIndicator: missing > 0 };
}

function fitCategorical(rows: readonly Row[], column: string, type: string | undefined, maxCategories: number): CategoricalFeature {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const c = categoryOf(r[column]);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  // Ties broken by name so the kept set never depends on row order.
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { kind: "categorical", column, ...(type ? { type } : {}), categories: ranked.slice(0, maxCategories).map(([c]) => c), other: ranked.length > maxCategories };
}

function fitText(rows: readonly Row[], column: string, type: string | undefined, size: number, binary: boolean): TextFeature {
  return { kind: "text", column, ...(type ? { type } : {}), vocabulary: fitVocabulary(rows.map((r) => r[column]), size), binary };
}

function namesOf(f: Feature): string[] {
  if (f.kind === "numeric") return f.missingIndicator ? [f.column, `${f.column} (missing)`] : [f.column];
  if (f.kind === "text") return f.vocabulary.map((t) => `${f.column}: ${t}`);
  return [...f.categories.map((c) => `${f.column}=${c}`), ...(f.other ? [`${f.column}=(other)`] : [])];
}

/**
 * Fit the preparation of `featureNames` on `rows` (the training part only). `columns` gives the
 * DuckDB type of each column; a column missing from it is judged by its values alone. Columns in
 * `opts.textColumns` (which must be among `featureNames`) become bags of words.
 */
export function fitFeatures(rows: readonly Row[], columns: readonly Column[], featureNames: readonly string[], opts: FitOptions = {}): FeatureSpec {
  const maxCategories = opts.maxCategories ?? MAX_CATEGORIES;
  const text = new Set(opts.textColumns ?? []);
  for (const c of text) if (!featureNames.includes(c)) throw new Error(`fitFeatures: text column "${c}" is not among the features`);
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const features = featureNames.map((column): Feature => {
    const type = types.get(column);
    if (text.has(column)) return fitText(rows, column, type, opts.textVocabulary ?? DEFAULT_VOCABULARY, (opts.textMode ?? "binary") === "binary");
    return isNumericColumn(type ?? "VARCHAR", rows, column) ? fitNumeric(rows, column, type) : fitCategorical(rows, column, type, maxCategories);
  });
  return { version: 1, inputs: [...featureNames], features, names: features.flatMap(namesOf) };
}

export function encodedWidth(spec: FeatureSpec): number {
  return spec.names.length;
}

/** Encode one row into `out` (length encodedWidth(spec)); returns `out`. */
export function encodeInto<T extends { length: number; [i: number]: number }>(spec: FeatureSpec, row: Row, out: T): T {
  let i = 0;
  for (const f of spec.features) {
    if (f.kind === "numeric") {
      const v = toNumber(row[f.column]);
      // A missing value becomes the training mean, which standardises to 0.
      out[i++] = v === null ? 0 : (v - f.mean) / f.std;
      if (f.missingIndicator) out[i++] = v === null ? 1 : 0;
    } else if (f.kind === "text") {
      encodeText(f.vocabulary, row[f.column], f.binary, out, i);
      i += f.vocabulary.length;
    } else {
      const at = f.categories.indexOf(categoryOf(row[f.column]));
      const width = f.categories.length + (f.other ? 1 : 0);
      for (let k = 0; k < width; k++) out[i + k] = 0;
      if (at >= 0) out[i + at] = 1;
      else if (f.other) out[i + f.categories.length] = 1;
      i += width;
    }
  }
  return out;
}

export function encodeRow(spec: FeatureSpec, row: Row): number[] {
  return encodeInto(spec, row, new Array<number>(encodedWidth(spec)));
}

/** The spec's input columns absent from a dataset's columns. */
export function missingInputs(spec: FeatureSpec, columns: readonly Column[]): string[] {
  const have = new Set(columns.map((c) => c.name));
  return spec.inputs.filter((c) => !have.has(c));
}

/**
 * SELECT of some columns in the order the rows sit in the Parquet file. DuckDB keeps that order
 * by default, but a setting (preserve_insertion_order = false) may drop it, and scores are joined
 * back by position, so the order is made explicit.
 */
export function selectInFileOrder(store: DatasetStore, ref: DatasetRef, columns: readonly string[]): string {
  const cols = columns.length ? columns.map((c) => store.ident(c)).join(", ") : "1 AS _";
  return `SELECT ${cols} FROM ${store.fromWithPosition(ref)} ORDER BY file_row_number`;
}

// ---------------------------------------------------------------------------------------------
// Does a dataset still fit a fitted spec? Scoring refuses columns whose type no longer matches
// how training read them, rather than quietly encoding them as missing or unseen values.

export type TypeFamily = "number" | "time" | "text" | "boolean" | "other";

export function typeFamily(type: string): TypeFamily {
  if (NUMERIC_TYPE.test(type)) return "number";
  if (TIME_TYPE.test(type)) return "time";
  if (TEXT_TYPE.test(type)) return "text";
  if (/^BOOL/i.test(type)) return "boolean";
  return "other";
}

const FAMILY_WORDS: Record<TypeFamily, string> = { number: "numbers", time: "dates or times", text: "text", boolean: "true/false values", other: "values" };

/** The DuckDB types a column may have at scoring time for a feature fitted on `f.type`. */
function fits(f: Feature, type: string): boolean {
  if (!f.type) return true; // specs saved before types were kept: nothing to compare
  const trained = typeFamily(f.type);
  const now = typeFamily(type);
  if (f.kind === "numeric") {
    // Numbers stay numbers; text that held numbers (a CSV column with blanks) may come back as either.
    if (trained === "text") return now === "text" || now === "number";
    return now === trained;
  }
  if (trained === "other") return f.type.toUpperCase() === type.toUpperCase();
  return now === trained;
}

/** One sentence per spec column whose type in `columns` no longer fits; columns absent are left to missingInputs. */
export function schemaMismatches(spec: FeatureSpec, columns: readonly Column[]): { column: string; message: string }[] {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const out: { column: string; message: string }[] = [];
  for (const f of spec.features) {
    const type = types.get(f.column);
    if (type === undefined || fits(f, type)) continue;
    const learned = f.kind === "numeric" ? "a number" : f.kind === "text" ? "free text" : `categories of ${FAMILY_WORDS[typeFamily(f.type!)]}`;
    out.push({ column: f.column, message: `column "${f.column}" is ${type} (${FAMILY_WORDS[typeFamily(type)]}), but the model learned it as ${learned} from ${f.type}` });
  }
  return out;
}

/**
 * Counts, while scoring, the values of numeric features that arrive as text and do not read as
 * numbers. Training treated such a column as numeric because at least 95% of its values were
 * numbers; a scoring column below that share is not the column the model learned.
 */
export class NumericTextAudit {
  private readonly watched: { column: string; nonBlank: number; bad: number; example?: string }[];

  constructor(spec: FeatureSpec, columns: readonly Column[]) {
    const types = new Map(columns.map((c) => [c.name, c.type]));
    this.watched = spec.features
      .filter((f) => f.kind === "numeric" && typeFamily(types.get(f.column) ?? "VARCHAR") === "text")
      .map((f) => ({ column: f.column, nonBlank: 0, bad: 0 }));
  }

  observe(row: Row): void {
    for (const w of this.watched) {
      const v = row[w.column];
      if (v === null || v === undefined || (typeof v === "string" && v.trim() === "")) continue;
      w.nonBlank++;
      if (toNumber(v) === null) {
        w.bad++;
        w.example ??= String(v);
      }
    }
  }

  /** Columns where fewer than 95% of non-blank values read as numbers. */
  problems(): { column: string; message: string }[] {
    return this.watched
      .filter((w) => w.nonBlank > 0 && w.nonBlank - w.bad < NUMERIC_TEXT_SHARE * w.nonBlank)
      .map((w) => ({
        column: w.column,
        message: `column "${w.column}" holds text that is not a number in ${w.bad} of ${w.nonBlank} values (e.g. "${w.example}"), but the model learned it as a number`,
      }));
  }
}

// ---------------------------------------------------------------------------------------------
// Saved classifiers. model.train-classifier writes one of four kinds; model.score reads them all.
//
//   kind                          artifact                     classes
//   binary-classifier/brainjs     ClassifierArtifact           two; brain.js network, 1 sigmoid output = P(positive)
//   binary-classifier/logistic    LogisticClassifierArtifact   two; logistic regression (sigmoid) = P(positive)
//   classifier/brainjs            MultiClassNetArtifact        3+; brain.js network, 1 sigmoid output per class,
//                                                              probabilities = outputs / their sum
//   classifier/logistic           MultiClassLogisticArtifact   3+; multinomial (softmax) logistic regression
//
// Every artifact carries the fitted FeatureSpec and the target column. The first kind has kept its
// shape since the first release, so models saved then still score.

/** Model kind in the registry for the brain.js binary classifier. */
export const CLASSIFIER_KIND = "binary-classifier/brainjs";
export const LOGISTIC_CLASSIFIER_KIND = "binary-classifier/logistic";
export const MULTICLASS_NET_KIND = "classifier/brainjs";
export const MULTICLASS_LOGISTIC_KIND = "classifier/logistic";
export const CLASSIFIER_KINDS = [CLASSIFIER_KIND, LOGISTIC_CLASSIFIER_KIND, MULTICLASS_NET_KIND, MULTICLASS_LOGISTIC_KIND] as const;

export type NetJSON = ReturnType<NeuralNetwork<Float32Array, Float32Array>["toJSON"]>;

/** binary-classifier/brainjs: what a saved classifier holds, written by model.train-classifier, read by model.score. */
export interface ClassifierArtifact {
  net: NetJSON;
  features: FeatureSpec;
  target: string;
  positiveLabel: string;
  /** The other class (absent from models saved before it was kept). */
  negativeLabel?: string;
}

/** binary-classifier/logistic */
export interface LogisticClassifierArtifact {
  logistic: LogisticModel;
  features: FeatureSpec;
  target: string;
  positiveLabel: string;
  negativeLabel: string;
}

/** classifier/brainjs */
export interface MultiClassNetArtifact {
  net: NetJSON;
  features: FeatureSpec;
  target: string;
  /** Class values (as text) in output order, sorted. */
  classes: string[];
}

/** classifier/logistic */
export interface MultiClassLogisticArtifact {
  logistic: LogisticModel;
  features: FeatureSpec;
  target: string;
  classes: string[];
}

/** A saved classifier ready to score encoded rows. */
export interface Classifier {
  kind: string;
  features: FeatureSpec;
  target: string;
  /** Two classes: the positive label, whose probability is the score. Absent for 3+ classes. */
  positiveLabel?: string;
  /** Class values in probability order; two classes: [negative, positive]. */
  classes: string[];
  /** Probabilities of the classes for one encoded row, into `out` (length classes.length). */
  predict(x: Float32Array, out: Float64Array): Float64Array;
}

/**
 * The outputs of a brain.js network for one row, as an array. brain.js answers with an object
 * ({"0": p, ...}) rather than an array when it was trained on typed arrays: it then keeps a lookup
 * table of the indices, as every network this node saved does.
 */
export function netOutputs(net: NeuralNetwork<Float32Array, Float32Array>, x: Float32Array): ArrayLike<number> {
  const y = net.run(x) as unknown;
  if (ArrayBuffer.isView(y) || Array.isArray(y)) return y as ArrayLike<number>;
  const byIndex = y as Record<string, number>;
  return Array.from({ length: net.sizes.at(-1)! }, (_, i) => byIndex[i] ?? 0);
}

/** Probabilities from brain.js outputs: one output is P(class 1); several are normalised to sum to 1. */
export function netProbabilities(outputs: ArrayLike<number>, out: Float64Array): Float64Array {
  if (outputs.length === 1) {
    out[0] = 1 - outputs[0]!;
    out[1] = outputs[0]!;
    return out;
  }
  let sum = 0;
  for (let c = 0; c < outputs.length; c++) sum += outputs[c]!;
  for (let c = 0; c < outputs.length; c++) out[c] = sum > 0 ? outputs[c]! / sum : 1 / outputs.length;
  return out;
}

/** Check a saved artifact's shape for its kind and make it a Classifier; DataError when it does not hold what the kind needs. */
export function classifierFromArtifact(kind: string, artifact: unknown, what = "The model"): Classifier {
  if (!(CLASSIFIER_KINDS as readonly string[]).includes(kind)) {
    throw new DataError(`${what} is a ${kind}, not a classifier this version reads (${CLASSIFIER_KINDS.join(", ")})`, { where: "model" });
  }
  const a = (artifact ?? {}) as Partial<ClassifierArtifact & LogisticClassifierArtifact & MultiClassNetArtifact>;
  if (!a.features?.inputs || !Array.isArray(a.features.features)) throw new DataError(`${what} has no feature preparation saved`, { where: "model" });
  const features = a.features;
  const target = a.target ?? "";
  const width = encodedWidth(features);
  const binary = kind === CLASSIFIER_KIND || kind === LOGISTIC_CLASSIFIER_KIND;
  if (binary && typeof a.positiveLabel !== "string") throw new DataError(`${what} has no positive label saved`, { where: "model" });
  if (!binary && !(Array.isArray(a.classes) && a.classes.length >= 2)) throw new DataError(`${what} has no classes saved`, { where: "model" });
  const classes = binary ? [a.negativeLabel ?? `not ${a.positiveLabel}`, a.positiveLabel!] : a.classes!;
  const base = { kind, features, target, classes, ...(binary ? { positiveLabel: a.positiveLabel } : {}) };

  if (kind === CLASSIFIER_KIND || kind === MULTICLASS_NET_KIND) {
    if (!a.net?.sizes) throw new DataError(`${what} has no network saved`, { where: "model" });
    const outputs = binary ? 1 : classes.length;
    if (a.net.sizes[0] !== width || a.net.sizes.at(-1) !== outputs) {
      throw new DataError(`${what} has a network of ${a.net.sizes.join("-")} for ${width} inputs and ${outputs} outputs`, { where: "model" });
    }
    const net = new NeuralNetwork<Float32Array, Float32Array>().fromJSON(a.net);
    return { ...base, predict: (x, out) => netProbabilities(netOutputs(net, x), out) };
  }
  if (kind === LOGISTIC_CLASSIFIER_KIND || kind === MULTICLASS_LOGISTIC_KIND) {
    const m = a.logistic;
    if (!m?.weights || m.inputs !== width || m.classes !== classes.length) {
      throw new DataError(`${what} has no logistic regression for ${width} inputs and ${classes.length} classes saved`, { where: "model" });
    }
    return { ...base, predict: (x, out) => predictLogistic(m, x, out) };
  }
  throw new Error(`classifierFromArtifact: kind ${kind} has no reader`);
}
