// Does a dataset still fit a fitted spec? Scoring refuses columns whose type no longer matches
// how training read them, rather than quietly encoding them as missing or unseen values.
import type { Column } from "../sdk/types";
import { NUMERIC_TEXT_SHARE, NUMERIC_TYPE, TEXT_TYPE, TIME_TYPE, toNumber, type Feature, type FeatureSpec } from "./features";

type Row = Record<string, unknown>;

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
