// The destination-independent part of action.sync: record keys and row hashes, the comparison with
// the state of the last sync, batching, the decision ledger and the report. The destination
// contract and the halving of a refused batch are in sync-destination.ts; a destination
// (sync-sql.ts, sync-http.ts) only knows how to write a batch and how to remove records.
import { ConfigError, DataError, type Column, type DatasetRef, type LedgerEntry, type NodeContext } from "../sdk";
import { removeResolving, writeResolving, type Destination, type RowsWritten, type SyncRemoval, type SyncRow, type WriteOp } from "./sync-destination";

// sync-sql.ts and sync-http.ts import the contract from here.
export { RowsRefused, type BatchOutcome, type Destination, type SyncRemoval, type SyncRow, type WriteOp } from "./sync-destination";

export type SyncMode = "insert" | "update" | "upsert" | "mirror";

export interface SyncPlan {
  /** The id the state is kept under. */
  destinationId: string;
  mode: SyncMode;
  /** Input columns to send, in order, and the destination field each goes to. */
  columns: Column[];
  fields: string[];
  /** Key columns (input names), in order; each is among `columns`. */
  keys: string[];
  batchSize: number;
  /** Mirror: the most records one sync may remove, as a percentage of those it synced before. */
  maxRemovePercent: number;
  /** Record every row sent in the decision ledger (rejections, skips and removals always are). */
  recordSent: boolean;
}

/** How many rejections the report lists (with their reasons); the ledger has them all. */
export const REPORT_REJECTIONS = 20;
/** A destination that has refused this many rows and accepted none is taken as misconfigured. */
export const REFUSE_ALL_AFTER = 50;

/** The key's values back from a record key (a single key comes back as text). */
export function keyValuesOf(key: string, width: number): unknown[] {
  if (width === 1) return [key];
  try {
    const parsed: unknown = JSON.parse(key);
    if (Array.isArray(parsed) && parsed.length === width) return parsed;
  } catch {
    // not a key this configuration made
  }
  return [];
}

export interface SyncReport {
  destination: string;
  mode: SyncMode;
  rows: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  rejected: number;
  /** Rows the mode did not write: insert mode and a record already there (or a changed row), update mode and no record. */
  skipped: number;
  /** Statements or requests sent. */
  calls: number;
  seconds: number;
  /** Rows landed or removed per second of the whole sync (reading, comparing, state and ledger included). */
  rowsPerSecond: number;
  /** Of `seconds`, the time spent waiting for the destination (writes and removals). */
  writeSeconds: number;
  rejections: { key: string | null; reason: string }[];
  skips: { key: string; reason: string }[];
}

/**
 * Runs one sync: reads the dataset in batches, compares every row with the state of the last sync,
 * sends the added and changed ones, halves a refused batch until the refused rows are found (the
 * rest land), saves the state after every batch that landed, records every outcome in the
 * decision ledger, and in mirror mode removes the records the last syncs sent that have left the
 * dataset.
 */
