import { describe, expect, it } from "vitest";
import { perfectQiniCurve, qiniChartPoints, qiniCoefficient, qiniCurve, trapezoidArea, upliftAtK, upliftOrder } from "./uplift-metrics";

// Ten rows, listed here by score (0.9 first) but handed over in a shuffled order below.
//   score  0.9 0.8 0.7 0.6 0.5 0.4 0.3 0.2 0.1 0.0
//   treated  1   0   1   1   0   0   1   0   1   0
//   outcome  1   0   1   0   1   0   0   0   1   1
const ranked = {
  score: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0],
  treated: [1, 0, 1, 1, 0, 0, 1, 0, 1, 0],
  outcome: [1, 0, 1, 0, 1, 0, 0, 0, 1, 1],
};
const shuffled = [3, 7, 0, 9, 5, 1, 8, 2, 6, 4];
const ten = {
  score: shuffled.map((i) => ranked.score[i]!),
  treated: shuffled.map((i) => ranked.treated[i]!),
  outcome: shuffled.map((i) => ranked.outcome[i]!),
};

describe("upliftAtK (scikit-uplift's uplift_at_k, strategy overall)", () => {
  it("takes the top floor(k * n) rows of both groups together", () => {
    // k = 0.3: the top 3 rows are 0.9 (treated, 1), 0.8 (control, 0), 0.7 (treated, 1): 2/2 − 0/1 = 1.
    expect(upliftAtK(ten.outcome, ten.score, ten.treated, 0.3)).toEqual({ uplift: 1, rows: 3, treatedRows: 2, treatedRate: 1, controlRows: 1, controlRate: 0 });
    // k = 0.5: treated 0.9, 0.7, 0.6 respond 1, 1, 0 (2/3); control 0.8, 0.5 respond 0, 1 (1/2): 2/3 − 1/2 = 1/6.
    const half = upliftAtK(ten.outcome, ten.score, ten.treated, 0.5);
    expect(half.rows).toBe(5);
    expect(half.uplift).toBeCloseTo(1 / 6, 12);
    // k = 0.75: floor(7.5) = 7 rows; treated 0.9 0.7 0.6 0.3 respond 2 of 4, control 0.8 0.5 0.4 respond 1 of 3: 1/2 − 1/3.
    const most = upliftAtK(ten.outcome, ten.score, ten.treated, 0.75);
    expect(most.rows).toBe(7);
    expect(most.uplift).toBeCloseTo(1 / 2 - 1 / 3, 12);
  });

  it("rounds the number of rows down, and is NaN when the top rows lack a group", () => {
    // 7 rows at k = 0.3: 2.1 -> 2 rows, 0.9 and 0.8.
    const seven = upliftAtK(ranked.outcome.slice(0, 7), ranked.score.slice(0, 7), ranked.treated.slice(0, 7), 0.3);
    expect(seven).toMatchObject({ rows: 2, treatedRows: 1, controlRows: 1, uplift: 1 });
    // k = 0.1: the single top row is treated, there is no control rate.
    expect(upliftAtK(ten.outcome, ten.score, ten.treated, 0.1).uplift).toBeNaN();
    expect(() => upliftAtK(ten.outcome, ten.score, ten.treated, 1)).toThrow(/between 0 and 1/);
  });

  it("breaks ties as NumPy's argsort(kind='mergesort')[::-1]: the later row first", () => {
    expect(upliftOrder([0.5, 0.5, 0.5, 0.1, 0.7])).toEqual([4, 2, 1, 0, 3]);
    // The top 2 of four are rows 2 (control, 0) and 1 (treated, 1): 1 − 0. Rows 0 and 1 would leave no control row.
    expect(upliftAtK([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.1], [1, 1, 0, 0], 0.5).uplift).toBe(1);
  });
});

