import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { datasetFile } from "../../tests/harness";
import { stratifiedSplit } from "./metrics";
import { RandomState } from "./numpy-random";

// Expected values come from NumPy and scikit-learn themselves: fixtures/sklearn-splits.py wrote them.
interface Fixture {
  randomSample42: number[];
  permutation42: number[];
  permutation1000MaxSeedFirst10: number[];
  small: { labels: (string | number)[]; testFraction: number; seed: number; test: number[] }[];
  telcoChurnTest42: number[];
  telcoContractTest7: number[];
}
const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "sklearn-splits.json"), "utf8")) as Fixture;

describe("RandomState (NumPy's legacy Mersenne Twister)", () => {
  it("draws NumPy's random_sample and permutation sequences for a seed", () => {
    const rs = new RandomState(42);
    expect(Array.from({ length: 5 }, () => rs.randomSample())).toEqual(fixture.randomSample42);
    expect(new RandomState(42).permutation(20)).toEqual(fixture.permutation42);
    expect(new RandomState(2 ** 32 - 1).permutation(1000).slice(0, 10)).toEqual(fixture.permutation1000MaxSeedFirst10);
  });

  it("refuses seeds NumPy refuses", () => {
    for (const seed of [-1, 2 ** 32, 1.5]) expect(() => new RandomState(seed)).toThrow(/must be an integer in \[0, 2\^32\)/);
  });
});

describe("stratifiedSplit matches scikit-learn's train_test_split(stratify=y)", () => {
  it.each(fixture.small.map((c) => [JSON.stringify(c.labels), c] as const))("labels %s", (_, c) => {
    const { train, test } = stratifiedSplit(c.labels, c.testFraction, c.seed);
    expect(test).toEqual(c.test);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(c.labels.map((_, i) => i));
  });

  it("on Telco: Churn with seed 42 and the three-valued Contract with seed 7", () => {
    const [header, ...lines] = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/);
    const column = (name: string) => {
      const at = header!.split(",").indexOf(name);
      return lines.map((l) => l.split(",")[at]!);
    };
    // The node numbers classes in sorted order (negative first for a binary target), as np.unique does.
    const churn = column("Churn").map((v) => (v === "Yes" ? 1 : 0));
    const split = stratifiedSplit(churn, 0.2, 42);
    expect(split.test).toHaveLength(1409); // ceil(0.2 * 7043), as scikit-learn rounds
    expect(split.test).toEqual(fixture.telcoChurnTest42);
    expect(stratifiedSplit(column("Contract"), 0.2, 7).test).toEqual(fixture.telcoContractTest7);
  });
});
