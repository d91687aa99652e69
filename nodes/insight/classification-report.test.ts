import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import report, { type CalibrationBin, type LiftRow, type RocPoint } from "./classification-report.node.ts";

interface Report {
  rows: number;
  evaluatedRows: number;
  skippedRows?: number;
  positiveLabel: string;
  positives: number;
  positiveRate: number;
  rocAuc: number | null;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  brierScore: number | null;
  roc: RocPoint[];
  lift: LiftRow[];
  calibration: CalibrationBin[];
}

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, rows: DatasetRef): Promise<Report> {
  const res = await h.run(report, config, { rows });
  expect(res.outputs).toEqual({});
  // Plain JSON, as the web app receives it.
  expect(JSON.parse(JSON.stringify(res.metrics))).toEqual(res.metrics);
  return res.metrics as unknown as Report;
}

/** P(score of a random positive > score of a random negative), ties half: every pair, the slow way. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe("insight.classification-report", () => {
  // Ten rows, scores 0.95 down to 0.05; positives at 0.95, 0.85, 0.65, 0.45 (P 4, N 6). Plus a row
  // without a label and one without a score, which are skipped.
  //   AUC: the positives beat 6, 6, 5 and 4 of the 6 negatives: 21/24 = 0.875.
  //   At 0.5 the top five are predicted positive: tp 3, fp 2 (0.75, 0.55), fn 1 (0.45), tn 4.
  //   Brier: positives (.05² + .15² + .35² + .55²) = .45, negatives (.75² + .55² + .35² + .25² + .15² + .05²) = 1.075; 1.525 / 10.
  const Y = [1, 1, 0, 1, 0, 1, 0, 0, 0, 0];
  const S = [0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.05];
  let small: DatasetRef;
  beforeAll(async () => {
    const values = S.map((s, i) => `('${Y[i] ? "Yes" : "No"}', ${s})`).join(", ");
    // Shuffled row order: the report must not depend on it.
    small = await h.ctx("t").datasets.create(`SELECT * FROM (VALUES ${values}, (NULL, 0.5), ('Yes', NULL)) t(outcome, score) ORDER BY hash(score)`);
  });

  it("computes hand-checkable figures on ten rows", async () => {
    const m = await run({ labelColumn: "outcome", bins: 5 }, small);
    expect(m).toMatchObject({ rows: 12, evaluatedRows: 10, skippedRows: 2, positiveLabel: "Yes", positives: 4, positiveRate: 0.4 });
    expect(m.rocAuc).toBeCloseTo(0.875, 12);
    expect(m.confusion).toEqual({ tp: 3, fp: 2, tn: 4, fn: 1 });
    expect(m.accuracy).toBeCloseTo(0.7, 12);
    expect(m.precision).toBeCloseTo(0.6, 12);
    expect(m.recall).toBeCloseTo(0.75, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.brierScore).toBeCloseTo(0.1525, 12);

    // Every vertex of the curve (no ties, so one per row), from (0, 0) to (1, 1).
    const expected: [number, number][] = [[0, 0]];
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < 10; i++) {
      if (Y[i]) tp++;
      else fp++;
      expected.push([fp / 6, tp / 4]);
    }
    expect(m.roc).toHaveLength(11);
    m.roc.forEach((p, i) => {
      expect(p.fpr).toBeCloseTo(expected[i]![0], 12);
      expect(p.tpr).toBeCloseTo(expected[i]![1], 12);
    });
    expect(m.roc[0]!.threshold).toBeNull();
    expect(m.roc.slice(1).map((p) => p.threshold)).toEqual(S);

    // Ten rows: one per decile, highest score first.
    expect(m.lift.map((d) => d.decile)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(m.lift.map((d) => d.rows)).toEqual(Array(10).fill(1));
    expect(m.lift.map((d) => d.maxScore)).toEqual(S);
    expect(m.lift.map((d) => d.rate)).toEqual(Y);
    m.lift.forEach((d, i) => expect(d.lift).toBeCloseTo(Y[i]! / 0.4, 12));
    expect(m.lift.map((d) => d.gain)).toEqual([0.25, 0.5, 0.5, 0.75, 0.75, 1, 1, 1, 1, 1]);
    expect(m.lift.map((d) => d.populationShare)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(m.lift[1]!.cumulativeLift).toBeCloseTo(2.5, 12); // 2 of 2 positive, against 0.4
    expect(m.lift[3]!.cumulativeRate).toBeCloseTo(0.75, 12);

    // Five bins of width 0.2: pairs (0.05, 0.15), (0.25, 0.35), (0.45, 0.55), (0.65, 0.75), (0.85, 0.95).
    expect(m.calibration.map((b) => b.rows)).toEqual([2, 2, 2, 2, 2]);
    const mean = m.calibration.map((b) => b.meanScore!);
    [0.1, 0.3, 0.5, 0.7, 0.9].forEach((v, i) => expect(mean[i]).toBeCloseTo(v, 12));
    expect(m.calibration.map((b) => b.observedRate)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(m.calibration[2]).toMatchObject({ bin: 3, from: 0.4 });
    expect(m.calibration[2]!.to).toBeCloseTo(0.6, 12);
    expect(m.calibration[4]!.to).toBe(1);
  });

  it("follows the positive label and threshold, and keeps empty calibration bins", async () => {
    const m = await run({ labelColumn: "outcome", positiveLabel: "No", threshold: 0.3, bins: 20 }, small);
    expect(m.positives).toBe(6);
    expect(m.rocAuc).toBeCloseTo(0.125, 12);
    // Predicted positive (>= 0.3): the top seven, of which the "No" rows are 0.75, 0.55, 0.35.
    expect(m.confusion).toEqual({ tp: 3, fp: 4, tn: 0, fn: 3 });
    expect(m.calibration).toHaveLength(20);
    expect(m.calibration.filter((b) => b.rows === 0)).toHaveLength(10);
    expect(m.calibration[0]).toMatchObject({ rows: 0, meanScore: null, observedRate: null });
    expect(m.calibration[1]).toMatchObject({ rows: 1, observedRate: 1 }); // 0.05 is a "No"
  });

  it("reports a bad configuration or label", async () => {
    const noColumn = await failure(h.run(report, { labelColumn: "outcome", scoreColumn: "prob" }, { rows: small }));
    expect(noColumn).toBeInstanceOf(ConfigError);
    expect(noColumn.where).toBe("scoreColumn");
    const textScore = await failure(h.run(report, { labelColumn: "score", scoreColumn: "outcome" }, { rows: small }));
    expect(textScore).toBeInstanceOf(ConfigError);
    const store = h.ctx("t").datasets;
    const three = await store.create(`SELECT * FROM (VALUES ('a', 0.1), ('b', 0.2), ('c', 0.3)) t(outcome, score)`);
    const err = await failure(h.run(report, { labelColumn: "outcome" }, { rows: three }));
    expect(err).toBeInstanceOf(DataError);
    const ab = await store.create(`SELECT * FROM (VALUES ('a', 0.1), ('b', 0.2)) t(outcome, score)`);
    const unsure = await failure(h.run(report, { labelColumn: "outcome" }, { rows: ab }));
    expect(unsure).toBeInstanceOf(ConfigError);
    expect(unsure.where).toBe("positiveLabel");
  });

  describe("on Telco with a tenure score", () => {
    let telco: DatasetRef;
    let churn: number[];
    let tenure: number[];
    let charges: number[];
    beforeAll(async () => {
      const raw = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
      const store = h.ctx("t").datasets;
      // Short tenure, more churn: a crude score in [0, 1] with many ties (73 distinct values).
      telco = await store.create(`SELECT *, 1 - tenure / 72.0 AS score, MonthlyCharges / 120.0 AS charge_score FROM ${store.from(raw)}`);
      const lines = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(","));
      churn = lines.map((f) => (f[20] === "Yes" ? 1 : 0));
      tenure = lines.map((f) => Number(f[5]));
      charges = lines.map((f) => Number(f[18]));
    });

    it("matches a pairwise AUC, and its deciles, gains and calibration add up", async () => {
      const m = await run({ labelColumn: "Churn" }, telco);
      const scores = tenure.map((t) => 1 - t / 72);
      const auc = pairwiseAuc(churn, scores);
      expect(m.rocAuc).toBeCloseTo(auc, 12);
      const positives = churn.reduce((a, b) => a + b, 0);
      expect(m).toMatchObject({ rows: 7043, evaluatedRows: 7043, positives, positiveLabel: "true" });
      expect(positives).toBe(1869);

      // Confusion at 0.5: tenure <= 36 predicted to churn (1 - 36/72 = 0.5 is at the threshold).
      let tp = 0, fp = 0, tn = 0, fn = 0;
      scores.forEach((s, i) => {
        if (s >= 0.5) churn[i] ? tp++ : fp++;
        else churn[i] ? fn++ : tn++;
      });
      expect(m.confusion).toEqual({ tp, fp, tn, fn });

      // Deciles: ten groups of 704 or 705 rows that add up to every row and every positive.
      expect(m.lift).toHaveLength(10);
      expect(m.lift.reduce((a, d) => a + d.rows, 0)).toBe(7043);
      expect(m.lift.reduce((a, d) => a + d.positives, 0)).toBe(positives);
      expect(m.lift.every((d) => d.rows === 704 || d.rows === 705)).toBe(true);
      expect(m.lift.at(-1)!.gain).toBe(1);
      expect(m.lift.at(-1)!.populationShare).toBe(1);
      expect(m.lift.at(-1)!.cumulativeLift).toBeCloseTo(1, 12);
      for (let i = 1; i < 10; i++) {
        expect(m.lift[i]!.gain!).toBeGreaterThanOrEqual(m.lift[i - 1]!.gain!);
        expect(m.lift[i]!.maxScore).toBeLessThanOrEqual(m.lift[i - 1]!.minScore);
      }
      // The newest customers churn far more than average.
      expect(m.lift[0]!.lift!).toBeGreaterThan(2);
      // Decile 1 is the 704 or 705 highest scores: its lowest score is the 705th highest.
      const sorted = [...scores].sort((a, b) => b - a);
      expect(m.lift[0]!.minScore).toBeCloseTo(sorted[m.lift[0]!.rows - 1]!, 12);

      // Calibration: ten bins over [0, 1] that hold every row; each rate is the churn rate of its scores.
      expect(m.calibration.reduce((a, b) => a + b.rows, 0)).toBe(7043);
      const inBin = (s: number) => Math.min(9, Math.floor(s * 10));
      for (const b of m.calibration) {
        const members = scores.map((s, i) => [s, churn[i]!] as const).filter(([s]) => inBin(s) === b.bin - 1);
        expect(b.rows).toBe(members.length);
        if (members.length) expect(b.observedRate).toBeCloseTo(members.reduce((a, [, y]) => a + y, 0) / members.length, 12);
      }

      // The curve: from (0, 0) to (1, 1), never going back, one vertex per distinct tenure here.
      expect(m.roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
      expect(m.roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
      expect(m.roc).toHaveLength(new Set(tenure).size + 1);
      for (let i = 1; i < m.roc.length; i++) {
        expect(m.roc[i]!.fpr).toBeGreaterThanOrEqual(m.roc[i - 1]!.fpr);
        expect(m.roc[i]!.tpr).toBeGreaterThanOrEqual(m.roc[i - 1]!.tpr);
      }
      console.log(
        `Telco, score 1 - tenure/72: AUC ${m.rocAuc!.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}, precision ${m.precision.toFixed(4)}, recall ${m.recall.toFixed(4)}, F1 ${m.f1.toFixed(4)}, ` +
          `lift@decile1 ${m.lift[0]!.lift!.toFixed(3)}, gain@30% ${m.lift[2]!.gain!.toFixed(3)}, Brier ${m.brierScore!.toFixed(4)}`,
      );
    });

    it("thins a curve with many distinct scores to at most 200 points, keeping the exact AUC", async () => {
      const m = await run({ labelColumn: "Churn", scoreColumn: "charge_score", positiveLabel: "Yes" }, telco);
      expect(new Set(charges).size).toBeGreaterThan(1000);
      expect(m.rocAuc).toBeCloseTo(pairwiseAuc(churn, charges), 12);
      expect(m.roc.length).toBeLessThanOrEqual(200);
      expect(m.roc.length).toBeGreaterThan(150);
      expect(m.roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
      expect(m.roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
      // The trapezoids under the thinned curve are close to the exact area.
      let area = 0;
      for (let i = 1; i < m.roc.length; i++) area += (m.roc[i]!.fpr - m.roc[i - 1]!.fpr) * (m.roc[i]!.tpr + m.roc[i - 1]!.tpr) / 2;
      expect(Math.abs(area - m.rocAuc!)).toBeLessThan(0.002);
    });

    it("bins scores outside [0, 1] over their range and gives no Brier score", async () => {
      const m = await run({ labelColumn: "Churn", scoreColumn: "MonthlyCharges", threshold: 70 }, telco);
      expect(m.brierScore).toBeNull();
      expect(m.calibration[0]!.from).toBe(Math.min(...charges));
      expect(m.calibration[9]!.to).toBe(Math.max(...charges));
      expect(m.calibration.reduce((a, b) => a + b.rows, 0)).toBe(7043);
      expect(m.rocAuc).toBeCloseTo(pairwiseAuc(churn, charges), 12);
      expect(m.confusion.tp + m.confusion.fp).toBe(charges.filter((c) => c >= 70).length);
    });
  });
});
