// A view of a dataset in DuckDB, over the whole Parquet file: a sort, filters and a search (the
// spec from lib/dataset-view.ts), the rows that match in that order, how many match, and exports
// of the same rows as CSV (text cells neutralised against formulas) or Parquet.
// SQL holds only identifiers of the dataset's own columns (quoted) and our own constants; every
// value someone typed is a bound parameter ($1, $2, …).
import type { DuckDBValue } from "@duckdb/node-api";
import { FORMULA_STARTS, neutraliseFormula } from "../lib/csv";
import { columnKind, isIdColumn, isProbabilityName, isScoreColumn, usefulOrder, type ColumnKind, type ViewSpec } from "../lib/dataset-view";
import { BadRequest } from "../lib/errors";
import type { Column, DatasetRef } from "../nodes/sdk/types";
import { sqlIdent, sqlLiteral } from "./duckdb";
import type { ParquetDatasetStore } from "./dataset-store";

export interface ViewColumn extends Column {
  kind: ColumnKind;
  /** "id": an identifier; "score": a model's output (score, uplift, prediction, probability). */
  role: "id" | "score" | null;
  /** A probability column whose every value lies within 0..1: shown as a percentage. */
  percent: boolean;
}

export interface ViewPage {
  /** Identifiers first, then model outputs, then the rest. */
  columns: ViewColumn[];
  rows: Record<string, unknown>[];
  /** Rows matching the filters and search, in the whole dataset. */
  matchingRows: number;
}

/** The WHERE clause (without the keyword; "true" when nothing narrows) and its parameters. */
export interface Condition {
  sql: string;
  params: DuckDBValue[];
}

