// The column types as expressions see them (number, text, date ...), from DuckDB's type names; shared
// by the transform and model nodes through ./expression.ts, which re-exports them.
import type { Column } from "../sdk";

/** What an expression (or a column, as the expression sees it) holds. `null`: the literal `null`. */
export type ValueType = "number" | "text" | "boolean" | "date" | "timestamp" | "null" | "other";

export interface ExprColumn {
  name: string;
  type: ValueType;
}

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC)(\s*\(.*\))?$/;
const INTEGER_TYPE = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/** The expression type of a DuckDB column type (VARCHAR → text, BIGINT/DOUBLE/DECIMAL(…) → number, …). */
export function valueTypeOf(duckdbType: string): ValueType {
  const t = duckdbType.trim().toUpperCase();
  if (NUMERIC_TYPE.test(t)) return "number";
  if (t === "VARCHAR" || t.startsWith("VARCHAR(") || t === "TEXT" || t === "STRING") return "text";
  if (t === "BOOLEAN" || t === "BOOL") return "boolean";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP")) return "timestamp";
  return "other";
}

/** A whole-number DuckDB type (whose sum DuckDB widens to HUGEINT). */
export function isIntegerType(duckdbType: string): boolean {
  return INTEGER_TYPE.test(duckdbType.trim().toUpperCase());
}

/** Whether values of the two types can be compared or joined without an explicit conversion. */
export function sameFamily(a: ValueType, b: ValueType): boolean {
  const fam = (t: ValueType) => (t === "timestamp" ? "date" : t);
  return a !== "other" && b !== "other" && fam(a) === fam(b);
}

export function exprColumns(columns: readonly Column[]): ExprColumn[] {
  return columns.map((c) => ({ name: c.name, type: valueTypeOf(c.type) }));
}

/** A human word for a type, for messages. */
export function typeWord(t: ValueType): string {
  switch (t) {
    case "number":
      return "a number";
    case "text":
      return "text";
    case "boolean":
      return "true/false";
    case "date":
      return "a date";
    case "timestamp":
      return "a date and time";
    case "null":
      return "null";
    default:
      return "a value of an unsupported type";
  }
}