// Six rows by score 6..1:
//   treated  1 0 1 1 0 0
//   outcome  1 0 1 0 1 0
// After the first j rows, gain = treated responders − control responders × treated rows / control rows:
//   j=1: 1 − 0 = 1;  j=2: 1 − 0×1/1 = 1;  j=3: 2 − 0 = 2;  j=4: 2 − 0 = 2;  j=5: 2 − 1×3/2 = 0.5;  j=6: 2 − 1×3/3 = 1.
// Area (trapezoids): 0.5 + 1 + 1.5 + 2 + 1.25 + 0.75 = 7; the random line to (6, 1) has area 3: 4 above it.
// The perfect ranking scores treated responders 1, control responders −1, the rest 0:
//   rows 0 and 2 (tied at 1), then rows 1, 3, 5 (tied at 0), then row 4. Points at the end of each tie:
//   (2, 2), (5, 2 − 0×3/2 = 2), (6, 2 − 1×3/3 = 1). Area: 2 + 6 + 1.5 = 9.5, 6.5 above the random line.
// Qini coefficient: 4 / 6.5 = 8/13.
const six = { score: [6, 5, 4, 3, 2, 1], treated: [1, 0, 1, 1, 0, 0], outcome: [1, 0, 1, 0, 1, 0] };

describe("Qini curve and coefficient (scikit-uplift's qini_curve and qini_auc_score)", () => {
  it("gives one point per row when scores differ, starting at (0, 0)", () => {
    expect(qiniCurve(six.outcome, six.score, six.treated)).toEqual({ rows: [0, 1, 2, 3, 4, 5, 6], gain: [0, 1, 1, 2, 2, 0.5, 1] });
    expect(perfectQiniCurve(six.outcome, six.treated)).toEqual({ rows: [0, 2, 5, 6], gain: [0, 2, 2, 1] });
    expect(trapezoidArea([0, 1, 2, 3, 4, 5, 6], [0, 1, 1, 2, 2, 0.5, 1])).toBe(7);
  });

  it("divides the area above the random line by the perfect curve's", () => {
    expect(qiniCoefficient(six.outcome, six.score, six.treated)).toBeCloseTo(8 / 13, 12);
    // The same in another row order: the ranking, not the order given, decides.
    const order = [4, 1, 5, 0, 3, 2];
    const pick = (a: number[]) => order.map((i) => a[i]!);
    expect(qiniCoefficient(pick(six.outcome), pick(six.score), pick(six.treated))).toBeCloseTo(8 / 13, 12);
    // The perfect ranking scores 1.
    const perfect = six.outcome.map((y, i) => y * six.treated[i]! - y * (1 - six.treated[i]!));
    expect(qiniCoefficient(six.outcome, perfect, six.treated)).toBeCloseTo(1, 12);
  });

  it("puts a point only at the end of a run of tied scores", () => {
    // Rows 1 and 2 tie at 5: the curve goes (1, 1) -> (3, 2) with no point at 2.
    // Area 0.5 + 3 + 2 + 1.25 + 0.75 = 7.5, 4.5 above the random line: 4.5 / 6.5 = 9/13.
    const tied = [6, 5, 5, 3, 2, 1];
    expect(qiniCurve(six.outcome, tied, six.treated)).toEqual({ rows: [0, 1, 3, 4, 5, 6], gain: [0, 1, 2, 2, 0.5, 1] });
    expect(qiniCoefficient(six.outcome, tied, six.treated)).toBeCloseTo(9 / 13, 12);
  });

  it("gives chart points at even shares, joining the curve's points by straight lines", () => {
    const points = qiniChartPoints(six.outcome, six.score, six.treated, 4);
    // Shares 0, 1/4, 1/2, 3/4, 1 are 0, 1.5, 3, 4.5 and 6 rows.
    // Model: 0; between (1, 1) and (2, 1): 1; 2; halfway from (4, 2) to (5, 0.5): 1.25; 1.
    // Perfect: 0; 1.5 of the way to (2, 2): 1.5; 2; 2; 1.  Random: the line to (6, 1).
    expect(points).toEqual([
      { share: 0, model: 0, perfect: 0, random: 0 },
      { share: 0.25, model: 1, perfect: 1.5, random: 0.25 },
      { share: 0.5, model: 2, perfect: 2, random: 0.5 },
      { share: 0.75, model: 1.25, perfect: 2, random: 0.75 },
      { share: 1, model: 1, perfect: 1, random: 1 },
    ]);
  });
});
