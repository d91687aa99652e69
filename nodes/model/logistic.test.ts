import { describe, expect, it } from "vitest";
import { fitLogistic, predictLogistic, type LogisticIteration } from "./logistic";
import { mulberry32 } from "./metrics";

const logit = (p: number) => Math.log(p / (1 - p));
const p1 = (m: Awaited<ReturnType<typeof fitLogistic>>, x: number[]) => predictLogistic(m, x, new Float64Array(m.classes))[1]!;

/** Reference: Newton's method on the same objective (mean log loss + l2/2 |w|^2), dense and direct. */
function newton(X: number[][], y: number[], l2: number): { w: number[]; b: number } {
  const n = X.length;
  const d = X[0]!.length;
  const beta = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(d + 1).fill(0);
    const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < n; i++) {
      const x = [...X[i]!, 1];
      const z = x.reduce((s, v, k) => s + v * beta[k]!, 0);
      const p = 1 / (1 + Math.exp(-z));
      for (let a = 0; a <= d; a++) {
        g[a]! += ((p - y[i]!) * x[a]!) / n;
        for (let b = 0; b <= d; b++) H[a]![b]! += (p * (1 - p) * x[a]! * x[b]!) / n;
      }
    }
    for (let a = 0; a < d; a++) {
      g[a]! += l2 * beta[a]!;
      H[a]![a]! += l2;
    }
    // Solve H s = g by Gaussian elimination.
    const A = H.map((row, a) => [...row, g[a]!]);
    for (let c = 0; c <= d; c++) {
      for (let r = c + 1; r <= d; r++) {
        const f = A[r]![c]! / A[c]![c]!;
        for (let k = c; k <= d + 1; k++) A[r]![k]! -= f * A[c]![k]!;
      }
    }
    const s = new Array<number>(d + 1).fill(0);
    for (let r = d; r >= 0; r--) {
      let v = A[r]![d + 1]!;
      for (let k = r + 1; k <= d; k++) v -= A[r]![k]! * s[k]!;
      s[r] = v / A[r]![r]!;
    }
    for (let a = 0; a <= d; a++) beta[a]! -= s[a]!;
  }
  return { w: beta.slice(0, d), b: beta[d]! };
}

