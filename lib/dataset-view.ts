// A view of a dataset: sort, filters and a search over the whole dataset (run in DuckDB by
// db/dataset-query.ts), which columns come first, and how scores read. Pure and zod only: the
// browser (the preview, the download link) and the server (tRPC, the download route) share it.
import { z } from "zod";

/** Comparisons a filter can make. Text ones work on any column (as its text); number ones on numeric columns. */
export const TEXT_OPS = ["contains", "equals"] as const;
export const NUMBER_OPS = ["=", "!=", "<", "<=", ">", ">="] as const;
export type TextOp = (typeof TEXT_OPS)[number];
export type NumberOp = (typeof NUMBER_OPS)[number];

export const OP_LABEL: Record<TextOp | NumberOp, string> = {
  contains: "contains",
  equals: "is exactly",
  "=": "=",
  "!=": "≠",
  "<": "<",
  "<=": "≤",
  ">": ">",
  ">=": "≥",
};

const column = z.string().min(1).max(300);

export const viewFilterSchema = z.discriminatedUnion("op", [
  z.object({ column, op: z.enum(TEXT_OPS), value: z.string().max(1000) }),
  z.object({ column, op: z.enum(NUMBER_OPS), value: z.number() }),
]);
export type ViewFilter = z.infer<typeof viewFilterSchema>;

export const viewSpecSchema = z.object({
  sort: z.object({ column, direction: z.enum(["asc", "desc"]) }).optional(),
  filters: z.array(viewFilterSchema).max(20).default([]),
  /** Rows where any text column contains this (any case). Blank: no search. */
  search: z.string().max(200).default(""),
});
export type ViewSpec = z.infer<typeof viewSpecSchema>;
export type ViewSpecInput = z.input<typeof viewSpecSchema>;

/** Whether the spec narrows or orders anything (a download "as shown" then differs from the whole dataset). */
export function isShaped(spec: ViewSpecInput): boolean {
  return Boolean(spec.sort || spec.filters?.length || spec.search?.trim());
}

// --- columns -------------------------------------------------------------------------------

const NUMERIC_TYPE = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$/i;
const TEXT_TYPE = /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|ENUM\(.*\)|UUID|JSON)$/i;

export type ColumnKind = "number" | "text" | "other";

export function columnKind(type: string): ColumnKind {
  if (NUMERIC_TYPE.test(type.trim())) return "number";
  if (TEXT_TYPE.test(type.trim())) return "text";
  return "other";
}

/**
 * An identifier column: `id`, a name ending in `_id` (or `-id`, ` id`, `.id`, any case), or a
 * camel-case `…Id`/`…ID` such as customerID. Plain words ending in "id" (paid, valid) are not.
 */
export function isIdColumn(name: string): boolean {
  return /^id$/i.test(name) || /[_\-\s.]id$/i.test(name) || /[a-z0-9]I[dD]$/.test(name);
}

/** p_treated, p_control: a model's probabilities; not a test's p_value, which is no share of anything. */
const pColumn = (name: string) => /^p_/i.test(name) && !/^p_?val(ue)?s?$/i.test(name);

/** A model's output: a score (churn_score, score_yes), an uplift, a prediction, a probability or a p_ column. */
export function isScoreColumn(name: string): boolean {
  return /score/i.test(name) || /uplift/i.test(name) || /^predict(ed|ion)?(_|$)/i.test(name) || /probability/i.test(name) || pColumn(name);
}

/** Whose values are probabilities when they lie within 0..1: shown as percentages. */
export function isProbabilityName(name: string): boolean {
  return /score/i.test(name) || /probability/i.test(name) || pColumn(name);
}

/** Identifier columns first, then model outputs, then the rest, each group in the dataset's order. */
export function usefulOrder<T extends { name: string }>(columns: readonly T[]): T[] {
  const rank = (c: T) => (isIdColumn(c.name) ? 0 : isScoreColumn(c.name) ? 1 : 2);
  return columns
    .map((c, i) => ({ c, i, r: rank(c) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.c);
}

/** 0.83412 → "83.4 %": one decimal, a space before the sign. */
export function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

/**
 * What someone typed in a number filter: "0.5", "-2", "1,234.5", or a percentage for a score
 * column ("50 %", "50%" → 0.5). Undefined when it is not a number.
 */
export function parseFilterNumber(text: string): number | undefined {
  const t = text.trim().replace(/,/g, "");
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(%?)$/i.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]) / (m[2] ? 100 : 1);
  return Number.isFinite(n) ? n : undefined;
}

// --- the download link ---------------------------------------------------------------------

export type DownloadFormat = "csv" | "parquet";

/** The URL of the download route; `spec` undefined downloads the whole dataset as stored. */
export function downloadUrl(datasetId: string, format: DownloadFormat, opts: { spec?: ViewSpecInput; name?: string } = {}): string {
  const params = new URLSearchParams({ format });
  if (opts.spec && isShaped(opts.spec)) params.set("view", JSON.stringify(opts.spec));
  if (opts.name) params.set("name", opts.name);
  return `/api/datasets/${encodeURIComponent(datasetId)}/download?${params.toString()}`;
}

/** A file name from a dataset or node name: letters, digits, dot, dash and underscore, at most 80. */
export function safeFileStem(name: string): string {
  const stem = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80);
  return stem || "dataset";
}
