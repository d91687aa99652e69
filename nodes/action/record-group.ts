// Ledger rows of messages sent on several connections at once, written together. A connection waits
// for its row to be committed before it sends its next message, so a crash resends at most one
// message per connection; but a transaction per message was the most expensive part of sending
// (and, on SQLite, contended with the ingest process for the write lock). So the rows wait for
// each other: the group is written as soon as every busy connection has a row waiting, or after
// `maxWaitMs` at most.
import type { LedgerEntry } from "../sdk";

export class RecordGroup {
  private rows: LedgerEntry[] = [];
  private waiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (rows: readonly LedgerEntry[]) => Promise<void>,
    /** How many senders are busy now (those waiting here included). */
    private readonly busy: () => number,
    private readonly maxWaitMs = 5,
  ) {}

  /** Resolves once the row is committed. */
  add(row: LedgerEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.rows.push(row);
      this.waiters.push({ resolve, reject });
      if (this.rows.length >= this.busy()) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  /** Writes what waits now; a sender that stops being busy without a row calls this too. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.rows.length) return;
    const rows = this.rows;
    const waiters = this.waiters;
    this.rows = [];
    this.waiters = [];
    this.write(rows).then(
      () => waiters.forEach((w) => w.resolve()),
      (err: unknown) => waiters.forEach((w) => w.reject(err)),
    );
  }

  /** Writes whatever waits when every remaining busy sender is already waiting here. */
  settle(): void {
    if (this.rows.length && this.rows.length >= this.busy()) this.flush();
  }
}
