// Column types in words: DuckDB's VARCHAR, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP ... shown as Text,
// Number, Yes/No, Date, with the raw type kept for a tooltip. Pure, tested in type-words.test.ts.

export type TypeWord = "Text" | "Number" | "Yes/No" | "Date" | "Date and time" | "Time" | "List" | "Record" | "Other";

const WHOLE = /^(TINYINT|SMALLINT|INTEGER|INT|INT[1248]|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|SHORT|LONG|SIGNED)$/;
const DECIMAL = /^(FLOAT|FLOAT[48]|REAL|DOUBLE|DECIMAL|NUMERIC)(\(.*\))?$/;

/**
 * The word for a DuckDB type: whole numbers and numbers with decimals are both "Number" (the
 * tooltip tells them apart); lists and structs are "List" and "Record".
 */
export function typeWord(type: string | null | undefined): TypeWord {
  const t = (type ?? "").trim().toUpperCase();
  if (!t) return "Other";
  if (t.endsWith("[]") || /^(LIST|ARRAY)\b/.test(t) || /\[\d+\]$/.test(t)) return "List";
  if (/^(STRUCT|MAP|UNION)\b/.test(t)) return "Record";
  if (/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|ENUM|UUID|JSON)\b/.test(t)) return "Text";
  if (WHOLE.test(t) || DECIMAL.test(t)) return "Number";
  if (t === "BOOLEAN" || t === "BOOL" || t === "LOGICAL") return "Yes/No";
  if (t === "DATE") return "Date";
  if (/^(TIMESTAMP|DATETIME)/.test(t)) return "Date and time";
  if (/^TIME\b/.test(t) || t === "TIME WITH TIME ZONE" || t === "TIMETZ") return "Time";
  return "Other";
}

/** The tooltip for a type word: the raw type, for those who know it. */
export const typeTitle = (type: string | null | undefined) => (type ? `${typeWord(type)} (${type} in DuckDB)` : "Type unknown");
