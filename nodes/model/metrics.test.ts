import { describe, expect, it } from "vitest";
import {
  accuracy,
  argmax,
  confusion,
  f1,
  inferPositiveLabel,
  logLoss,
  mulberry32,
  multiClassMetrics,
  precision,
  recall,
  resolvePositiveLabel,
  rocAuc,
  stratifiedFolds,
  shuffleSplit,
  stratifiedSplit,
  summarise,
} from "./metrics";

/** Reference AUC by counting every positive/negative pair (ties count half). */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] === 1) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

describe("rocAuc", () => {
  it("matches a hand-counted case", () => {
    // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats one, 0.8 beats both: 3 of 4 pairs.
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it("is 1 for a perfect ranking and 0 for an inverted one", () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });

  it("counts ties as half", () => {
    expect(rocAuc([1, 0], [0.5, 0.5])).toBe(0.5);
    // Pairs: 0.9>0.5, 0.9>0.1, 0.5=0.5 (half), 0.5>0.1: 3.5 of 4.
    expect(rocAuc([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1])).toBeCloseTo(0.875, 12);
    expect(rocAuc([1, 1, 0, 0, 0], [0.3, 0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it("agrees with pair counting on random data with many ties", () => {
    const random = mulberry32(3);
    const labels = Array.from({ length: 400 }, () => (random() < 0.3 ? 1 : 0));
    const scores = labels.map((l) => Math.round((random() + l * 0.4) * 10) / 10);
    const expected = pairwiseAuc(labels, scores);
    expect(expected).toBeGreaterThan(0.5);
    expect(rocAuc(labels, scores)).toBeCloseTo(expected, 10);
  });

  it("is NaN when a class is absent and refuses mismatched lengths", () => {
    expect(rocAuc([1, 1], [0.2, 0.4])).toBeNaN();
    expect(rocAuc([0, 0], [0.2, 0.4])).toBeNaN();
    expect(() => rocAuc([0, 1], [0.2])).toThrow(/2 labels but 1 scores/);
  });
});

describe("confusion and ratios", () => {
  it("counts a hand-made case, a score equal to the threshold counting as positive", () => {
    // predictions at 0.5: 1, 0, 1, 0, 1
    const c = confusion([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.5]);
    expect(c).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1 });
    expect(accuracy(c)).toBeCloseTo(3 / 5, 12);
    expect(precision(c)).toBeCloseTo(2 / 3, 12);
    expect(recall(c)).toBeCloseTo(2 / 3, 12);
    expect(f1(c)).toBeCloseTo(2 / 3, 12);
  });

  it("uses the given threshold and reports 0 for undefined ratios", () => {
    const c = confusion([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.5], 0.95);
    expect(c).toEqual({ tp: 0, fp: 0, tn: 2, fn: 3 });
    expect(precision(c)).toBe(0);
    expect(f1(c)).toBe(0);
    expect(recall(confusion([0, 0], [0.9, 0.1]))).toBe(0);
  });
});

describe("mulberry32", () => {
  it("repeats for a seed, differs across seeds and stays in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs.slice(0, 5));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});

describe("stratifiedSplit", () => {
  const labels = Array.from({ length: 100 }, (_, i) => (i % 10 < 3 ? 1 : 0)); // 30 ones, 70 zeros

  it("keeps each class's share in both parts and uses every row once", () => {
    const { train, test } = stratifiedSplit(labels, 0.2, 42);
    expect(test.filter((i) => labels[i] === 1)).toHaveLength(6);
    expect(test.filter((i) => labels[i] === 0)).toHaveLength(14);
    expect(train.filter((i) => labels[i] === 1)).toHaveLength(24);
    expect(train.filter((i) => labels[i] === 0)).toHaveLength(56);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(test).toEqual([...test].sort((a, b) => a - b));
  });

  it("is deterministic for a seed and differs across seeds", () => {
    expect(stratifiedSplit(labels, 0.2, 42)).toEqual(stratifiedSplit(labels, 0.2, 42));
    expect(stratifiedSplit(labels, 0.2, 7).test).not.toEqual(stratifiedSplit(labels, 0.2, 42).test);
  });

  it("works with text labels", () => {
    const text = ["Yes", "No", "No", "No", "Yes", "No", "No", "No", "No", "No"];
    const { train, test } = stratifiedSplit(text, 0.5, 1);
    expect(test.filter((i) => text[i] === "Yes")).toHaveLength(1);
    expect(test.filter((i) => text[i] === "No")).toHaveLength(4);
    expect(train).toHaveLength(5);
  });
});

describe("shuffleSplit", () => {
  it("holds out the rows scikit-learn's train_test_split picks without stratify", () => {
    // The train_test_split docstring: 5 rows, test_size=0.33, random_state=42 give test rows [1, 4], train [2, 0, 3].
    expect(shuffleSplit(5, 0.33, 42)).toEqual({ train: [0, 2, 3], test: [1, 4] });
    // NumPy's permutation(20) with seed 42 starts 0, 17, 15, 1, 8, 5, 11, 3, 18, 16 (fixtures/sklearn-splits.json).
    expect(shuffleSplit(20, 0.5, 42).test).toEqual([0, 1, 3, 5, 8, 11, 15, 16, 17, 18]);
    const { train, test } = shuffleSplit(101, 0.5, 7);
    expect(test).toHaveLength(51); // ceil(0.5 * 101)
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: 101 }, (_, i) => i));
  });
});

describe("positive label", () => {
  it("is inferred from yes/no style names only", () => {
    expect(inferPositiveLabel(["No", "Yes"])).toBe("Yes");
    expect(inferPositiveLabel(["true", "false"])).toBe("true");
    expect(inferPositiveLabel(["0", "1"])).toBe("1");
    expect(inferPositiveLabel(["y", "N"])).toBe("y");
    expect(inferPositiveLabel(["Female", "Male"])).toBeUndefined();
    expect(inferPositiveLabel(["Yes", "Maybe"])).toBeUndefined();
    expect(inferPositiveLabel(["Yes", "No", "Maybe"])).toBeUndefined();
  });

  it("accepts the user's choice in another case or in yes/no words for a boolean column", () => {
    expect(resolvePositiveLabel(["Female", "Male"], "Female")).toBe("Female");
    expect(resolvePositiveLabel(["Female", "Male"], "male")).toBe("Male");
    expect(resolvePositiveLabel(["false", "true"], "Yes")).toBe("true");
    expect(resolvePositiveLabel(["false", "true"], "No")).toBe("false");
    expect(resolvePositiveLabel(["Female", "Male"], "Yes")).toBeUndefined();
    expect(resolvePositiveLabel(["Female", "Male"])).toBeUndefined();
  });
});

describe("multi-class figures", () => {
  it("match a hand-counted case", () => {
    // actual:    a a a b b c
    // predicted: a a b b c c
    const m = multiClassMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ["a", "b", "c"]);
    expect(m.confusion).toEqual({ labels: ["a", "b", "c"], matrix: [[2, 1, 0], [0, 1, 1], [0, 0, 1]] });
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    // F1: a = 2*2/(2+3) = 0.8; b = 2*1/(2+2) = 0.5; c = 2*1/(2+1) = 2/3.
    expect(m.perClass.map((c) => c.f1)).toEqual([0.8, 0.5, 2 / 3].map((v) => expect.closeTo(v, 12)));
    expect(m.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
    expect(m.perClass[0]).toMatchObject({ label: "a", precision: 1, support: 3 });
    expect(m.perClass[0]!.recall).toBeCloseTo(2 / 3, 12);
    expect(m.majorityRate).toBeCloseTo(0.5, 12);
  });

  it("count a class never predicted as F1 0 and refuse out-of-range indices", () => {
    const m = multiClassMetrics([0, 1, 2], [0, 0, 0], ["a", "b", "c"]);
    expect(m.perClass.map((c) => c.f1)).toEqual([0.5, 0, 0]);
    expect(() => multiClassMetrics([0, 3], [0, 0], ["a", "b", "c"])).toThrow(/out of range/);
  });

  it("argmax takes the first of ties; log loss and summaries", () => {
    expect(argmax([0.2, 0.5, 0.5, 0.1])).toBe(1);
    expect(logLoss([1, 1])).toBeCloseTo(0, 12);
    expect(logLoss([0.5, 0.25])).toBeCloseTo((Math.log(2) + Math.log(4)) / 2, 12);
    expect(Number.isFinite(logLoss([0]))).toBe(true);
    expect(summarise([1, 2, 3, 4])).toEqual({ mean: 2.5, std: expect.closeTo(Math.sqrt(5 / 3), 12), values: [1, 2, 3, 4] });
    expect(summarise([7])).toEqual({ mean: 7, std: 0, values: [7] });
  });
});

describe("stratifiedFolds", () => {
  const labels = Array.from({ length: 103 }, (_, i) => (i % 10 < 3 ? "yes" : "no")); // 31 yes, 72 no

  it("uses every row once and deals each class evenly across the folds", () => {
    const folds = stratifiedFolds(labels, 5, 42);
    expect(folds).toHaveLength(5);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    for (const f of folds) {
      expect(f).toEqual([...f].sort((a, b) => a - b));
      const yes = f.filter((i) => labels[i] === "yes").length;
      expect(yes === 6 || yes === 7).toBe(true);
      expect(f.length === 20 || f.length === 21).toBe(true);
    }
  });

  it("is deterministic for a seed and differs across seeds", () => {
    expect(stratifiedFolds(labels, 3, 1)).toEqual(stratifiedFolds(labels, 3, 1));
    expect(stratifiedFolds(labels, 3, 2)).not.toEqual(stratifiedFolds(labels, 3, 1));
    expect(() => stratifiedFolds(labels, 1, 1)).toThrow(/at least 2/);
  });
});
