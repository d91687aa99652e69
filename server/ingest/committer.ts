// Group commit with admission control. Requests hand their events to the committer and wait; it
// commits whatever has queued up in one transaction (one fsync for many requests), answers them
// all, and starts on the next lot. Past `maxPending` waiting events a request is turned away at
// once (429 with Retry-After) rather than queued without end: a sender retries later, no event
// is dropped after it was accepted.
import { events, type Store } from "../../db/store";
import type { CommitGroup } from "../../db/store/events";

interface Job {
  group: CommitGroup;
  size: number;
  resolve(result: { stored: number; duplicates: number }): void;
  reject(err: unknown): void;
}

export interface CommitterOptions {
  /** Events waiting for a commit before new requests are refused. */
  maxPending: number;
  /** Events in one transaction at most. */
  maxPerCommit: number;
  /**
   * Under load (a commit ended less than BUSY_MS ago), how long a lot waits for more requests
   * before it is committed: without it every request of a steady stream was a transaction of its
   * own, each taking the database's write lock that the workers need too. An idle server commits at once.
   */
  gatherMs?: number;
}

/** A commit this recent means requests are streaming in. */
const BUSY_MS = 50;

export class Committer {
  private queue: Job[] = [];
  private running = false;
  private pending = 0;
  private lastCommit = 0;
  /** Transactions committed and events in them, for the process's log line. */
  readonly stats = { commits: 0, events: 0 };

  constructor(
    private readonly store: Store,
    private readonly opts: CommitterOptions,
  ) {}

  /** Whether `size` more events may wait (a request larger than the whole limit is let in when nothing waits). */
  admits(size: number): boolean {
    return this.pending === 0 || this.pending + size <= this.opts.maxPending;
  }

  get waiting(): number {
    return this.pending;
  }

  submit(group: CommitGroup): Promise<{ stored: number; duplicates: number }> {
    const size = group.events.length + (group.failed?.length ?? 0);
    this.pending += size;
    return new Promise((resolve, reject) => {
      this.queue.push({ group, size, resolve, reject });
      void this.drain();
    });
  }

  /** Resolves once every submitted event is committed (or failed). */
  async idle(): Promise<void> {
    while (this.running || this.queue.length) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const gather = this.opts.gatherMs ?? 0;
      if (gather > 0 && performance.now() - this.lastCommit < BUSY_MS) await new Promise((r) => setTimeout(r, gather));
      while (this.queue.length) {
        const lot: Job[] = [];
        let size = 0;
        while (this.queue.length && (lot.length === 0 || size + this.queue[0]!.size <= this.opts.maxPerCommit)) {
          const job = this.queue.shift()!;
          lot.push(job);
          size += job.size;
        }
        try {
          const results = await events.commit(
            this.store,
            lot.map((j) => j.group),
          );
          this.stats.commits++;
          this.stats.events += size;
          lot.forEach((j, i) => j.resolve(results[i]!));
        } catch (err) {
          for (const j of lot) j.reject(err);
        } finally {
          this.pending -= size;
          this.lastCommit = performance.now();
        }
      }
    } finally {
      this.running = false;
    }
  }
}
