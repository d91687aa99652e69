// k-means for customer segmentation: k-means++ seeding, Lloyd iterations, best of several restarts,
// and the silhouette score to choose k. Points are rows of a flat Float64Array (n rows of d values),
// already standardised by the caller. Everything is seeded, so a seed gives the same segments on
// every machine. The functions are pure apart from the optional `checkpoint`, which the node uses
// for progress, heartbeats and cancellation between iterations.
import { mulberry32 } from "./metrics";

/** Called between iterations; may throw (cancellation) or wait (to let the event loop run). */
export type Checkpoint = (event: { restart: number; iteration: number }) => void | Promise<void>;

export interface KMeansOptions {
  seed: number;
  /** Fresh k-means++ starts; the one with the lowest inertia is kept. */
  nInit: number;
  maxIterations: number;
  checkpoint?: Checkpoint;
}

export interface KMeansResult {
  k: number;
  /** k rows of d values. */
  centres: Float64Array;
  /** The nearest centre of each point (0-based). */
  labels: Int32Array;
  /** Sum of squared distances from each point to its centre. */
  inertia: number;
  /** Lloyd iterations of the kept restart. */
  iterations: number;
  /** The kept restart stopped because no point changed segment (not at maxIterations). */
  converged: boolean;
}

function squaredDistance(data: Float64Array, i: number, centres: Float64Array, c: number, d: number): number {
  let s = 0;
  const a = i * d;
  const b = c * d;
  for (let j = 0; j < d; j++) {
    const diff = data[a + j]! - centres[b + j]!;
    s += diff * diff;
  }
  return s;
}

/** The nearest of k centres (the lowest index on a tie) and the squared distance to it. */
export function nearest(data: Float64Array, i: number, centres: Float64Array, k: number, d: number): { c: number; dist: number } {
  let best = 0;
  let bestDist = Infinity;
  for (let c = 0; c < k; c++) {
    const dist = squaredDistance(data, i, centres, c, d);
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  return { c: best, dist: bestDist };
}

/**
 * k-means++ (Arthur & Vassilvitskii 2007): the first centre is a random point, each next one a
 * point drawn with probability proportional to its squared distance to the nearest centre so far.
 */
export function kmeansPlusPlus(data: Float64Array, n: number, d: number, k: number, random: () => number): Float64Array {
  const centres = new Float64Array(k * d);
  const copy = (c: number, i: number) => centres.set(data.subarray(i * d, i * d + d), c * d);
  copy(0, Math.min(n - 1, Math.floor(random() * n)));
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = squaredDistance(data, i, centres, 0, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += closest[i]!;
    let pick = n - 1;
    if (total > 0) {
      let r = random() * total;
      for (let i = 0; i < n; i++) {
        r -= closest[i]!;
        if (r < 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = Math.min(n - 1, Math.floor(random() * n)); // every point sits on a centre already
    }
    copy(c, pick);
    for (let i = 0; i < n; i++) {
      const dist = squaredDistance(data, i, centres, c, d);
      if (dist < closest[i]!) closest[i] = dist;
    }
  }
  return centres;
}

/** Assign every point to its nearest centre; returns the inertia and how many points moved. */
function assignAll(data: Float64Array, n: number, d: number, centres: Float64Array, k: number, labels: Int32Array, dist: Float64Array): { inertia: number; moved: number } {
  let inertia = 0;
  let moved = 0;
  for (let i = 0; i < n; i++) {
    const a = i * d;
    let best = 0;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      const b = c * d;
      let s = 0;
      for (let j = 0; j < d && s < bestDist; j++) {
        const diff = data[a + j]! - centres[b + j]!;
        s += diff * diff;
      }
      if (s < bestDist) {
        bestDist = s;
        best = c;
      }
    }
    if (labels[i] !== best) {
      labels[i] = best;
      moved++;
    }
    dist[i] = bestDist;
    inertia += bestDist;
  }
  return { inertia, moved };
}

/**
 * Move each centre to the mean of its points. A segment left without points takes the point
 * farthest from its own centre (from a segment of two or more), so k segments stay k.
 */
function updateCentres(data: Float64Array, n: number, d: number, centres: Float64Array, k: number, labels: Int32Array, dist: Float64Array): void {
  const counts = new Float64Array(k);
  const sums = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    counts[c] = counts[c]! + 1;
    for (let j = 0; j < d; j++) sums[c * d + j] = sums[c * d + j]! + data[i * d + j]!;
  }
  for (let c = 0; c < k; c++) {
    if (counts[c]! > 0) continue;
    let far = -1;
    for (let i = 0; i < n; i++) {
      if (counts[labels[i]!]! > 1 && (far < 0 || dist[i]! > dist[far]!)) far = i;
    }
    if (far < 0) break; // fewer distinct points than segments: nothing left to move
    const old = labels[far]!;
    counts[old] = counts[old]! - 1;
    for (let j = 0; j < d; j++) {
      sums[old * d + j] = sums[old * d + j]! - data[far * d + j]!;
      sums[c * d + j] = data[far * d + j]!;
    }
    counts[c] = 1;
    labels[far] = c;
    dist[far] = 0;
  }
  for (let c = 0; c < k; c++) {
    if (counts[c]! === 0) continue; // keeps its old centre
    for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j]! / counts[c]!;
  }
}

