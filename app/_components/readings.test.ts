// The reading rules, on hand-worked figures: the Telco confusion matrix in metrics.test.ts
// (1,028 churners caught, 841 missed, 530 false alarms, 4,644 rightly left alone; 7,043 rows).
import { describe, expect, it } from "vitest";
import { aucGrade, labelWord, readAccuracy, readings, readPrecision, readRecall, readRocAuc } from "./readings";

const telco = { tp: 1028, fp: 530, tn: 4644, fn: 841 };

describe("readings", () => {
  it("grades a ROC AUC: under 0.6 poor, to 0.7 weak, to 0.8 fair, to 0.9 good, then excellent", () => {
    const cases: [number, string][] = [
      [0.5, "poor"],
      [0.5994, "poor"],
      [0.5996, "weak"], // shown as 0.600
      [0.6, "weak"],
      [0.6994, "weak"],
      [0.6996, "fair"], // shown as 0.700, graded as shown
      [0.7, "fair"],
      [0.79, "fair"],
      [0.8, "good"],
      [0.845, "good"],
      [0.8999, "excellent"], // shown as 0.900
      [0.9, "excellent"],
      [0.97, "excellent"],
    ];
    for (const [auc, grade] of cases) expect(aucGrade(auc), String(auc)).toBe(grade);
    expect(readRocAuc(0.845)).toEqual({ text: "good — 0.5 is a coin toss, 1.0 perfect", tone: "good" });
    expect(readRocAuc(0.75).tone).toBe("neutral");
    expect(readRocAuc(0.55)).toEqual({ text: "poor — 0.5 is a coin toss, 1.0 perfect", tone: "bad" });
    expect(readRocAuc(0.65).tone).toBe("bad");
  });

  it("warns of a leak at 0.98 and above", () => {
    expect(readRocAuc(0.979)).toEqual({ text: "excellent — 0.5 is a coin toss, 1.0 perfect", tone: "good" });
    const leak = readRocAuc(0.98);
    expect(leak.tone).toBe("warn");
    expect(leak.text).toMatch(/^excellent, suspiciously so: check that no column gives the answer away/);
    expect(readRocAuc(1).tone).toBe("warn");
  });

  it("compares accuracy with always giving the commoner answer", () => {
    // 1,869 churners of 7,043: 26.5 %, so always "No" is right 5,174 / 7,043 = 73.5 % of the time;
    // the model is right (1,028 + 4,644) / 7,043 = 80.5 %: 7.1 points better.
    const r = readAccuracy((1028 + 4644) / 7043, 1869 / 7043, { positive: "true", negative: "false" });
    expect(r).toEqual({ text: "7.1 points better than the base rate: always answering “No” would be right 73.5% of the time", tone: "good" });
    expect(readAccuracy(0.734, 1869 / 7043, { positive: "Yes" }).text).toBe("no better than the base rate: always answering not “Yes” would be right 73.5% of the time");
    // A positive majority: always "Yes" is the base.
    expect(readAccuracy(0.9, 0.8, { positive: "Yes", negative: "No" }).text).toBe("10.0 points better than the base rate: always answering “Yes” would be right 80% of the time");
  });

  it("says precision and recall as counts of rows, with the data's labels", () => {
    // 1,028 of the 1,558 flagged churned: 66 %; 1,028 of the 1,869 churners were flagged: 55 %.
    expect(readPrecision(telco, "true").text).toBe("of the 1,558 rows flagged “Yes”, 66% (1,028) really were");
    expect(readRecall(telco, "true").text).toBe("of the 1,869 rows that really were “Yes”, the model flagged 55% (1,028)");
    expect(readPrecision({ tp: 0, fp: 0, tn: 5, fn: 2 }, "Churned").text).toBe("no row was flagged “Churned” at this threshold");
    expect(readRecall({ tp: 0, fp: 1, tn: 5, fn: 0 }, "Yes").text).toBe("no row really was “Yes”");
    expect(labelWord("true")).toBe("Yes");
    expect(labelWord("false")).toBe("No");
    expect(labelWord("Month-to-month")).toBe("Month-to-month");
  });

  it("reads what a node's metrics allow, with the positive rate of the rows measured", () => {
    const r = readings({ rocAuc: 0.845, accuracy: (1028 + 4644) / 7043, precision: 0.66, recall: 0.55, positiveLabel: "true", negativeLabel: "false", positiveRate: 0.5, confusion: telco });
    expect(Object.keys(r).sort()).toEqual(["accuracy", "precision", "recall", "rocAuc"]);
    // The confusion matrix's 26.5 %, not the stated 50 %, makes the base rate.
    expect(r.accuracy!.text).toContain("73.5%");
    expect(readings({ rocAuc: null, accuracy: 0.8 })).toEqual({});
    expect(readings({ macroF1: 0.6, accuracy: 0.7, confusion: { labels: ["a", "b"], matrix: [[1, 0], [0, 1]] } })).toEqual({});
  });
});
