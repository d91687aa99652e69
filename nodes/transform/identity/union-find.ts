// Connected components over matched pairs: union-find with path halving and union by size.
// Only records that appear in a pair take memory; the rest are their own singletons.

export class UnionFind {
  private readonly parent = new Map<number, number>();
  private readonly size = new Map<number, number>();
  /** The smallest member of each root's component. */
  private readonly least = new Map<number, number>();

  find(x: number): number {
    if (!this.parent.has(x)) {
      this.parent.set(x, x);
      this.size.set(x, 1);
      this.least.set(x, x);
      return x;
    }
    let p = this.parent.get(x)!;
    while (p !== x) {
      const gp = this.parent.get(p)!;
      this.parent.set(x, gp);
      x = p;
      p = this.parent.get(x)!;
    }
    return x;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size.get(ra)! < this.size.get(rb)!) [ra, rb] = [rb, ra];
    this.parent.set(rb, ra);
    this.size.set(ra, this.size.get(ra)! + this.size.get(rb)!);
    this.least.set(ra, Math.min(this.least.get(ra)!, this.least.get(rb)!));
  }

  /** A stable label for x's component: its smallest member. */
  label(x: number): number {
    if (!this.parent.has(x)) return x;
    return this.least.get(this.find(x))!;
  }

  /** Components with two or more members, and the size of the largest. */
  stats(): { components: number; largest: number } {
    let components = 0;
    let largest = 0;
    for (const [x, p] of this.parent) {
      if (x !== p || this.size.get(x)! < 2) continue;
      components++;
      largest = Math.max(largest, this.size.get(x)!);
    }
    return { components, largest };
  }
}
