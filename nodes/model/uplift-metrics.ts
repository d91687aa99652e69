// Figures for uplift models, as scikit-uplift (sklift.metrics, 0.5) defines them, so a figure here
// can be set beside one from a published notebook:
// - uplift at k (`uplift_at_k`, strategy "overall"): rows ranked by predicted uplift, highest first;
//   among the first floor(k * n) rows, the treated rows' response rate minus the control rows';
// - the Qini curve (`qini_curve`): after targeting the first x rows, treated responders minus control
//   responders scaled by treated / control rows among them, one point per distinct score;
// - the Qini coefficient (`qini_auc_score` with negative_effect = true): the area between the curve
//   and the straight line to its end, divided by that of the perfect ranking (treated responders
//   first, control responders last).
// Outcomes and treatment are 0/1 per row.

type Numbers = ArrayLike<number>;

function checkLengths(outcome: Numbers, treated: Numbers, uplift?: Numbers): void {
  if (outcome.length !== treated.length || (uplift && uplift.length !== outcome.length)) {
    throw new Error(`uplift metrics: ${outcome.length} outcomes, ${treated.length} treatment flags${uplift ? `, ${uplift.length} scores` : ""}`);
  }
}

/**
 * Row positions by predicted uplift, highest first, as NumPy's argsort(kind="mergesort")[::-1]
 * gives them: tied scores in reverse row order.
 */
export function upliftOrder(uplift: Numbers): number[] {
  return Array.from({ length: uplift.length }, (_, i) => i).sort((a, b) => uplift[b]! - uplift[a]! || b - a);
}

export interface UpliftAtK {
  /** treatedRate − controlRate; NaN when the top rows lack either group. */
  uplift: number;
  /** floor(k * all rows) */
  rows: number;
  treatedRows: number;
  treatedRate: number;
  controlRows: number;
  controlRate: number;
}

/** Uplift among the top `k` share (0 < k < 1) of rows by predicted uplift, both groups together. */
export function upliftAtK(outcome: Numbers, uplift: Numbers, treated: Numbers, k: number): UpliftAtK {
  checkLengths(outcome, treated, uplift);
  if (!(k > 0 && k < 1)) throw new Error(`upliftAtK: k ${k} must be a share between 0 and 1`);
  const rows = Math.floor(outcome.length * k);
  let nT = 0;
  let yT = 0;
  let nC = 0;
  let yC = 0;
  for (const i of upliftOrder(uplift).slice(0, rows)) {
    if (treated[i] === 1) {
      nT++;
      yT += outcome[i]!;
    } else {
      nC++;
      yC += outcome[i]!;
    }
  }
  const treatedRate = nT ? yT / nT : Number.NaN;
  const controlRate = nC ? yC / nC : Number.NaN;
  return { uplift: treatedRate - controlRate, rows, treatedRows: nT, treatedRate, controlRows: nC, controlRate };
}

/** Points of a curve: after targeting `rows[j]` rows, `gain[j]` more responders than without treatment. */
export interface QiniCurve {
  rows: number[];
  gain: number[];
}

/** The Qini curve of a ranking by predicted uplift; starts at (0, 0). */
export function qiniCurve(outcome: Numbers, uplift: Numbers, treated: Numbers): QiniCurve {
  checkLengths(outcome, treated, uplift);
  const order = upliftOrder(uplift);
  const rows: number[] = [];
  const gain: number[] = [];
  let nT = 0;
  let yT = 0;
  let yC = 0;
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    if (treated[i] === 1) {
      nT++;
      yT += outcome[i]!;
    } else yC += outcome[i]!;
    // One point at the end of each run of equal scores.
    if (j + 1 < order.length && uplift[order[j + 1]!] === uplift[i]) continue;
    const nC = j + 1 - nT;
    rows.push(j + 1);
    gain.push(yT - yC * (nC !== 0 ? nT / nC : 0));
  }
  if (rows.length === 0 || rows[0] !== 0 || gain[0] !== 0) {
    rows.unshift(0);
    gain.unshift(0);
  }
  return { rows, gain };
}

/** The best possible Qini curve: treated responders first, control responders last (negative effects counted). */
export function perfectQiniCurve(outcome: Numbers, treated: Numbers): QiniCurve {
  checkLengths(outcome, treated);
  const perfect = Array.from({ length: outcome.length }, (_, i) => outcome[i]! * treated[i]! - outcome[i]! * (1 - treated[i]!));
  return qiniCurve(outcome, perfect, treated);
}

/** Area under a curve by the trapezoidal rule (scikit-learn's `auc`). */
export function trapezoidArea(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let j = 1; j < x.length; j++) area += ((x[j]! - x[j - 1]!) * (y[j]! + y[j - 1]!)) / 2;
  return area;
}

/** Area between a curve and the straight line from (0, 0) to its end. */
function areaAboveRandom(c: QiniCurve, end: { rows: number; gain: number }): number {
  return trapezoidArea(c.rows, c.gain) - (end.rows * end.gain) / 2;
}

/** The Qini coefficient of a ranking: 1 is perfect, 0 no better than random; NaN when undefined. */
export function qiniCoefficient(outcome: Numbers, uplift: Numbers, treated: Numbers): number {
  const actual = qiniCurve(outcome, uplift, treated);
  const perfect = perfectQiniCurve(outcome, treated);
  const end = { rows: perfect.rows.at(-1)!, gain: perfect.gain.at(-1)! };
  return areaAboveRandom(actual, end) / areaAboveRandom(perfect, end);
}

/** A curve's gain after targeting `x` rows, joining its points by straight lines (as its area does). */
function gainAt(c: QiniCurve, x: number): number {
  let hi = c.rows.findIndex((r) => r >= x);
  if (hi < 0) return c.gain.at(-1)!;
  if (c.rows[hi] === x || hi === 0) return c.gain[hi]!;
  const lo = hi - 1;
  return c.gain[lo]! + ((c.gain[hi]! - c.gain[lo]!) * (x - c.rows[lo]!)) / (c.rows[hi]! - c.rows[lo]!);
}

export interface QiniPoint {
  /** Share of rows targeted, 0 to 1. */
  share: number;
  /** Incremental responders the model's ranking reaches. */
  model: number;
  /** What the perfect ranking reaches. */
  perfect: number;
  /** What targeting at random reaches: the straight line to the end. */
  random: number;
}

/** The model's, the perfect and the random Qini curves at `steps` + 1 evenly spaced shares, for a chart. */
export function qiniChartPoints(outcome: Numbers, uplift: Numbers, treated: Numbers, steps = 100): QiniPoint[] {
  const actual = qiniCurve(outcome, uplift, treated);
  const perfect = perfectQiniCurve(outcome, treated);
  const n = outcome.length;
  const end = perfect.gain.at(-1)!;
  return Array.from({ length: steps + 1 }, (_, s) => {
    const x = (n * s) / steps;
    return { share: s / steps, model: gainAt(actual, x), perfect: gainAt(perfect, x), random: (end * s) / steps };
  });
}