const FLOATING = /^(FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$/i;
/** Types written to CSV as they are: numbers, booleans, dates and times never start a formula. */
const AS_IS = /^(BOOLEAN|DATE|TIME|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ)$/i;
/** The hidden column read_parquet adds for a stable order between equal sort keys. */
const POSITION = "file_row_number";

function columnNamed(columns: readonly Column[], name: string): Column {
  const found = columns.find((c) => c.name === name);
  if (!found) throw new BadRequest(`The dataset has no column "${name}"`);
  return found;
}

const asText = (name: string) => `CAST(${sqlIdent(name)} AS VARCHAR)`;

/** The spec's filters and search as one condition over `columns`; unknown columns and mismatched comparisons are refused by name. */
export function whereOf(columns: readonly Column[], spec: ViewSpec): Condition {
  const parts: string[] = [];
  const params: DuckDBValue[] = [];
  const bind = (v: DuckDBValue) => {
    params.push(v);
    return `$${params.length}`;
  };
  for (const f of spec.filters) {
    const c = columnNamed(columns, f.column);
    if (f.op === "contains") parts.push(`contains(lower(${asText(c.name)}), lower(${bind(f.value)}))`);
    else if (f.op === "equals") parts.push(`${asText(c.name)} = ${bind(f.value)}`);
    else {
      if (columnKind(c.type) !== "number") throw new BadRequest(`Column "${c.name}" holds ${c.type}, not numbers: compare it as text (contains, is exactly)`);
      parts.push(`${sqlIdent(c.name)} ${f.op} ${bind(f.value)}`);
    }
  }
  const search = spec.search.trim();
  if (search) {
    const text = columns.filter((c) => columnKind(c.type) === "text");
    if (!text.length) parts.push("false");
    else {
      const p = bind(search);
      parts.push(`(${text.map((c) => `contains(lower(${asText(c.name)}), lower(${p}))`).join(" OR ")})`);
    }
  }
  return { sql: parts.length ? parts.map((p) => `(${p})`).join(" AND ") : "true", params };
}

/** ORDER BY … (empty without a sort): the column, missing values last, then the file's order among equals. */
export function orderOf(columns: readonly Column[], spec: ViewSpec, withPosition: boolean): string {
  if (!spec.sort) return "";
  const c = columnNamed(columns, spec.sort.column);
  return `ORDER BY ${sqlIdent(c.name)} ${spec.sort.direction === "desc" ? "DESC" : "ASC"} NULLS LAST${withPosition ? `, ${POSITION}` : ""}`;
}

/** Whether read_parquet's row position can be added without clashing with a column of the dataset. */
function positionFree(columns: readonly Column[]): boolean {
  return !columns.some((c) => c.name.toLowerCase() === POSITION);
}

/** The rows of `columns` that match `spec`, in its order: the SELECT and its parameters. */
export function selectOf(store: ParquetDatasetStore, ref: DatasetRef, projection: string[], spec: ViewSpec): Condition {
  const withPosition = Boolean(spec.sort) && positionFree(ref.columns);
  const where = whereOf(ref.columns, spec);
  const from = withPosition ? store.fromWithPosition(ref) : store.from(ref);
  const sql = `SELECT ${projection.join(", ")} FROM ${from} WHERE ${where.sql} ${orderOf(ref.columns, spec, withPosition)}`.trim();
  return { sql, params: where.params };
}

// Datasets are immutable: what their columns are, and which hold probabilities, never changes.
const described = new Map<string, ViewColumn[]>();
const DESCRIBED_MAX = 500;

/** The dataset's columns in the order to show them, with their kinds, roles and whether they read as percentages. */
export async function viewColumns(store: ParquetDatasetStore, ref: DatasetRef): Promise<ViewColumn[]> {
  const known = described.get(ref.id);
  if (known) return known;
  const candidates = ref.columns.filter((c) => isProbabilityName(c.name) && FLOATING.test(c.type));
  const within = new Set<string>();
  if (candidates.length) {
    const sql = `SELECT ${candidates.map((c, i) => `min(${sqlIdent(c.name)})::DOUBLE AS lo${i}, max(${sqlIdent(c.name)})::DOUBLE AS hi${i}`).join(", ")} FROM ${store.from(ref)}`;
    const [range] = await store.queryBound<Record<string, number | null>>(ref, sql, []);
    candidates.forEach((c, i) => {
      const lo = range?.[`lo${i}`];
      const hi = range?.[`hi${i}`];
      if (typeof lo === "number" && typeof hi === "number" && lo >= 0 && hi <= 1) within.add(c.name);
    });
  }
  const columns = usefulOrder(ref.columns).map((c) => ({
    name: c.name,
    type: c.type,
    kind: columnKind(c.type),
    role: isIdColumn(c.name) ? ("id" as const) : isScoreColumn(c.name) ? ("score" as const) : null,
    percent: within.has(c.name),
  }));
  if (described.size >= DESCRIBED_MAX) described.delete(described.keys().next().value!);
  described.set(ref.id, columns);
  return columns;
}

/** One page of the view: `limit` rows from `offset`, and how many rows match in all. */
export async function viewDataset(store: ParquetDatasetStore, ref: DatasetRef, spec: ViewSpec, page: { limit: number; offset?: number }): Promise<ViewPage> {
  const columns = await viewColumns(store, ref);
  const limit = Math.max(0, Math.min(1000, Math.floor(page.limit)));
  const offset = Math.max(0, Math.floor(page.offset ?? 0));
  const select = selectOf(
    store,
    ref,
    columns.map((c) => sqlIdent(c.name)),
    spec,
  );
  const where = whereOf(ref.columns, spec);
  const [rows, counted] = await Promise.all([
    store.queryBound(ref, `${select.sql} LIMIT ${limit} OFFSET ${offset}`, select.params),
    store.queryBound<{ n: number }>(ref, `SELECT count(*)::BIGINT AS n FROM ${store.from(ref)} WHERE ${where.sql}`, where.params),
  ]);
  return { columns, rows, matchingRows: Number(counted[0]?.n ?? 0) };
}

/**
 * A column as a CSV cell: numbers, booleans, dates and times as DuckDB writes them (so -2 stays a
 * number), anything else as text with a leading ' when it starts like a formula. The header name
 * is neutralised the same way.
 */
export function csvColumn(column: Column): string {
  const alias = sqlIdent(neutraliseFormula(column.name));
  const kind = columnKind(column.type);
  if (kind === "number" || AS_IS.test(column.type.trim())) return `${sqlIdent(column.name)} AS ${alias}`;
  const text = asText(column.name);
  return `CASE WHEN left(${text}, 1) IN (${FORMULA_STARTS.map(sqlLiteral).join(", ")}) THEN '''' || ${text} ELSE ${text} END AS ${alias}`;
}

/**
 * The rows of the view (or, with `spec` undefined, the whole dataset as stored) written by DuckDB
 * to a temporary file; the caller streams it and removes it. Columns in the view's order when a
 * spec is given, else in the dataset's own.
 */
export async function exportDataset(store: ParquetDatasetStore, ref: DatasetRef, format: "csv" | "parquet", spec?: ViewSpec): Promise<string> {
  const columns: Column[] = spec ? await viewColumns(store, ref) : ref.columns;
  const projection = columns.map((c) => (format === "csv" ? csvColumn(c) : sqlIdent(c.name)));
  const select = selectOf(store, ref, projection, spec ?? { filters: [], search: "" });
  return store.copyToTemp(ref, select.sql, select.params, format);
}