async function lloyd(
  data: Float64Array,
  n: number,
  d: number,
  centres: Float64Array,
  k: number,
  maxIterations: number,
  onIteration: (iteration: number) => void | Promise<void>,
): Promise<Omit<KMeansResult, "k" | "centres">> {
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  let { inertia } = assignAll(data, n, d, centres, k, labels, dist);
  while (iterations < maxIterations) {
    await onIteration(iterations);
    updateCentres(data, n, d, centres, k, labels, dist);
    iterations++;
    const step = assignAll(data, n, d, centres, k, labels, dist);
    inertia = step.inertia;
    if (step.moved === 0) {
      converged = true;
      break;
    }
  }
  // Not converged: the labels already belong to the final centres (assigned after the last move).
  return { labels, inertia, iterations, converged };
}

/** k-means with nInit seeded k-means++ starts; the start with the lowest inertia wins (the first on a tie). */
export async function kmeans(data: Float64Array, n: number, d: number, k: number, opts: KMeansOptions): Promise<KMeansResult> {
  if (!Number.isInteger(k) || k < 1) throw new Error(`kmeans: k must be a positive integer, got ${k}`);
  if (n < k) throw new Error(`kmeans: ${n} points cannot make ${k} segments`);
  if (data.length !== n * d) throw new Error(`kmeans: ${data.length} values for ${n} points of ${d}`);
  const random = mulberry32(opts.seed);
  let best: KMeansResult | undefined;
  for (let restart = 0; restart < Math.max(1, opts.nInit); restart++) {
    const centres = kmeansPlusPlus(data, n, d, k, random);
    const run = await lloyd(data, n, d, centres, k, opts.maxIterations, (iteration) => opts.checkpoint?.({ restart, iteration }));
    if (!best || run.inertia < best.inertia) best = { k, centres, ...run };
  }
  return best!;
}

/**
 * Relabel segments by descending size (ties: the lower old label first), so segment 0 is the
 * biggest. Returns the new labels, the reordered centres and the sizes in the new order.
 */
export function orderBySize(result: KMeansResult, d: number): { labels: Int32Array; centres: Float64Array; sizes: number[] } {
  const { k } = result;
  const counts = new Array<number>(k).fill(0);
  for (const c of result.labels) counts[c] = counts[c]! + 1;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const rank = new Int32Array(k);
  order.forEach((old, i) => (rank[old] = i));
  const labels = result.labels.map((c) => rank[c]!);
  const centres = new Float64Array(k * d);
  order.forEach((old, i) => centres.set(result.centres.subarray(old * d, old * d + d), i * d));
  return { labels, centres, sizes: order.map((old) => counts[old]!) };
}

