import { describe, expect, it } from "vitest";
import {
  compareMeans,
  compareProportions,
  erf,
  erfc,
  incompleteBeta,
  logBeta,
  logGamma,
  meanInterval,
  normalCdf,
  normalQuantile,
  normalTwoSidedP,
  studentTCdf,
  studentTQuantile,
  studentTTwoSidedP,
  wilsonInterval,
  zCritical,
} from "./stats";

// Reference values from mpmath 1.3 at 30-40 significant digits (ncdf, erf, erfc, loggamma,
// betainc(regularized=True), and the t CDF as 1 - betainc(v/2, 1/2, 0, v/(v+t²))/2).

/** |actual − expected| ≤ rel·|expected|. */
function near(actual: number, expected: number, rel: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe("normal distribution", () => {
  it("gives Φ to about 13 significant digits, far into the tails", () => {
    near(normalCdf(1.96), 0.97500210485177956, 1e-15);
    near(normalCdf(-1.96), 0.024997895148220436, 1e-14);
    expect(normalCdf(0)).toBe(0.5);
    near(normalCdf(1), 0.84134474606854295, 1e-15);
    near(normalCdf(0.5), 0.6914624612740131, 1e-15);
    near(normalCdf(2.5), 0.99379033467422386, 1e-15);
    near(normalCdf(5), 0.99999971334842812, 1e-15);
    near(normalCdf(-3), 0.0013498980316300945, 1e-13);
    near(normalCdf(-8), 6.2209605742717841e-16, 1e-13);
    near(normalCdf(-20), 2.7536241186062337e-89, 1e-12);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });

  it("gives erf and erfc to about 15 significant digits", () => {
    near(erf(0.1), 0.1124629160182849, 1e-15);
    near(erf(1), 0.84270079294971487, 1e-15);
    near(erf(2), 0.99532226501895273, 1e-15);
    near(erf(-3), -0.99997790950300141, 1e-15);
    near(erfc(0.1), 0.8875370839817151, 1e-15);
    near(erfc(1), 0.15729920705028513, 1e-14);
    near(erfc(2), 0.0046777349810472658, 1e-14);
    near(erfc(3), 2.2090496998585441e-5, 1e-14);
    near(erfc(5), 1.5374597944280349e-12, 1e-14);
    near(erfc(10), 2.0884875837625448e-45, 1e-13);
    near(erfc(-2), 2 - 0.0046777349810472658, 1e-15);
    expect(erf(0)).toBe(0);
    expect(Number.isNaN(erf(Number.NaN))).toBe(true);
  });

  it("inverts Φ and gives two-sided p-values", () => {
    near(normalQuantile(0.975), 1.9599639845400539, 1e-14);
    near(normalQuantile(0.025), -1.9599639845400542, 1e-14);
    near(normalQuantile(0.999), 3.0902323061678133, 1e-14);
    near(normalQuantile(1e-10), -6.3613409024040562, 1e-14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(1)).toBe(Infinity);
    near(zCritical(0.95), 1.959963984540054, 1e-14);
    for (const p of [0.001, 0.2, 0.6, 0.9]) near(normalCdf(normalQuantile(p)), p, 1e-14);
    near(normalTwoSidedP(1.96), 0.049995790296440872, 1e-14);
    near(normalTwoSidedP(-22.48604082719282), 5.68517e-112, 1e-5);
    expect(normalTwoSidedP(0)).toBe(1);
  });
});

describe("gamma, beta and Student's t", () => {
  it("gives ln Γ and ln B", () => {
    near(logGamma(0.5), 0.57236494292470009, 1e-14);
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-15);
    near(logGamma(5), Math.log(24), 1e-15);
    near(logGamma(10.5), 13.940625219403764, 1e-15);
    near(logGamma(100), 359.1342053695754, 1e-15);
    near(logGamma(0.001), 6.9071788853838537, 1e-14);
    near(logBeta(20000, 0.5), -4.3793725833433646, 1e-14);
    near(logBeta(25, 3), -9.0796620483340666, 1e-14);
    near(logBeta(0.5, 20), -0.91925184440660399, 1e-14);
    near(logBeta(100, 100), -139.66525908670664, 1e-14);
    near(logBeta(3, 4), -4.0943445622221007, 1e-14);
  });

  it("gives the regularised incomplete beta function", () => {
    near(incompleteBeta(2, 3, 0.4), 0.5248, 1e-14);
    near(incompleteBeta(0.5, 0.5, 0.3), 0.36901011956554538, 1e-14);
    near(incompleteBeta(10, 20, 0.35), 0.592386663663905, 1e-13);
    near(incompleteBeta(100, 0.5, 0.99), 0.15677586542444078, 1e-12);
    expect(incompleteBeta(2, 3, 0)).toBe(0);
    expect(incompleteBeta(2, 3, 1)).toBe(1);
  });

  it("gives the t CDF (df = 10 at 2.228 is 0.975 to three decimals) and its quantiles", () => {
    expect(studentTCdf(2.228, 10)).toBeCloseTo(0.975, 4);
    near(studentTCdf(2.228, 10), 0.97499411409144432, 1e-14);
    near(studentTCdf(2.228138851986, 10), 0.97499999999998835, 1e-14);
    near(studentTCdf(1, 1), 0.75, 1e-14);
    near(studentTCdf(-2, 3), 0.069662984279421588, 1e-13);
    near(studentTCdf(0.5, 2.5), 0.67115104006514266, 1e-14);
    near(studentTCdf(3, 30), 0.99730501796717403, 1e-14);
    near(studentTCdf(2, 1000), 0.97711482675337418, 1e-14);
    near(studentTCdf(-4.5, 7.3), 0.0012596868666213987, 1e-12);
    expect(studentTCdf(0, 5)).toBe(0.5);
    near(studentTTwoSidedP(2.228, 10), 2 * (1 - 0.97499411409144432), 1e-12);
    near(studentTQuantile(0.975, 10), 2.228138851986, 1e-11);
    near(studentTQuantile(0.975, 1), 12.7062047361747, 1e-11);
    near(studentTQuantile(0.025, 3), -3.182446305284263, 1e-11);
    // Near the normal for many degrees of freedom.
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 5);
    for (const [p, df] of [[0.9, 4], [0.3, 2.5], [0.999, 40]] as const) near(studentTCdf(studentTQuantile(p, df), df), p, 1e-12);
  });
});

