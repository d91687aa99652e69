// Shared statistics for the insight nodes: the confidence intervals and tests the A/B node reports,
// and helpers for profiles and summaries. The distributions they rest on are in distributions.ts.
// Pure functions, apart from withPosition and topValues, which query the dataset store.
import type { Column, DatasetRef, DatasetStore } from "../sdk";
import { normalTwoSidedP, studentTQuantile, studentTTwoSidedP, zCritical } from "./distributions";

// Importers keep reading the distributions from here.
export { erf, erfc, incompleteBeta, logBeta, logGamma, normalCdf, normalQuantile, normalTwoSidedP, studentTCdf, studentTQuantile, studentTTwoSidedP, zCritical } from "./distributions";

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for a proportion: stays inside [0, 1], sound for small samples and rates near 0 or 1. */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return { low: Number.NaN, high: Number.NaN };
  const z = zCritical(confidence);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** mean ± t(n−1)·sd/√n. */
export function meanInterval(mean: number, sd: number, n: number, confidence = 0.95): Interval {
  if (n < 2) return { low: Number.NaN, high: Number.NaN };
  const half = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * (sd / Math.sqrt(n));
  return { low: mean - half, high: mean + half };
}

export interface Comparison {
  /** treated − control */
  difference: number;
  low: number;
  high: number;
  /** z for proportions, Welch's t for means. */
  statistic: number;
  /** Welch-Satterthwaite degrees of freedom; undefined for the z-test. */
  df?: number;
  pValue: number;
}

/**
 * Two proportions, treated (x1 of n1) against control (x0 of n0): the difference with its Wald
 * interval (unpooled standard error), and the classic two-proportion z-test (pooled standard error
 * under the null hypothesis of equal rates), two-sided.
 */
export function compareProportions(x1: number, n1: number, x0: number, n0: number, confidence = 0.95): Comparison {
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const difference = p1 - p0;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  const half = zCritical(confidence) * se;
  const pooled = (x1 + x0) / (n1 + n0);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  // Both arms all 0 or all 1: no variation, no evidence of a difference.
  const statistic = sePooled > 0 ? difference / sePooled : 0;
  return { difference, low: difference - half, high: difference + half, statistic, pValue: normalTwoSidedP(statistic) };
}

/** Two means (sample standard deviations sd1, sd0): Welch's t-test and interval, two-sided. */
export function compareMeans(mean1: number, sd1: number, n1: number, mean0: number, sd0: number, n0: number, confidence = 0.95): Comparison {
  const difference = mean1 - mean0;
  const v1 = (sd1 * sd1) / n1;
  const v0 = (sd0 * sd0) / n0;
  const se = Math.sqrt(v1 + v0);
  if (!(se > 0) || n1 < 2 || n0 < 2) {
    return { difference, low: Number.NaN, high: Number.NaN, statistic: Number.NaN, pValue: Number.NaN };
  }
  const df = (v1 + v0) ** 2 / ((v1 * v1) / (n1 - 1) + (v0 * v0) / (n0 - 1));
  const statistic = difference / se;
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * se;
  return { difference, low: difference - half, high: difference + half, statistic, df, pValue: studentTTwoSidedP(statistic, df) };
}

/** A number fit for JSON metrics: NaN and ±Infinity become null. */
export function finiteOrNull(v: number | null | undefined): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
}

/**
 * A value DuckDB rendered as JSON (`to_json`), back as a JS value, so numbers and booleans stay
 * numbers and booleans (profile and summary top values).
 */
export function parseJsonValue(json: unknown): unknown {
  if (typeof json !== "string") return json;
  try {
    return JSON.parse(json);
  } catch {
    return json; // e.g. NaN, which JSON cannot hold
  }
}

/**
 * The columns a profile or summary looks at: the named ones in the order given, each once, or all
 * of them when none are named. `missing` makes the error for a name the input lacks.
 */
export function chosenColumns(columns: readonly Column[], names: readonly string[] | undefined, missing: (name: string, index: number) => Error): Column[] {
  if (!names?.length) return [...columns];
  const byName = new Map(columns.map((c) => [c.name, c]));
  const chosen = names.map((name, i) => {
    const c = byName.get(name);
    if (!c) throw missing(name, i);
    return c;
  });
  return [...new Map(chosen.map((c) => [c.name, c])).values()];
}

/**
 * The `top` most frequent non-null values of each column (profile and summary), in one statement:
 * by count, equal counts in value order (TotalCharges in Telco has 11 blanks and 11 "20.2"), the
 * same on every run. Keyed by the column's index in `columns`.
 */
export async function topValues(ds: DatasetStore, from: string, columns: readonly string[], top: number): Promise<Map<number, { value: unknown; count: number }[]>> {
  const byColumn = new Map<number, { value: unknown; count: number }[]>();
  if (!columns.length) return byColumn;
  const parts = columns.map((name, i) => {
    const q = ds.ident(name);
    return (
      `SELECT * FROM (SELECT ${i} AS col, CAST(to_json(${q}) AS VARCHAR) AS value, count(*) AS n, row_number() OVER (ORDER BY count(*) DESC, ${q}) AS r ` +
      `FROM ${from} WHERE ${q} IS NOT NULL GROUP BY ${q} ORDER BY r LIMIT ${top})`
    );
  });
  for (const row of await ds.query<{ col: unknown; value: unknown; n: unknown }>(`${parts.join(" UNION ALL ")} ORDER BY col, r`)) {
    const list = byColumn.get(Number(row.col)) ?? [];
    list.push({ value: parseJsonValue(row.value), count: Number(row.n) });
    byColumn.set(Number(row.col), list);
  }
  return byColumn;
}

/**
 * A FROM expression plus an SQL expression for each row's position, used only to break ties in
 * a ranking the same way on every run. A table that already carries a `file_row_number` column
 * (DuckDB cannot add its own then) is ranked by that column's values instead.
 */
export function withPosition(ds: DatasetStore, ref: DatasetRef): { from: string; pos: string } {
  const own = ref.columns.find((c) => c.name.toLowerCase() === "file_row_number");
  return own ? { from: ds.from(ref), pos: ds.ident(own.name) } : { from: ds.fromWithPosition(ref), pos: "file_row_number" };
}
