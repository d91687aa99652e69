// The seeded randomness training needs, so a run with the same seed splits and trains the same way
// on every machine: a small PRNG, a shuffle, and scikit-learn's stratified and shuffled splits and
// folds (re-exported by ./metrics.ts).
import { RandomState } from "./numpy-random";

/** mulberry32: a tiny 32-bit PRNG, uniform in [0, 1). Good enough for splits and weight init. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates in place. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Labels in NumPy's sorted order: numbers by value, text by code point. */
function sortedClasses(byClass: Map<string | number, number[]>): (string | number)[] {
  return [...byClass.keys()].sort((a, b) => {
    if (typeof a === "number" && typeof b === "number") return a - b;
    const x = [...String(a)].map((c) => c.codePointAt(0)!);
    const y = [...String(b)].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
}

/**
 * scikit-learn's `_approximate_mode`: how many of `draws` each class gets, in proportion to its
 * count, the rounding left-overs going to the largest remainders with ties drawn at random.
 */
function approximateMode(counts: readonly number[], draws: number, rng: RandomState): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  const continuous = counts.map((c) => (c / total) * draws);
  const floored = continuous.map(Math.floor);
  let needToAdd = draws - floored.reduce((s, f) => s + f, 0);
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]!);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const tied = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const addNow = Math.min(tied.length, needToAdd);
      for (const i of rng.choose(tied, addNow)) floored[i]!++;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

/**
 * Split row indices so each class keeps its share in both parts: scikit-learn's
 * `StratifiedShuffleSplit`, which `train_test_split(X, y, test_size=f, stratify=y, random_state=seed)`
 * uses, drawn from NumPy's Mersenne Twister (numpy-random.ts). The same labels, fraction and seed
 * give the same test rows as there. The test part has ceil(f * n) rows. Both lists are ascending.
 */
export function stratifiedSplit(labels: ArrayLike<string | number>, testFraction: number, seed: number): { train: number[]; test: number[] } {
  if (!(testFraction >= 0 && testFraction < 1)) throw new Error(`stratifiedSplit: testFraction ${testFraction} must be in [0, 1)`);
  const byClass = new Map<string | number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]!);
    if (members) members.push(i);
    else byClass.set(labels[i]!, [i]);
  }
  const nTest = Math.ceil(testFraction * labels.length);
  if (nTest === 0) return { train: Array.from({ length: labels.length }, (_, i) => i), test: [] };
  const rng = new RandomState(seed >>> 0);
  const members = sortedClasses(byClass).map((c) => byClass.get(c)!);
  const counts = members.map((m) => m.length);
  const inTrain = approximateMode(counts, labels.length - nTest, rng);
  const inTest = approximateMode(
    counts.map((c, i) => c - inTrain[i]!),
    nTest,
    rng,
  );
  const train: number[] = [];
  const test: number[] = [];
  for (const [c, rows] of members.entries()) {
    const order = rng.permutation(rows.length).map((k) => rows[k]!);
    train.push(...order.slice(0, inTrain[c]));
    test.push(...order.slice(inTrain[c], inTrain[c]! + inTest[c]!));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: train.sort(ascending), test: test.sort(ascending) };
}

/**
 * Split row indices 0 .. n-1 at random, without regard to any label: scikit-learn's `ShuffleSplit`,
 * which `train_test_split(X, test_size=f, random_state=seed)` uses. The test part is the first
 * ceil(f * n) positions of NumPy's permutation(n) with the seed, as there. Both lists are ascending.
 */
export function shuffleSplit(n: number, testFraction: number, seed: number): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`shuffleSplit: testFraction ${testFraction} must be in (0, 1)`);
  const order = new RandomState(seed >>> 0).permutation(n);
  const nTest = Math.ceil(testFraction * n);
  const ascending = (a: number, b: number) => a - b;
  return { train: order.slice(nTest).sort(ascending), test: order.slice(0, nTest).sort(ascending) };
}

/**
 * Split row indices into `folds` parts for cross-validation, each class dealt out evenly (its
 * members shuffled with the seed, then given to the parts in turn, the next class starting where
 * the last one stopped). Returns the held-out indices of each part, ascending; every index is in
 * exactly one part.
 */
export function stratifiedFolds(labels: ArrayLike<string | number>, folds: number, seed: number): number[][] {
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`stratifiedFolds: ${folds} folds; need at least 2`);
  const byClass = new Map<string | number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]!);
    if (members) members.push(i);
    else byClass.set(labels[i]!, [i]);
  }
  const random = mulberry32(seed);
  const parts = Array.from({ length: folds }, () => [] as number[]);
  const classes = [...byClass.keys()].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  let next = 0;
  for (const cls of classes) {
    for (const i of shuffle(byClass.get(cls)!, random)) {
      parts[next]!.push(i);
      next = (next + 1) % folds;
    }
  }
  return parts.map((p) => p.sort((a, b) => a - b));
}
