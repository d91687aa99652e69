import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import abTest, { type ArmComparison, type ArmResult, type UpliftPoint } from "./ab-test.node.ts";

interface AbMetrics {
  rows: number;
  analysedRows: number;
  skippedRows?: number;
  measure: "rate" | "mean";
  test: string;
  confidence: number;
  control: string;
  arms: ArmResult[];
  comparisons: ArmComparison[];
  uplift?: {
    scoreColumn: string;
    topPercents: number[];
    arms: { arm: string; control: boolean; scoredRows: number; top: { percent: number; rows: number; value: number | null }[] }[];
    comparisons: { arm: string; control: string; points: UpliftPoint[] }[];
  };
}

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, rows: DatasetRef) {
  const res = await h.run(abTest, config, { rows });
  expect(JSON.parse(JSON.stringify(res.metrics))).toEqual(res.metrics);
  const out = res.outputs.rows as DatasetRef;
  const table = await h.ctx("t").datasets.query<Record<string, unknown>>(`SELECT * FROM ${h.ctx("t").datasets.from(out)}`);
  return { m: res.metrics as unknown as AbMetrics, out, table };
}

describe("insight.ab-test", () => {
  it("compares rates: Wilson intervals per arm, Wald interval and pooled z-test for the difference", async () => {
    // Control: 10 of 100 convert; treatment: 20 of 100 (plus a row without an arm and one without an outcome).
    //   difference 0.1, se √(.2·.8/100 + .1·.9/100) = 0.05, interval 0.1 ± 1.959964·0.05;
    //   pooled rate 0.15: z = 0.1/√(.15·.85·2/100) = 1.980295, p = 0.0476704 (mpmath); relative lift 1.
    const rows = await h.ctx("t").datasets.create(
      `SELECT CASE WHEN i < 100 THEN 'A' ELSE 'B' END AS arm, (i % 100) < CASE WHEN i < 100 THEN 10 ELSE 20 END AS converted FROM range(200) r(i)
       UNION ALL SELECT NULL, true UNION ALL SELECT 'B', NULL`,
    );
    const { m, table } = await run({ treatmentColumn: "arm", outcomeColumn: "converted", controlValue: "a" }, rows);
    expect(m).toMatchObject({ rows: 202, analysedRows: 200, skippedRows: 2, measure: "rate", test: "two-proportion z", control: "A", confidence: 0.95 });
    expect(m.arms.map((a) => [a.arm, a.control, a.n, a.positives, a.value])).toEqual([
      ["A", true, 100, 10, 0.1],
      ["B", false, 100, 20, 0.2],
    ]);
    // Wilson for 10 of 100: 0.0552 to 0.1744 (textbook).
    expect(m.arms[0]!.ciLow).toBeCloseTo(0.05523, 5);
    expect(m.arms[0]!.ciHigh).toBeCloseTo(0.17437, 5);
    const [c] = m.comparisons;
    expect(c!.arm).toBe("B");
    expect(c!.difference).toBeCloseTo(0.1, 12);
    expect(c!.ciLow).toBeCloseTo(0.1 - 1.959963984540054 * 0.05, 12);
    expect(c!.ciHigh).toBeCloseTo(0.1 + 1.959963984540054 * 0.05, 12);
    expect(c!.statistic).toBeCloseTo(1.9802950859533488, 12);
    expect(c!.pValue).toBeCloseTo(0.04767038065616143, 12);
    expect(c!.relativeLift).toBeCloseTo(1, 12);
    expect(c!.significant).toBe(true);
    expect(c).not.toHaveProperty("df");

    expect(table.map((r) => [r.arm, r.role, Number(r.n)])).toEqual([
      ["A", "control", 100],
      ["B", "treatment", 100],
    ]);
    expect(table[0]).toMatchObject({ rate: 0.1, difference: null, p_value: null, significant: null });
    expect(table[1]!.difference).toBeCloseTo(0.1, 12);
    expect(table[1]!.p_value).toBeCloseTo(c!.pValue!, 15);
    expect(table[1]!.significant).toBe(true);

    // At 99 % the same difference is no longer significant.
    const strict = await run({ treatmentColumn: "arm", outcomeColumn: "converted", controlValue: "A", confidence: 0.99 }, rows);
    expect(strict.m.comparisons[0]!.significant).toBe(false);
    expect(strict.m.comparisons[0]!.ciLow!).toBeLessThan(0);
  });

  it("compares means with Welch's t-test", async () => {
    // Treatment 1..5, control 2, 4, .., 12: difference −4, df 6.97226, t −2.37635, p 0.0492843 (mpmath).
    const rows = await h.ctx("t").datasets.create(
      `SELECT 'new' AS arm, CAST(x AS DOUBLE) AS spend FROM range(1, 6) r(x) UNION ALL SELECT 'old', CAST(2 * x AS DOUBLE) FROM range(1, 7) r(x)`,
    );
    const { m, table } = await run({ treatmentColumn: "arm", outcomeColumn: "spend", controlValue: "old" }, rows);
    expect(m).toMatchObject({ measure: "mean", test: "Welch t", control: "old" });
    expect(m.arms.map((a) => [a.arm, a.n, a.value])).toEqual([
      ["old", 6, 7],
      ["new", 5, 3],
    ]);
    expect(m.arms[1]!.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    // 3 ± t(0.975, 4)·√2.5/√5 = 3 ± 2.776445·0.707107.
    expect(m.arms[1]!.ciLow).toBeCloseTo(3 - 2.7764451051977987 * Math.sqrt(0.5), 10);
    const c = m.comparisons[0]!;
    expect(c.difference).toBe(-4);
    expect(c.df).toBeCloseTo(6.9722557297949337, 10);
    expect(c.statistic).toBeCloseTo(-2.3763541031440183, 12);
    expect(c.pValue).toBeCloseTo(0.04928433820673052, 12);
    expect(c.relativeLift).toBeCloseTo(-4 / 7, 12);
    expect(table.map((r) => r.arm)).toEqual(["old", "new"]);
    expect(table[1]).toHaveProperty("mean", 3);
    expect(table[1]!.df).toBeCloseTo(c.df!, 12);
  });

  it("reports uplift among the top k % by score in each arm", async () => {
    // Scores 10 down to 1 in each arm. Control outcomes by rank: 1 0 0 1 0 0 0 0 0 0; treated: 1 1 1 0 0 1 0 0 0 0.
    // Top 5 % of 10 rounds down to 0, so one row; 20 % = 2, 25 % = 2, 30 % = 3, 50 % = 5 rows:
    //   control 1, 1/2, 1/2, 1/3, 2/5; treated 1, 1, 1, 1, 3/5; uplift 0, 1/2, 1/2, 2/3, 1/5.
    // A treated row without a score counts in the rate but not in the ranking.
    const ctl = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    const trt = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0];
    const values = [...ctl.map((v, i) => `('ctl', ${v}, ${10 - i})`), ...trt.map((v, i) => `('trt', ${v}, ${10 - i})`), `('trt', 1, NULL)`];
    const rows = await h.ctx("t").datasets.create(`SELECT * FROM (VALUES ${values.join(", ")}) v(arm, y, score) ORDER BY hash(arm || score)`);
    const { m, table } = await run({ treatmentColumn: "arm", outcomeColumn: "y", controlValue: "ctl", scoreColumn: "score", topPercents: [50, 5, 20, 25, 30] }, rows);
    expect(m.arms.map((a) => [a.arm, a.n, a.value])).toEqual([
      ["ctl", 10, 0.2],
      ["trt", 11, 5 / 11],
    ]);
    expect(m.uplift!.topPercents).toEqual([5, 20, 25, 30, 50]);
    expect(m.uplift!.arms.map((a) => a.scoredRows)).toEqual([10, 10]);
    const points = m.uplift!.comparisons[0]!.points;
    expect(points.map((p) => p.treatedRows)).toEqual([1, 2, 2, 3, 5]);
    expect(points.map((p) => p.controlRows)).toEqual([1, 2, 2, 3, 5]);
    const expected = [0, 1 / 2, 1 / 2, 2 / 3, 1 / 5];
    points.forEach((p, i) => expect(p.uplift).toBeCloseTo(expected[i]!, 12));
    expect(points[3]).toMatchObject({ percent: 30, treatedValue: 1 });
    expect(points[3]!.controlValue).toBeCloseTo(1 / 3, 12);
    expect(Object.keys(table[0]!).filter((k) => k.startsWith("uplift"))).toEqual(["uplift_at_5", "uplift_at_20", "uplift_at_25", "uplift_at_30", "uplift_at_50"]);
    expect(table[0]!.uplift_at_30).toBeNull();
    expect(table[1]!.uplift_at_30).toBeCloseTo(2 / 3, 12);
  });

  it("says what is wrong with the configuration", async () => {
    const rows = await h.ctx("t").datasets.create(
      `SELECT * FROM (VALUES ('A', 1, 'x', 0.5), ('B', 0, 'y', 0.1), ('A', 0, 'z', 0.2)) v(arm, y, label, score)`,
    );
    const noArm = await failure(h.run(abTest, { treatmentColumn: "arm", outcomeColumn: "y", controlValue: "No E-Mail" }, { rows }));
    expect(noArm).toBeInstanceOf(ConfigError);
    expect(noArm.where).toBe("controlValue");
    expect(noArm.message).toContain("A, B");
    const text = await failure(h.run(abTest, { treatmentColumn: "arm", outcomeColumn: "label", controlValue: "A" }, { rows }));
    expect(text).toBeInstanceOf(ConfigError);
    expect(text.where).toBe("outcomeColumn");
    const missing = await failure(h.run(abTest, { treatmentColumn: "segment", outcomeColumn: "y", controlValue: "A" }, { rows }));
    expect(missing.where).toBe("treatmentColumn");
    const badScore = await failure(h.run(abTest, { treatmentColumn: "arm", outcomeColumn: "y", controlValue: "A", scoreColumn: "label" }, { rows }));
    expect(badScore.where).toBe("scoreColumn");
    const many = await h.ctx("t").datasets.create(`SELECT CAST(i AS VARCHAR) AS id, i % 2 AS y FROM range(60) r(i)`);
    const ids = await failure(h.run(abTest, { treatmentColumn: "id", outcomeColumn: "y", controlValue: "0" }, { rows: many }));
    expect(ids.where).toBe("treatmentColumn");
    const one = await h.ctx("t").datasets.create(`SELECT 'A' AS arm, 1 AS y`);
    expect(await failure(h.run(abTest, { treatmentColumn: "arm", outcomeColumn: "y", controlValue: "A" }, { rows: one }))).toBeInstanceOf(DataError);
  });

  describe("on the Hillstrom e-mail experiment", () => {
    let hillstrom: DatasetRef;
    let lines: string[][];
    beforeAll(async () => {
      hillstrom = (await h.run(csvFile, { path: datasetFile("hillstrom-email.csv") })).outputs.rows as DatasetRef;
      // Fields are quoted only when they hold a comma ("6) $750 - $1,000"), and never hold quotes.
      lines = readFileSync(datasetFile("hillstrom-email.csv"), "utf8").trim().split(/\r?\n/).slice(1).map(parseCsvLine);
      expect(lines.every((f) => f.length === 12)).toBe(true);
    });

    it("reproduces the published visit rates, with every e-mail significantly above no e-mail", async () => {
      const { m, table } = await run({ treatmentColumn: "segment", outcomeColumn: "visit", controlValue: "No E-Mail" }, hillstrom);
      expect(m).toMatchObject({ rows: 64000, analysedRows: 64000, measure: "rate", control: "No E-Mail" });
      expect(m).not.toHaveProperty("skippedRows");
      const arm = (name: string) => m.arms.find((a) => a.arm === name)!;
      expect(m.arms.map((a) => a.arm)).toEqual(["No E-Mail", "Mens E-Mail", "Womens E-Mail"]);
      expect(arm("Mens E-Mail").value.toFixed(3)).toBe("0.183");
      expect(arm("Womens E-Mail").value.toFixed(3)).toBe("0.151");
      expect(arm("No E-Mail").value.toFixed(3)).toBe("0.106");
      expect(m.arms.map((a) => [a.n, a.positives])).toEqual([
        [21306, 2262],
        [21307, 3894],
        [21387, 3238],
      ]);
      // The raw file agrees.
      for (const a of m.arms) {
        const members = lines.filter((f) => f[8] === a.arm);
        expect(members).toHaveLength(a.n);
        expect(members.filter((f) => f[9] === "1")).toHaveLength(a.positives!);
      }
      for (const c of m.comparisons) {
        expect(c.ciLow!).toBeGreaterThan(0);
        expect(c.pValue!).toBeLessThan(0.001);
        expect(c.significant).toBe(true);
      }
      const mens = m.comparisons.find((c) => c.arm === "Mens E-Mail")!;
      const womens = m.comparisons.find((c) => c.arm === "Womens E-Mail")!;
      // Against Python (statistics in floating point, p-value with mpmath).
      expect(mens.difference).toBeCloseTo(0.07658956365153125, 12);
      expect(mens.ciLow).toBeCloseTo(0.06995350121810838, 12);
      expect(mens.ciHigh).toBeCloseTo(0.08322562608495411, 12);
      expect(mens.statistic).toBeCloseTo(22.48604082719282, 10);
      expect(mens.pValue! / 5.68517e-112).toBeCloseTo(1, 4);
      expect(womens.difference).toBeCloseTo(0.045233106587052985, 12);
      expect(womens.ciLow).toBeCloseTo(0.03889382581264261, 12);
      expect(womens.ciHigh).toBeCloseTo(0.05157238736146336, 12);
      expect(womens.statistic).toBeCloseTo(13.949180655258505, 10);
      expect(womens.pValue! / 3.1824e-44).toBeCloseTo(1, 3);
      expect(womens.relativeLift).toBeCloseTo(0.4260550702669102, 12);
      expect(table).toHaveLength(3);

      const pct = (v: number | null) => (v === null ? "-" : `${(100 * v).toFixed(2)} %`);
      for (const a of m.arms) console.log(`Hillstrom visit, ${a.arm}: n ${a.n}, rate ${pct(a.value)} (95 % CI ${pct(a.ciLow)} to ${pct(a.ciHigh)})`);
      for (const c of m.comparisons) {
        console.log(
          `Hillstrom visit, ${c.arm} vs ${c.control}: difference ${pct(c.difference)} (95 % CI ${pct(c.ciLow)} to ${pct(c.ciHigh)}), z ${c.statistic!.toFixed(3)}, p ${c.pValue!.toExponential(3)}, relative lift ${pct(c.relativeLift)}`,
        );
      }
    });

    it("compares spend as a mean (Welch) and conversion as a rate", async () => {
      const spend = (await run({ treatmentColumn: "segment", outcomeColumn: "spend", controlValue: "No E-Mail" }, hillstrom)).m;
      expect(spend.measure).toBe("mean");
      const mens = spend.comparisons.find((c) => c.arm === "Mens E-Mail")!;
      // Python: means 1.42262 and 0.65279, Welch t 5.30014, df 36671.16.
      expect(mens.difference).toBeCloseTo(0.7698271558945364, 10);
      expect(mens.statistic).toBeCloseTo(5.300140358411668, 8);
      expect(mens.df).toBeCloseTo(36671.157977360504, 4);
      expect(mens.pValue!).toBeLessThan(0.001);
      const womens = spend.comparisons.find((c) => c.arm === "Womens E-Mail")!;
      expect(womens.statistic).toBeCloseTo(3.2563715760253915, 8);
      expect(womens.df).toBeCloseTo(40064.88440653066, 4);
      const conversion = (await run({ treatmentColumn: "segment", outcomeColumn: "conversion", controlValue: "No E-Mail" }, hillstrom)).m;
      expect(conversion.measure).toBe("rate");
      expect(conversion.comparisons.find((c) => c.arm === "Womens E-Mail")!.statistic).toBeCloseTo(3.77956095835785, 10);
      for (const c of [...spend.comparisons, ...conversion.comparisons]) {
        console.log(`Hillstrom ${spend.comparisons.includes(c) ? "spend" : "conversion"}, ${c.arm}: difference ${c.difference.toFixed(5)} (CI ${c.ciLow!.toFixed(5)} to ${c.ciHigh!.toFixed(5)}), p ${c.pValue!.toExponential(3)}`);
      }
    });

    it("gives uplift at the top 10/20/30 % by a past-spend score, as computed from the raw file", async () => {
      // history breaks ties by row position (1e-9 per row is far below its cent steps), so the ranking is unambiguous.
      // The table keeps DuckDB's file_row_number column, which the node must cope with.
      const store = h.ctx("t").datasets;
      const scored = await store.create(`SELECT *, history + file_row_number * 1e-9 AS score FROM ${store.fromWithPosition(hillstrom)}`);
      const { m } = await run({ treatmentColumn: "segment", outcomeColumn: "visit", controlValue: "No E-Mail", scoreColumn: "score" }, scored);
      const ranked = new Map<string, { s: number; y: number }[]>();
      lines.forEach((f, i) => {
        const list = ranked.get(f[8]!) ?? [];
        list.push({ s: Number(f[2]) + i * 1e-9, y: Number(f[9]) });
        ranked.set(f[8]!, list);
      });
      for (const list of ranked.values()) list.sort((a, b) => b.s - a.s);
      const topRate = (arm: string, k: number) => {
        const members = ranked.get(arm)!;
        const top = members.slice(0, Math.floor((members.length * k) / 100));
        return top.reduce((a, r) => a + r.y, 0) / top.length;
      };
      for (const c of m.uplift!.comparisons) {
        for (const p of c.points) {
          expect(p.uplift).toBeCloseTo(topRate(c.arm, p.percent) - topRate("No E-Mail", p.percent), 12);
          console.log(`Hillstrom visit uplift@${p.percent}% by history, ${c.arm}: ${p.uplift!.toFixed(4)} (treated ${p.treatedValue!.toFixed(4)} of ${p.treatedRows}, control ${p.controlValue!.toFixed(4)} of ${p.controlRows})`);
        }
      }
      expect(m.uplift!.comparisons[0]!.points.map((p) => p.controlRows)).toEqual([2130, 4261, 6391]);
    });
  });
});

/** One line of a CSV file whose quoted fields hold no quotes. */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      const end = line.indexOf('"', i + 1);
      out.push(line.slice(i + 1, end));
      i = end + 2;
    } else {
      const end = line.indexOf(",", i);
      const stop = end === -1 ? line.length : end;
      out.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}
