// Which rows a classifier was trained on, kept with the model version so a scored row can say
// whether the model saw it: "training" (learnt from), "held out" (kept aside to measure the model)
// or "new" (in neither part). Rows are recognised by a key column when the training data had one
// (values all present and distinct, and not learnt from: customerID, say), else by the values of
// the model's input columns. Only short hashes are stored, never the values themselves.
import { createHash } from "node:crypto";

type Row = Record<string, unknown>;

/** The parts a scored row can be in, in the order model.score writes their index. */
export const PARTS = ["training", "held out", "new"] as const;
export type Part = (typeof PARTS)[number];
export const TRAINING = 0;
export const HELD_OUT = 1;
export const NEW = 2;

/** How a row is recognised: by one key column, or by the values of the columns the model reads. */
export type RowIdentity = { by: "key"; column: string } | { by: "inputs"; columns: string[] };

/** Stored in the artifact under `trainingRows`. */
export interface TrainingRows {
  identity: RowIdentity;
  /** Hashes of the rows learnt from, and of the rows held out to measure the model. */
  training: string[];
  heldOut: string[];
}

/** A value as text for hashing: the same value read through DuckDB gives the same text. */
function valueText(v: unknown): string {
  if (v === null || v === undefined) return "\u0000null";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "number" && Number.isNaN(v)) return "\u0000nan";
  return String(v);
}

/** 72 bits of SHA-256, base64url (12 characters): for a million rows, a collision is about a 1 in 10^10 chance. */
function hash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 12);
}

/** A row's hash under an identity: its key's value, or its input values (names and values, in order). */
export function rowHash(identity: RowIdentity, row: Row): string {
  if (identity.by === "key") return hash(`k\u0001${valueText(row[identity.column])}`);
  return hash(`i\u0001${JSON.stringify(identity.columns.map((c) => valueText(row[c])))}`);
}

/**
 * The first candidate column whose values are all present and distinct in `rows`: a key that
 * names each row. Undefined when none is.
 */
export function keyColumn(rows: readonly Row[], candidates: readonly string[]): string | undefined {
  for (const column of candidates) {
    const seen = new Set<string>();
    let ok = true;
    for (const r of rows) {
      const v = r[column];
      if (v === null || v === undefined || (typeof v === "string" && v.trim() === "")) {
        ok = false;
        break;
      }
      const text = valueText(v);
      if (seen.has(text)) {
        ok = false;
        break;
      }
      seen.add(text);
    }
    if (ok && rows.length > 0) return column;
  }
  return undefined;
}

/** The record of a split: `train` and `test` index `rows`. */
export function trainingRows(identity: RowIdentity, rows: readonly Row[], train: readonly number[], test: readonly number[]): TrainingRows {
  return { identity, training: train.map((i) => rowHash(identity, rows[i]!)), heldOut: test.map((i) => rowHash(identity, rows[i]!)) };
}

/** The training-rows record of an artifact, when it has a well-formed one (models saved before it was kept have none). */
export function trainingRowsOf(artifact: unknown): TrainingRows | undefined {
  const t = (artifact as { trainingRows?: TrainingRows } | null)?.trainingRows;
  if (!t || typeof t !== "object" || !Array.isArray(t.training) || !Array.isArray(t.heldOut)) return undefined;
  const id = t.identity;
  if (id?.by === "key" && typeof id.column === "string") return t;
  if (id?.by === "inputs" && Array.isArray(id.columns)) return t;
  return undefined;
}

/** The columns a table needs for its rows to be recognised. */
export const identityColumns = (identity: RowIdentity): string[] => (identity.by === "key" ? [identity.column] : identity.columns);

/**
 * Tells a scored row's part. A row whose hash is among the training rows is "training" even when
 * an identical row was held out too (by input values, duplicates happen): the model saw those
 * exact inputs, so measuring on it would flatter the model.
 */
export class PartFinder {
  private readonly training: Set<string>;
  private readonly heldOut: Set<string>;

  constructor(readonly rows: TrainingRows) {
    this.training = new Set(rows.training);
    this.heldOut = new Set(rows.heldOut);
  }

  part(row: Row): number {
    const h = rowHash(this.rows.identity, row);
    if (this.training.has(h)) return TRAINING;
    if (this.heldOut.has(h)) return HELD_OUT;
    return NEW;
  }
}
