// How a data preview shows one value as DuckDB returned it (through superjson: bigint and Date
// survive). Pure: the run page's, the editor's and the datasets page's tables share it.
import { percent } from "../../lib/dataset-view";

/** Text longer than this is cut in the cell and shown whole in its tooltip. */
export const LONG_CELL = 48;

export interface CellText {
  text: string;
  /** empty: no value; flag: true/false; number; text (dates too); code: lists and records as JSON. */
  look: "empty" | "flag" | "number" | "text" | "code";
  /** The tooltip: the raw value of a percentage, the whole of a long text. */
  title?: string;
}

/** DuckDB hands DATE and TIMESTAMP back as UTC instants; show what the file said, not the browser's zone. */
function formatDate(d: Date, type: string): string {
  if (Number.isNaN(d.getTime())) return "Invalid date";
  const iso = d.toISOString();
  if (/^DATE$/i.test(type)) return iso.slice(0, 10);
  return iso.replace("T", " ").replace(/\.000Z$/, "").replace(/Z$/, "");
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return String(value);
  }
}

/**
 * A value of a column of DuckDB type `type`: null for none, true/false, numbers as they are (a
 * score column shown as a percentage, `asPercent`, reads 0.834 as "83.4 %" with 0.834 in the
 * tooltip), dates as the file wrote them, lists and records as JSON.
 */
export function formatCell(value: unknown, type: string, asPercent = false): CellText {
  if (value === null || value === undefined) return { text: "null", look: "empty" };
  if (typeof value === "boolean") return { text: value ? "true" : "false", look: "flag" };
  if (typeof value === "number" && asPercent) return { text: percent(value), look: "number", title: String(value) };
  if (typeof value === "number" || typeof value === "bigint") return { text: String(value), look: "number" };
  const code = typeof value === "object" && !(value instanceof Date);
  const text = value instanceof Date ? formatDate(value, type) : code ? json(value) : String(value);
  return { text, look: code ? "code" : "text", ...(text.length > LONG_CELL ? { title: text } : {}) };
}