describe("intervals and tests", () => {
  it("gives the Wilson interval", () => {
    // 0 of 10: [0, z²/(n + z²)] = [0, 0.2775]; 5 of 10: 0.5 ± 0.2634 (textbook values).
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.27753, 5);
    const half = wilsonInterval(5, 10);
    expect(half.low).toBeCloseTo(0.23659, 5);
    expect(half.high).toBeCloseTo(0.76341, 5);
    expect(wilsonInterval(10, 10).high).toBe(1);
  });

  it("gives the t interval of a mean", () => {
    // mean 10, sd 2, n 16: 10 ± 2.131449546 · 0.5.
    const ci = meanInterval(10, 2, 16);
    expect(ci.low).toBeCloseTo(10 - 1.065724773, 8);
    expect(ci.high).toBeCloseTo(10 + 1.065724773, 8);
  });

  it("compares two proportions: Wald interval, pooled z-test", () => {
    // Hillstrom visits, Mens E-Mail (3894 of 21307) against No E-Mail (2262 of 21306), checked in Python.
    const c = compareProportions(3894, 21307, 2262, 21306);
    near(c.difference, 0.07658956365153125, 1e-13);
    near(c.low, 0.06995350121810838, 1e-12);
    near(c.high, 0.08322562608495411, 1e-12);
    near(c.statistic, 22.48604082719282, 1e-12);
    near(c.pValue, 5.68517e-112, 1e-5);
    expect(c.df).toBeUndefined();
    expect(compareProportions(0, 10, 0, 10)).toMatchObject({ difference: 0, statistic: 0, pValue: 1 });
  });

  it("compares two means with Welch's t-test", () => {
    // Welch on x = 1..5, y = 2, 4, 6, 8, 10, 12: means 3 and 7, variances 2.5 and 14.
    // se² = 0.5 + 14/6; df = se⁴ / (0.5²/4 + (14/6)²/5) = 6.97226; t = −4/√(2.8333) = −2.37635; p 0.0492843 (mpmath).
    const sd = (v: number) => Math.sqrt(v);
    const c = compareMeans(3, sd(2.5), 5, 7, sd(14), 6);
    expect(c.difference).toBe(-4);
    expect(c.statistic).toBeCloseTo(-4 / Math.sqrt(0.5 + 14 / 6), 12);
    const se2 = 0.5 + 14 / 6;
    expect(c.df).toBeCloseTo((se2 * se2) / (0.25 / 4 + (14 / 6) ** 2 / 5), 10);
    near(c.pValue, studentTTwoSidedP(c.statistic, c.df!), 1e-15);
    near(c.df!, 6.9722557297949337, 1e-13);
    near(c.pValue, 0.04928433820673052, 1e-12);
    const half = studentTQuantile(0.975, c.df!) * Math.sqrt(se2);
    expect(c.low).toBeCloseTo(-4 - half, 12);
    expect(c.high).toBeCloseTo(-4 + half, 12);
  });
});
