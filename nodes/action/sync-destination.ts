// The contract between action.sync and a destination (sync-sql.ts, sync-http.ts): the rows and
// removals it is given, what it reports back, and the halving of a refused batch until the refused
// rows are alone, so the others still land.
import type { Column, NodeContext } from "../sdk";

/** What a write does to a record: insert only new ones, update only existing ones, or both. */
export type WriteOp = "insert" | "update" | "upsert";

/** One row to send: its record key, the key's values, the mapped values, and their hash. */
export interface SyncRow {
  key: string;
  keyValues: unknown[];
  values: unknown[];
  hash: string;
  change: "added" | "changed";
}

/** A record to remove (mirror mode): its key and the key's values, as far as the state knows them. */
export interface SyncRemoval {
  key: string;
  keyValues: unknown[];
}

/**
 * What a destination made of a batch it accepted. Row indexes into the batch. `skipped`: rows the
 * mode did not write (insert: a record with the key is there already; update: none is).
 * `rejected`: rows refused one by one (a destination that writes row by row reports them here
 * instead of refusing the batch).
 */
export interface BatchOutcome {
  skipped?: Map<number, string>;
  rejected?: Map<number, string>;
}

/** Thrown by a destination when a batch is refused because of (some of) its rows, with the reason. */
export class RowsRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "RowsRefused";
  }
}

/** A destination: where a sync writes. `fields[i]` receives `values[i]` of every row. */
export interface Destination {
  /** Shown in messages and metrics: e.g. `PostgreSQL table telco (connection "crm")`. */
  label: string;
  /** Rows per write when the node's config gives none, and the most one write takes. */
  defaultBatch: number;
  maxBatch: number;
  /**
   * The DuckDB expression a column is read with: the value this destination wants, as JSON can
   * hold it (text, a number, a boolean, null). `c` is the quoted column.
   */
  select(col: Column, c: string): string;
  /** The values of a row back from JSON, when the destination needs other types (bytes). */
  decode?(values: unknown[]): unknown[];
  /** Before any write: check (or create) the target; may refuse the configuration. */
  open(op: WriteOp, cols: Column[]): Promise<void>;
  /** Write one batch. RowsRefused: the batch was not written because of its data; anything else stops the sync. */
  write(op: WriteOp, rows: readonly SyncRow[]): Promise<BatchOutcome>;
  /** Remove records. RowsRefused as for write(); records already gone count as removed. */
  remove(records: readonly SyncRemoval[]): Promise<BatchOutcome>;
  /** Statements or requests sent so far. */
  calls(): number;
  close(): Promise<void>;
}

/** Where each row of a write ended: landed, skipped by the mode, or rejected with the reason. */
export interface RowsWritten {
  landed: SyncRow[];
  skipped: [SyncRow, string][];
  rejected: [SyncRow, string][];
}

/**
 * Sends a batch; when the destination refuses it for its data, halves it until every refused item is
 * alone, so the others still land. `settle` gets each batch that went through with its outcome.
 */
async function resolving<T>(ctx: NodeContext, items: T[], send: (batch: T[]) => Promise<BatchOutcome>, reject: (item: T, reason: string) => void, settle: (batch: T[], outcome: BatchOutcome) => void): Promise<void> {
  ctx.signal.throwIfAborted();
  let outcome: BatchOutcome;
  try {
    outcome = await send(items);
  } catch (err) {
    if (!(err instanceof RowsRefused)) throw err;
    if (items.length === 1) return reject(items[0]!, err.reason);
    const half = Math.ceil(items.length / 2);
    await resolving(ctx, items.slice(0, half), send, reject, settle);
    await resolving(ctx, items.slice(half), send, reject, settle);
    return;
  }
  settle(items, outcome);
}

/** Writes a batch, halving a refused one until every refused row is alone: the others land. */
export async function writeResolving(ctx: NodeContext, dest: Destination, op: WriteOp, rows: SyncRow[], out: RowsWritten): Promise<void> {
  await resolving(
    ctx,
    rows,
    (batch) => dest.write(op, batch),
    (row, reason) => out.rejected.push([row, reason]),
    (batch, outcome) =>
      batch.forEach((row, i) => {
        const refused = outcome.rejected?.get(i);
        const skipped = outcome.skipped?.get(i);
        if (refused !== undefined) out.rejected.push([row, refused]);
        else if (skipped !== undefined) out.skipped.push([row, skipped]);
        else out.landed.push(row);
      }),
  );
}

/** Removes records, halving a refused batch the same way; a record whose key cannot be read back is rejected. */
export async function removeResolving(ctx: NodeContext, dest: Destination, records: SyncRemoval[], out: { removed: SyncRemoval[]; rejected: [SyncRemoval, string][] }): Promise<void> {
  ctx.signal.throwIfAborted();
  for (const r of records) if (!r.keyValues.length) out.rejected.push([r, "the record key was made with other key columns"]);
  const usable = records.filter((r) => r.keyValues.length);
  if (!usable.length) return;
  await resolving(
    ctx,
    usable,
    (batch) => dest.remove(batch),
    (r, reason) => out.rejected.push([r, reason]),
    (batch, outcome) =>
      batch.forEach((r, i) => {
        const refused = outcome.rejected?.get(i);
        if (refused !== undefined) out.rejected.push([r, refused]);
        else out.removed.push(r);
      }),
  );
}
