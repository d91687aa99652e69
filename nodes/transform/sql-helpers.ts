// Shared pieces of the SQL transforms: column checks, type families, blank tests and typed values.
// Everything goes through ctx.datasets.ident/literal; no node builds SQL from raw config text.
import { z } from "zod";
import { ConfigError, type Column, type DatasetRef, type DatasetStore } from "../sdk";

/** DuckDB's virtual column giving a row's position in the Parquet file (see DatasetStore.fromWithPosition). */
export const POSITION = "file_row_number";

/** A column of `input` by exact name, or a ConfigError naming the node and the config field. */
export function requireColumn(input: DatasetRef, name: string, field: string, label: string): Column {
  const col = input.columns.find((c) => c.name === name);
  if (!col) throw new ConfigError(`${label}: no column "${name}" in the input`, { field });
  return col;
}

/** Nodes that read row positions cannot take an input that already has a column named like them. */
export function checkNoPositionColumn(input: DatasetRef, label: string, field: string, port?: string): void {
  if (input.columns.some((c) => c.name.toLowerCase() === POSITION)) {
    throw new ConfigError(
      `${label}: the ${port ? `"${port}" ` : ""}input has a column named "${POSITION}", which this node needs for row positions; rename it first`,
      { field },
    );
  }
}

/** The broad families of DuckDB types that decide which operations and values make sense. */
export type TypeFamily = "text" | "integer" | "number" | "boolean" | "date" | "timestamp" | "other";

export function typeFamily(type: string): TypeFamily {
  const t = type.toUpperCase().trim();
  if (/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)(\(\d+\))?$/.test(t)) return "text";
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(t)) return "integer";
  if (/^(FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC)(\(.*\))?$/.test(t)) return "number";
  if (t === "BOOLEAN") return "boolean";
  if (t === "DATE") return "date";
  if (/^TIMESTAMP(_S|_MS|_NS)?( WITH TIME ZONE)?$/.test(t) || t === "TIMESTAMPTZ") return "timestamp";
  return "other";
}

export function isNumericFamily(f: TypeFamily): boolean {
  return f === "integer" || f === "number";
}

/** What a column holds, in the words the error messages use. */
export function familyWords(f: TypeFamily): string {
  switch (f) {
    case "text":
      return "text";
    case "integer":
      return "whole numbers";
    case "number":
      return "numbers";
    case "boolean":
      return "yes/no values";
    case "date":
      return "dates";
    case "timestamp":
      return "dates with times";
    default:
      return "values of another kind";
  }
}

// ASCII whitespace (what RE2's \s means) and the no-break space that spreadsheets leave behind.
// DuckDB's trim(x, characters) strips a set of characters several times faster than a regexp.
const WS_CHARS = " \t\n\f\r\u00a0";

/** SQL: true when a text value is empty or only whitespace. */
export function blankSql(ds: DatasetStore, expr: string): string {
  return `(trim(${expr}, ${ds.literal(WS_CHARS)}) = '')`;
}

/** SQL: the text without leading and trailing whitespace (no-break spaces included). */
export function trimSql(ds: DatasetStore, expr: string): string {
  return `trim(${expr}, ${ds.literal(WS_CHARS)})`;
}

/** SQL: true when a value is missing: null, blank text, or NaN in a floating-point column. */
export function missingSql(ds: DatasetStore, expr: string, family: TypeFamily, type: string): string {
  if (family === "text") return `(${expr} IS NULL OR ${blankSql(ds, expr)})`;
  if (family === "number" && /^(FLOAT|REAL|DOUBLE)$/i.test(type)) return `(${expr} IS NULL OR isnan(${expr}))`;
  return `(${expr} IS NULL)`;
}

/**
 * A config value that the form edits as text but API callers may send as a number or yes/no.
 * Its JSON Schema stays `{ type: "string" }`, so the form shows a text box.
 */
export const scalarText = z.preprocess((v) => (typeof v === "number" || typeof v === "boolean" ? String(v) : v), z.string());

const WHOLE = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A value typed in the form, to be read as a value of a column of the given type. */
export interface TypedValueRequest {
  text: string;
  /** The column's DuckDB type. */
  type: string;
  /** Config field path, for the error. */
  field: string;
  /** Whole-number columns also accept decimals (a filter may compare with 2.5; a fill may not). */
  allowDecimalsForIntegers?: boolean;
}