describe("two classes", () => {
  it("fit the intercept alone to the log odds of the positive share", async () => {
    const m = await fitLogistic([[], [], [], []], [1, 0, 0, 0], 2, { l2: 0, tolerance: 1e-10 });
    expect(m.link).toBe("sigmoid");
    expect(m.bias[0]).toBeCloseTo(Math.log(1 / 3), 6);
    expect(p1(m, [])).toBeCloseTo(0.25, 6);
  });

  it("fit one 0/1 input exactly to the observed rates without a penalty", async () => {
    // x = 0: 1 positive of 4; x = 1: 3 positives of 4.
    const X = [[0], [0], [0], [0], [1], [1], [1], [1]];
    const y = [1, 0, 0, 0, 1, 1, 1, 0];
    const m = await fitLogistic(X, y, 2, { l2: 0, tolerance: 1e-10 });
    expect(m.converged).toBe(true);
    expect(m.bias[0]).toBeCloseTo(logit(0.25), 6);
    expect(m.weights[0]![0]).toBeCloseTo(logit(0.75) - logit(0.25), 6);
    expect(p1(m, [1])).toBeCloseTo(0.75, 6);
  });

  it("agrees with Newton's method on random data, with and without a penalty", async () => {
    const random = mulberry32(11);
    const X = Array.from({ length: 300 }, () => [random() * 2 - 1, random() * 2 - 1, random() < 0.3 ? 1 : 0]);
    const y = X.map(([a, b, c]) => (random() < 1 / (1 + Math.exp(-(1.5 * a! - 2 * b! + c! - 0.3))) ? 1 : 0));
    for (const l2 of [0, 0.05]) {
      const m = await fitLogistic(X, y, 2, { l2, tolerance: 1e-9 });
      const ref = newton(X, y, l2);
      expect(m.converged).toBe(true);
      for (let k = 0; k < 3; k++) expect(m.weights[0]![k]).toBeCloseTo(ref.w[k]!, 5);
      expect(m.bias[0]).toBeCloseTo(ref.b, 5);
    }
  });

  it("shrink the weights as the penalty grows, never the intercept's own job", async () => {
    const X = [[-2], [-1], [-0.5], [0.5], [1], [2], [0.2], [-0.2]];
    const y = [0, 0, 1, 0, 1, 1, 1, 0];
    const norms: number[] = [];
    for (const l2 of [0, 0.1, 1, 10]) norms.push(Math.abs((await fitLogistic(X, y, 2, { l2 })).weights[0]![0]!));
    for (let i = 1; i < norms.length; i++) expect(norms[i]!).toBeLessThan(norms[i - 1]!);
    // A huge penalty leaves the intercept: the overall positive rate.
    const flat = await fitLogistic(X, y, 2, { l2: 1e6 });
    expect(p1(flat, [2])).toBeCloseTo(0.5, 3);
  });

  it("are deterministic", async () => {
    const random = mulberry32(5);
    const X = Array.from({ length: 200 }, () => Float32Array.of(random(), random(), random()));
    const y = X.map((x) => (x[0]! + random() > 1 ? 1 : 0));
    const a = await fitLogistic(X, y, 2);
    const b = await fitLogistic(X, y, 2);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe("three or more classes", () => {
  it("fit one categorical input to the class shares of each category (softmax, no penalty)", async () => {
    // Category A: classes 0,0,1,2 -> 1/2, 1/4, 1/4. Category B: 1,1,1,2,0 -> 1/5, 3/5, 1/5.
    const A = [1, 0];
    const B = [0, 1];
    const X = [A, A, A, A, B, B, B, B, B];
    const y = [0, 0, 1, 2, 1, 1, 1, 2, 0];
    const m = await fitLogistic(X, y, 3, { l2: 0, tolerance: 1e-10 });
    expect(m.link).toBe("softmax");
    expect(m.weights).toHaveLength(3);
    const pa = predictLogistic(m, A, new Float64Array(3));
    const pb = predictLogistic(m, B, new Float64Array(3));
    [0.5, 0.25, 0.25].forEach((p, c) => expect(pa[c]).toBeCloseTo(p, 5));
    [0.2, 0.6, 0.2].forEach((p, c) => expect(pb[c]).toBeCloseTo(p, 5));
    expect(pb.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it("separate three clusters", async () => {
    const random = mulberry32(3);
    const centres = [[0, 0], [3, 0], [0, 3]];
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 300; i++) {
      const c = i % 3;
      X.push([centres[c]![0]! + random() - 0.5, centres[c]![1]! + random() - 0.5]);
      y.push(c);
    }
    const m = await fitLogistic(X, y, 3, { l2: 1e-3 });
    const out = new Float64Array(3);
    const correct = X.filter((x, i) => {
      const p = predictLogistic(m, x, out);
      return p.indexOf(Math.max(...p)) === y[i];
    }).length;
    expect(correct).toBe(300);
  });
});

describe("training", () => {
  it("reports each iteration, awaits the callback, and stops when it throws", async () => {
    const random = mulberry32(9);
    const X = Array.from({ length: 100 }, () => [random(), random()]);
    const y = X.map((x) => (x[0]! + 0.3 * random() > 0.6 ? 1 : 0));
    const seen: LogisticIteration[] = [];
    await fitLogistic(X, y, 2, {}, async (it) => {
      seen.push(it);
      await new Promise((r) => setImmediate(r));
    });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.map((s) => s.iteration)).toEqual(seen.map((_, i) => i + 1));
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.loss).toBeLessThanOrEqual(seen[i - 1]!.loss);

    let calls = 0;
    const stop = fitLogistic(X, y, 2, {}, () => {
      if (++calls === 2) throw new Error("stopped");
    });
    await expect(stop).rejects.toThrow("stopped");
    expect(calls).toBe(2);
  });

  it("refuses bad input", async () => {
    await expect(fitLogistic([], [], 2)).rejects.toThrow(/no rows/);
    await expect(fitLogistic([[1], [2, 3]], [0, 1], 2)).rejects.toThrow(/row 1 has 2 values/);
    await expect(fitLogistic([[1], [2]], [0, 2], 2)).rejects.toThrow(/label 2/);
    await expect(fitLogistic([[1]], [0], 1)).rejects.toThrow(/need at least 2/);
    const m = await fitLogistic([[1], [0]], [1, 0], 2);
    expect(() => predictLogistic(m, [1, 2], new Float64Array(2))).toThrow(/2 inputs, the model has 1/);
  });
});