export async function runSync(ctx: NodeContext, input: DatasetRef, plan: SyncPlan, dest: Destination): Promise<SyncReport> {
  const started = performance.now();
  const { mode, keys, columns, fields, destinationId } = plan;
  const op: WriteOp = mode === "mirror" ? "upsert" : mode;
  const keyAt = keys.map((k) => columns.findIndex((c) => c.name === k));
  // The field names are hashed with the values: a changed mapping sends every row again.
  const fieldsJson = JSON.stringify(fields);

  const report: SyncReport = {
    destination: destinationId,
    mode,
    rows: input.rows,
    added: 0,
    changed: 0,
    removed: 0,
    unchanged: 0,
    rejected: 0,
    skipped: 0,
    calls: 0,
    seconds: 0,
    rowsPerSecond: 0,
    writeSeconds: 0,
    rejections: [],
    skips: [],
  };
  let landedTotal = 0;
  const reject = (key: string | null, reason: string) => {
    report.rejected++;
    if (report.rejections.length < REPORT_REJECTIONS) report.rejections.push({ key, reason });
  };
  const skip = (key: string, reason: string) => {
    report.skipped++;
    if (report.skips.length < REPORT_REJECTIONS) report.skips.push({ key, reason });
  };
  const refusesAll = () => {
    if (landedTotal === 0 && report.rejected >= REFUSE_ALL_AFTER) {
      const first = report.rejections.find((r) => r.key !== null) ?? report.rejections[0];
      throw new ConfigError(`Sync: ${dest.label} refused each of the first ${report.rejected} rows and accepted none, so the sync stopped; the first reason: ${first?.reason}`, {
        field: "connection",
      });
    }
  };

  await dest.open(op, columns);
  const state = await ctx.syncState.load(destinationId);
  const seen = new Set<string>();


  /** The store's bookkeeping of the last batch (state, ledger): runs while the next batch is read and written. */
  let bookkeeping: Promise<void> = Promise.resolve();
  let writeMs = 0;
  const keep = async (out: RowsWritten) => {
    // The state first: a record that landed is never sent again for nothing, even if the ledger write fails.
    if (out.landed.length) await ctx.syncState.save(destinationId, out.landed.map((r) => ({ key: r.key, hash: r.hash })), []);
    await recordLedger(ctx, [
      ...(plan.recordSent ? out.landed : []).map((r): LedgerEntry => ({ customer: r.key, channel: "sync", status: "sent", content: { destination: destinationId, op, change: r.change, hash: r.hash } })),
      ...out.skipped.map(([r, reason]): LedgerEntry => ({ customer: r.key, channel: "sync", status: "suppressed", reason, content: { destination: destinationId, op, hash: r.hash } })),
      ...out.rejected.map(([r, reason]): LedgerEntry => ({ customer: r.key, channel: "sync", status: "failed", reason, content: { destination: destinationId, op, hash: r.hash } })),
    ]);
  };
  const flush = async (rows: SyncRow[]) => {
    if (!rows.length) return;
    const out: RowsWritten = { landed: [], skipped: [], rejected: [] };
    const t0 = performance.now();
    await writeResolving(ctx, dest, op, rows, out);
    writeMs += performance.now() - t0;
    for (const r of out.landed) report[r.change]++;
    landedTotal += out.landed.length;
    for (const [r, reason] of out.skipped) skip(r.key, reason);
    for (const [r, reason] of out.rejected) reject(r.key, reason);
    // At most one batch's bookkeeping in flight; its failure stops the sync at the next batch.
    await bookkeeping;
    bookkeeping = keep(out);
    bookkeeping.catch(() => {}); // awaited later; not an unhandled rejection meanwhile
    refusesAll();
  };

  /**
   * Reads every row, compares it with the state, and sends the added and changed ones in batches.
   * DuckDB does the per-row work: each row comes as its key, its values as one JSON array (in the
   * destination's types) and the SHA-256 of the field names and that array, so an unchanged row
   * costs a map lookup and is never parsed.
   */
  const sendChanges = async () => {
    const { ident, literal } = ctx.datasets;
    const c = (i: number) => `c${i}`;
    const shaped = columns.map((col, i) => `${dest.select(col, ident(col.name))} AS ${c(i)}`).join(", ");
    const keyText = keyAt.map((i, j) => `CAST(${c(i)} AS VARCHAR) AS k${j}`).join(", ");
    const recordKeySql = keyAt.length === 1 ? `CAST(${c(keyAt[0]!)} AS VARCHAR)` : `CAST(json_array(${keyAt.map(c).join(", ")}) AS VARCHAR)`;
    const sql = `SELECT *, sha256(${literal(fieldsJson)} || v) AS h FROM (
      SELECT ${keyText}, ${recordKeySql} AS k, CAST(json_array(${columns.map((_, i) => c(i)).join(", ")}) AS VARCHAR) AS v
      FROM (SELECT ${shaped} FROM ${ctx.datasets.from(input)}))`;
    let pending: SyncRow[] = [];
    let read = 0;
    for await (const batch of ctx.datasets.batches<Record<string, string | null>>(sql, plan.batchSize)) {
      ctx.signal.throwIfAborted();
      for (const row of batch) {
        const emptyAt = keys.findIndex((_, j) => {
          const v = row[`k${j}`];
          return v === null || v === undefined || v.trim() === "";
        });
        if (emptyAt >= 0) {
          reject(null, `the key column "${keys[emptyAt]}" is empty`);
          continue;
        }
        const key = row.k!;
        if (seen.has(key)) {
          reject(key, `another row earlier in the dataset has the same key (${keys.join(", ")}); only the first is sent`);
          continue;
        }
        seen.add(key);
        const hash = row.h!;
        const before = state.get(key);
        if (before === hash) {
          report.unchanged++;
          continue;
        }
        if (before !== undefined && mode === "insert") {
          skip(key, "changed since the last sync, but insert mode never changes a record it sent");
          continue;
        }
        let values: unknown[];
        try {
          values = JSON.parse(row.v!) as unknown[];
        } catch {
          reject(key, "a value cannot be sent (a number that is not finite?)");
          continue;
        }
        if (dest.decode) values = dest.decode(values);
        pending.push({ key, keyValues: keyAt.map((i) => values[i]), values, hash, change: before === undefined ? "added" : "changed" });
        if (pending.length >= plan.batchSize) {
          await flush(pending);
          pending = [];
        }
      }
      read += batch.length;
      ctx.progress(input.rows ? read / input.rows : null, `${read} of ${input.rows} rows compared, ${report.added + report.changed} sent`);
    }
    await flush(pending);
  };
  try {
    await sendChanges();
  } finally {
    // Whatever happened, the state of the batches that landed is saved before the node ends.
    await bookkeeping.catch(() => {});
  }
  await bookkeeping;

  if (mode === "mirror") {
    const gone = [...state.keys()].filter((k) => !seen.has(k));
    const limit = Math.floor((state.size * plan.maxRemovePercent) / 100);
    if (gone.length > limit) {
      throw new DataError(
        `Sync: ${gone.length} of the ${state.size} records sent before have left the dataset, more than the ${plan.maxRemovePercent}% one sync may remove; nothing was removed (the other rows were synced). Raise "most to remove" if this is intended`,
        { where: "maxRemovePercent" },
      );
    }
    for (let i = 0; i < gone.length; i += plan.batchSize) {
      const records = gone.slice(i, i + plan.batchSize).map((key) => ({ key, keyValues: keyValuesOf(key, keys.length) }));
      const out = { removed: [] as SyncRemoval[], rejected: [] as [SyncRemoval, string][] };
      const t0 = performance.now();
      await removeResolving(ctx, dest, records, out);
      writeMs += performance.now() - t0;
      if (out.removed.length) await ctx.syncState.save(destinationId, [], out.removed.map((r) => r.key));
      report.removed += out.removed.length;
      landedTotal += out.removed.length;
      for (const [r, reason] of out.rejected) reject(r.key, `not removed: ${reason}`);
      await recordLedger(ctx, [
        ...out.removed.map((r): LedgerEntry => ({ customer: r.key, channel: "sync", status: "sent", content: { destination: destinationId, op: "remove" } })),
        ...out.rejected.map(([r, reason]): LedgerEntry => ({ customer: r.key, channel: "sync", status: "failed", reason: `not removed: ${reason}`, content: { destination: destinationId, op: "remove" } })),
      ]);
      ctx.progress(null, `${report.removed} of ${gone.length} records removed`);
    }
  }

  report.calls = dest.calls();
  report.seconds = +((performance.now() - started) / 1000).toFixed(3);
  report.rowsPerSecond = report.seconds > 0 ? Math.round(landedTotal / report.seconds) : 0;
  report.writeSeconds = +(writeMs / 1000).toFixed(3);
  ctx.progress(1, `${report.added} added, ${report.changed} changed, ${report.removed} removed, ${report.unchanged} unchanged, ${report.rejected} rejected`);
  return report;
}

/** One ledger entry per record key (a key refused twice in one batch is recorded once). */
async function recordLedger(ctx: NodeContext, entries: LedgerEntry[]): Promise<void> {
  const byKey = new Map<string, LedgerEntry>();
  for (const e of entries) if (!byKey.has(e.customer)) byKey.set(e.customer, e);
  if (byKey.size) await ctx.ledger.record([...byKey.values()]);
}