function valueHint(f: TypeFamily): string {
  switch (f) {
    case "integer":
      return "a whole number, like 42";
    case "number":
      return "a number with a dot for decimals, like 19.99";
    case "boolean":
      return "yes or no (also true/false, 1/0)";
    case "date":
      return "a date written YYYY-MM-DD, like 2024-03-15";
    case "timestamp":
      return "a date and time written YYYY-MM-DD HH:MM:SS, like 2024-03-15 09:30:00";
    default:
      return "a value of that kind";
  }
}

/**
 * SQL expressions for values typed in the form, each read as the type of its column. Every value is
 * checked first (one query for the lot); a value that cannot be read is a ConfigError on its field.
 */
export async function typedValues(ds: DatasetStore, label: string, requests: readonly TypedValueRequest[]): Promise<string[]> {
  const out: string[] = new Array(requests.length);
  const checks: { i: number; sql: string; req: TypedValueRequest; family: TypeFamily }[] = [];
  requests.forEach((req, i) => {
    const family = typeFamily(req.type);
    if (family === "text") {
      out[i] = ds.literal(req.text);
      return;
    }
    const t = req.text.trim();
    const fail = () =>
      new ConfigError(`${label}: "${req.text}" is not ${valueHint(family)} (the column holds ${familyWords(family)})`, { field: req.field });
    if (family === "other") {
      throw new ConfigError(`${label}: a column of type ${req.type} cannot be compared with a typed-in value`, { field: req.field });
    }
    if (t === "") throw fail();
    if (family === "integer") {
      if (!WHOLE.test(t)) {
        if (req.allowDecimalsForIntegers && NUMBER.test(t)) {
          out[i] = `CAST(${ds.literal(t)} AS DOUBLE)`;
          checks.push({ i, sql: `TRY_CAST(${ds.literal(t)} AS DOUBLE)`, req, family: "number" });
          return;
        }
        throw fail();
      }
    }
    if (family === "number" && !NUMBER.test(t)) throw fail();
    // "yes"/"no" as DuckDB reads them; "on"/"off" would otherwise be refused.
    const text = family === "boolean" ? t.toLowerCase() : t;
    // Safe to splice: typeFamily only accepts plain type names (letters, digits, commas, parentheses).
    const target = req.type;
    out[i] = `CAST(${ds.literal(text)} AS ${target})`;
    checks.push({ i, sql: `TRY_CAST(${ds.literal(text)} AS ${target})`, req, family });
  });
  if (checks.length) {
    const row = (await ds.query<Record<string, unknown>>(`SELECT ${checks.map((c, k) => `(${c.sql}) IS NOT NULL AS ok${k}`).join(", ")}`))[0]!;
    checks.forEach((c, k) => {
      if (row[`ok${k}`] !== true) {
        const family = typeFamily(c.req.type);
        throw new ConfigError(`${label}: "${c.req.text}" is not ${valueHint(family)} (the column holds ${familyWords(family)})`, {
          field: c.req.field,
        });
      }
    });
  }
  return out;
}

/**
 * Rows of (k, v) text pairs as a FROM-clause subquery. They travel as one JSON string literal, which
 * DuckDB reads far faster than a VALUES list (100,000 pairs in well under a second).
 */
export function textPairsSql(ds: DatasetStore, pairs: readonly (readonly [string, string | null])[]): string {
  if (!pairs.length) return `(SELECT CAST(NULL AS VARCHAR) AS k, CAST(NULL AS VARCHAR) AS v WHERE false)`;
  const json = JSON.stringify(pairs.map(([k, v]) => ({ k, v })));
  return `(SELECT k, v FROM (SELECT unnest(from_json(${ds.literal(json)}, '[{"k":"VARCHAR","v":"VARCHAR"}]'), recursive := true)))`;
}

/** `base`, or `base_2`, `base_3`...: a name for a helper column that no input column has (case ignored). */
export function freeName(base: string, used: Iterable<string>): string {
  const taken = new Set([...used].map((n) => n.toLowerCase()));
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
  return name;
}

/** Case-insensitive name lookups: DuckDB resolves identifiers without regard to case. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
