// CSV (RFC 4180) for files people open in a spreadsheet. Pure: the audit log export uses it.
// - Quoting: a cell with a comma, a double quote, CR or LF is wrapped in double quotes, and its
//   double quotes are doubled. Rows end with CRLF.
// - Formula injection: a spreadsheet runs a cell that starts with =, +, - or @ (and tab or CR can
//   hide one) as a formula, so such a cell gets a leading single quote, which spreadsheets show as
//   text. Every cell is treated alike, whatever its type, by csvCell; dataset downloads
//   (db/dataset-query.ts) neutralise only text cells, so -2 in a numeric column stays a number.

/** The first characters that make a spreadsheet read a cell as a formula (OWASP's list). */
export const FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"] as const;
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text that a spreadsheet would run as a formula, with a leading single quote; other text unchanged. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One cell as text: null and undefined are empty, objects are JSON, the rest is String(). */
function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A cell neutralised against formulas, then quoted when it has to be. */
export function csvCell(value: unknown): string {
  const cell = neutraliseFormula(text(value));
  return NEEDS_QUOTES.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(",");
}

/**
 * A whole file: the header row, then the rows, each ending with CRLF. With `bom`, it starts with a
 * UTF-8 byte order mark, so Excel reads accented names right.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly unknown[]>, opts: { bom?: boolean } = {}): string {
  const lines = [csvRow(header)];
  for (const row of rows) lines.push(csvRow(row));
  return `${opts.bom ? "\uFEFF" : ""}${lines.join("\r\n")}\r\n`;
}
