// Per-key limits over a sliding window, in this process's memory: `limit` hits within `windowMs`,
// then refused until the oldest hit leaves the window. Keys are user ids or e-mail addresses.
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly opts: { limit: number; windowMs: number; now?: () => number }) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private recent(key: string): number[] {
    const since = this.now() - this.opts.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  blockedFor(key: string): number {
    const list = this.recent(key);
    return list.length < this.opts.limit ? 0 : list[0]! + this.opts.windowMs - this.now();
  }

  hit(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.hits.set(key, list);
  }

  /** Counts a hit, or says how long to wait (without counting) when over the limit. */
  take(key: string): number {
    const wait = this.blockedFor(key);
    if (wait === 0) this.hit(key);
    return wait;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }
}