/** Up to `size` distinct indices below n, drawn with the seed, ascending. All of them when n <= size. */
export function sampleIndices(n: number, size: number, seed: number): Int32Array {
  if (n <= size) return Int32Array.from({ length: n }, (_, i) => i);
  // Partial Fisher-Yates over a virtual 0..n-1 array.
  const random = mulberry32(seed);
  const swapped = new Map<number, number>();
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (n - i));
    const vj = swapped.get(j) ?? j;
    out[i] = vj;
    swapped.set(j, swapped.get(i) ?? i);
  }
  return out.sort();
}

/**
 * Mean silhouette (Rousseeuw 1987) of the points in `sample`, measured against the other sampled
 * points with Euclidean distance: s = (b - a) / max(a, b), where a is the mean distance to the
 * point's own segment and b to the nearest other segment. A point alone in its segment scores 0,
 * as in scikit-learn. Between -1 and 1; higher means tighter, better separated segments. NaN when
 * the sample holds fewer than two segments.
 */
export function silhouette(data: Float64Array, d: number, labels: ArrayLike<number>, k: number, sample: ArrayLike<number>): number {
  const m = sample.length;
  const sizes = new Float64Array(k);
  for (let s = 0; s < m; s++) {
    const c = labels[sample[s]!]!;
    sizes[c] = sizes[c]! + 1;
  }
  let present = 0;
  for (let c = 0; c < k; c++) if (sizes[c]! > 0) present++;
  if (present < 2) return Number.NaN;
  const sums = new Float64Array(k);
  let total = 0;
  for (let s = 0; s < m; s++) {
    const i = sample[s]!;
    sums.fill(0);
    for (let t = 0; t < m; t++) {
      if (t === s) continue;
      const j = sample[t]!;
      let sq = 0;
      for (let x = 0; x < d; x++) {
        const diff = data[i * d + x]! - data[j * d + x]!;
        sq += diff * diff;
      }
      const lj = labels[j]!;
      sums[lj] = sums[lj]! + Math.sqrt(sq);
    }
    const own = labels[i]!;
    if (sizes[own]! <= 1) continue; // scores 0
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    const denominator = Math.max(a, b);
    total += denominator > 0 ? (b - a) / denominator : 0;
  }
  return total / m;
}

/** The signed log transform used for skewed columns: log(1 + |x|) with the sign of x. */
export const signedLog1p = (x: number): number => (x < 0 ? -Math.log1p(-x) : Math.log1p(x));
export const signedExpm1 = (y: number): number => (y < 0 ? -Math.expm1(-y) : Math.expm1(y));

/**
 * How a saved segmentation turns a row into a point, and its centres: written by model.segment,
 * read by model.assign-segment. Centres are standardised, index 0 being segment 1.
 */
export interface SegmentationArtifact {
  version: 1;
  columns: string[];
  /** Per column: log-transformed (signed log1p) before standardising. */
  log: boolean[];
  mean: number[];
  /** Never 0: a constant column is divided by 1. */
  std: number[];
  centres: number[][];
  /** Training size of each segment, in segment order. */
  sizes: number[];
}

export const SEGMENTATION_KIND = "segmentation/kmeans";

/** The standardised point of one row, or false when a value is missing or not finite. */
export function toPoint(values: ArrayLike<number | null>, spec: Pick<SegmentationArtifact, "log" | "mean" | "std">, out: Float64Array, offset: number): boolean {
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (v === null || v === undefined || !Number.isFinite(v)) return false;
    const x = spec.log[j] ? signedLog1p(v) : v;
    out[offset + j] = (x - spec.mean[j]!) / spec.std[j]!;
  }
  return true;
}

/** A standardised centre back in the columns' own units (undoing the log where one was taken). */
export function centreInOriginalUnits(centre: ArrayLike<number>, spec: Pick<SegmentationArtifact, "log" | "mean" | "std">): number[] {
  return Array.from(centre, (z, j) => {
    const x = z * spec.std[j]! + spec.mean[j]!;
    return spec.log[j] ? signedExpm1(x) : x;
  });
}
