// Feature preparation for tabular models. Everything is fitted on the training rows only and kept
// as plain JSON in the model artifact, so scoring repeats exactly what training did:
// - numbers (and text that is nearly always a number, like a CSV column with a few blanks) are
//   standardised with the training mean and standard deviation; a missing value becomes the mean
//   (0 after scaling) and, when training saw gaps, a 0/1 "was missing" input follows;
// - other columns are one-hot encoded over their most frequent training values (20 unless told),
//   plus one "other" input when training saw more;
// - columns named as text become a bag of words (text-features.ts).
// Scoring's checks that a dataset still fits a fitted spec are in feature-checks.ts; the saved
// classifier kinds and what their artifacts hold are in saved-classifiers.ts.
import type { Column, DatasetRef, DatasetStore } from "../sdk/types";
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

export const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|INT\d*)\b/i;
export const TIME_TYPE = /^(DATE|TIMESTAMP)/i;
export const TEXT_TYPE = /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|ENUM)/i;

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
