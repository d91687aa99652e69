import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { valueTypeOf } from "../transform/expression";
import {
  centreInOriginalUnits,
  kmeans,
  orderBySize,
  sampleIndices,
  SEGMENTATION_KIND,
  signedLog1p,
  silhouette,
  type Checkpoint,
  type KMeansResult,
  type SegmentationArtifact,
} from "./kmeans";

const BATCH_ROWS = 50_000;
const PROGRESS_EVERY_MS = 250;
/** Let timers, heartbeats and the abort signal through at least this often. */
const YIELD_EVERY_MS = 50;
const CENTRE_COLUMNS = ["segment", "size", "share"];

const config = z
  .object({
    columns: z
      .array(column(z.string().min(1)))
      .min(1)
      .describe("Numeric columns that describe each customer, e.g. recency, frequency and monetary. Each is put on the same scale first."),
    logColumns: advanced(
      z
        .array(column(z.string().min(1)))
        .default([])
        .describe(
          "Of those columns, the skewed ones (spend, order counts) to take the log of first, log(1 + value), so a few very large values do not get a segment to themselves.",
        ),
    ),
    k: z
      .number()
      .int()
      .min(2)
      .max(30)
      .optional()
      .describe("Number of segments. Empty: every number from K min to K max (under Advanced) is tried and the one whose segments are best separated (highest silhouette) is kept."),
    kMin: advanced(z.number().int().min(2).max(30).default(2).describe("Fewest segments to try when the number of segments is empty.")),
    kMax: advanced(z.number().int().min(2).max(30).default(8).describe("Most segments to try when the number of segments is empty.")),
    seed: advanced(z.number().int().default(42).describe("Seed for the starting points and the silhouette sample: the same seed gives the same segments.")),
    nInit: advanced(z.number().int().min(1).max(50).default(10).describe("Fresh starts for each number of segments; the one with the tightest segments is kept.")),
    maxIterations: advanced(z.number().int().min(1).max(10_000).default(300).describe("Most refinement rounds per start; a start also stops once no customer changes segment.")),
    silhouetteSample: advanced(
      z
        .number()
        .int()
        .min(100)
        .max(20_000)
        .default(3_000)
        .describe("Rows (drawn with the seed) on which the silhouette is measured; its cost grows with the square of this number."),
    ),
    segmentColumn: advanced(z.string().min(1).default("segment").describe("Name of the new column holding each row's segment: 1 is the biggest segment, 2 the next, and so on.")),
    modelName: z.string().min(1).default("segments").describe("Name in the model registry, to assign segments to new rows later; each run saves a new version."),
  })
  .superRefine((c, issue) => {
    if (c.kMin > c.kMax) issue.addIssue({ code: "custom", path: ["kMax"], message: "The most segments to try (K max) must be at least the fewest (K min)" });
    const seen = new Set<string>();
    c.columns.forEach((col, i) => {
      if (seen.has(col)) issue.addIssue({ code: "custom", path: ["columns", i], message: `Column "${col}" is listed twice` });
      seen.add(col);
    });
    c.logColumns.forEach((col, i) => {
      if (!seen.has(col)) issue.addIssue({ code: "custom", path: ["logColumns", i], message: `"${col}" is not one of the columns to segment by` });
    });
  });

type Config = z.output<typeof config>;

/** Reads the chosen columns in file order as numbers; null where a value is missing or not finite. */
async function readPoints(ctx: NodeContext, ref: DatasetRef, columns: readonly string[]): Promise<{ values: Float64Array; complete: Uint8Array }> {
  const { ident } = ctx.datasets;
  const d = columns.length;
  const values = new Float64Array(ref.rows * d);
  const complete = new Uint8Array(ref.rows);
  const select = columns.map((c, j) => `CAST(${ident(c)} AS DOUBLE) AS v${j}`).join(", ");
  let n = 0;
  for await (const batch of ctx.datasets.batches<Record<string, number | null>>(`SELECT ${select} FROM ${ctx.datasets.fromWithPosition(ref)} ORDER BY file_row_number`, BATCH_ROWS)) {
    ctx.signal.throwIfAborted();
    if (n + batch.length > ref.rows) throw new Error(`model.segment: read more rows than the dataset's ${ref.rows}`);
    for (const row of batch) {
      let ok = 1;
      for (let j = 0; j < d; j++) {
        const v = row[`v${j}`];
        if (v === null || v === undefined || !Number.isFinite(v)) ok = 0;
        else values[n * d + j] = v;
      }
      complete[n++] = ok;
    }
    ctx.progress(null, "reading", { rows: n });
  }
  if (n !== ref.rows) throw new Error(`model.segment: read ${n} rows, the dataset has ${ref.rows}`);
  return { values, complete };
}

/** Log where asked, then standardise each column by its mean and (population) standard deviation. */
function prepare(values: Float64Array, complete: Uint8Array, d: number, log: boolean[]) {
  const rows: number[] = [];
  for (let i = 0; i < complete.length; i++) if (complete[i]) rows.push(i);
  const n = rows.length;
  const data = new Float64Array(n * d);
  rows.forEach((i, r) => {
    for (let j = 0; j < d; j++) {
      const v = values[i * d + j]!;
      data[r * d + j] = log[j] ? signedLog1p(v) : v;
    }
  });
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (let j = 0; j < d; j++) {
    let sum = 0;
    for (let r = 0; r < n; r++) sum += data[r * d + j]!;
    mean[j] = sum / n;
    let sq = 0;
    for (let r = 0; r < n; r++) sq += (data[r * d + j]! - mean[j]!) ** 2;
    const s = Math.sqrt(sq / n);
    std[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j]!)) ? s : 1;
  }
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) data[r * d + j] = (data[r * d + j]! - mean[j]!) / std[j]!;
  return { rows, data, mean, std };
}

/** Through text: a DOUBLE read from its shortest JavaScript spelling is the same number (a decimal literal may not be). */
function sqlNumber(x: number): string {
  return Number.isFinite(x) ? `CAST('${x}' AS DOUBLE)` : "CAST(NULL AS DOUBLE)";
}

function checkColumns(ref: DatasetRef, cfg: Config): void {
  const byName = new Map(ref.columns.map((c) => [c.name, c]));
  for (const name of cfg.columns) {
    const col = byName.get(name);
    if (!col) throw new ConfigError(`Column "${name}" is not in the input (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field: "columns" });
    if (valueTypeOf(col.type) !== "number") throw new ConfigError(`Column "${name}" holds ${col.type}, not numbers`, { field: "columns" });
    if (CENTRE_COLUMNS.includes(name.toLowerCase())) {
      throw new ConfigError(`Column "${name}" has a name the centres table uses (${CENTRE_COLUMNS.join(", ")}); rename it first`, { field: "columns" });
    }
  }
  if (byName.has(cfg.segmentColumn)) {
    throw new ConfigError(`The input already has a column "${cfg.segmentColumn}"; choose another segment column name`, { field: "segmentColumn" });
  }
}

export default defineNode({
  type: "model.segment",
  version: 1,
  kind: "model",
  label: "Segment customers",
  description:
    "Group similar customers (k-means) on the columns you choose, for example recency, frequency and monetary from RFM scores. Give the number of segments, or let it be chosen by how well separated the segments are. Adds a segment column (1 = biggest), gives a table of each segment's size and centre, and saves a model to put new customers in the same segments.",
  inputs: { rows: "table" },
  outputs: { rows: "table", centres: "table", model: "model" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    checkColumns(ref, cfg);
    const d = cfg.columns.length;
    const log = cfg.columns.map((c) => cfg.logColumns.includes(c));

    const { values, complete } = await readPoints(ctx, ref, cfg.columns);
    const { rows, data, mean, std } = prepare(values, complete, d, log);
    const n = rows.length;
    const skipped = ref.rows - n;
    if (n === 0) throw new DataError(`No row has a value in every one of ${cfg.columns.map((c) => `"${c}"`).join(", ")}`, { where: cfg.columns[0] });
    if (skipped > 0) ctx.log.warn("Rows with a missing value get no segment", { rows: skipped });

    if (cfg.k !== undefined && n < cfg.k) throw new DataError(`${n} row${n === 1 ? "" : "s"} with values cannot make ${cfg.k} segments`);
    // The silhouette needs at least one more row than segments.
    const ks = cfg.k !== undefined ? [cfg.k] : range(cfg.kMin, Math.min(cfg.kMax, n - 1));
    if (ks.length === 0) throw new DataError(`${n} row${n === 1 ? "" : "s"} with values are too few to try ${cfg.kMin} or more segments`);
    const sample = sampleIndices(n, cfg.silhouetteSample, cfg.seed);

    // Progress by restarts done; heartbeats and cancellation between iterations.
    const totalRestarts = ks.length * cfg.nInit;
    let done = 0;
    let lastYield = Date.now();
    let lastProgress = 0;
    let current = ks[0]!;
    const checkpoint: Checkpoint = async ({ restart, iteration }) => {
      ctx.signal.throwIfAborted();
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        ctx.progress((done + restart) / totalRestarts, `k = ${current}: start ${restart + 1} of ${cfg.nInit}`, { k: current, restart: restart + 1, iteration });
      }
      if (now - lastYield >= YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = Date.now();
        ctx.signal.throwIfAborted();
      }
    };

    const tried: { k: number; inertia: number; silhouette: number | null; iterations: number; converged: boolean }[] = [];
    let best: { result: KMeansResult; silhouette: number } | undefined;
    for (const k of ks) {
      current = k;
      const result = await kmeans(data, n, d, k, { seed: cfg.seed + k, nInit: cfg.nInit, maxIterations: cfg.maxIterations, checkpoint });
      done += cfg.nInit;
      ctx.signal.throwIfAborted();
      const s = silhouette(data, d, result.labels, k, sample);
      tried.push({ k, inertia: result.inertia, silhouette: Number.isNaN(s) ? null : s, iterations: result.iterations, converged: result.converged });
      // The highest silhouette wins; the fewer segments on a tie (or when it cannot be measured).
      if (!best || (!Number.isNaN(s) && (Number.isNaN(best.silhouette) || s > best.silhouette))) best = { result, silhouette: s };
      await new Promise((resolve) => setImmediate(resolve));
    }
    const chosen = best!.result;
    const { k } = chosen;
    const ordered = orderBySize(chosen, d);
    ctx.progress(1, `${k} segments`, { k });

    const segment = new Float64Array(ref.rows).fill(Number.NaN); // NaN is stored as NULL
    rows.forEach((i, r) => (segment[i] = ordered.labels[r]! + 1));
    const out = await ctx.datasets.addColumn(ref, { name: cfg.segmentColumn, type: "INTEGER" }, segment);

    const centres = Array.from({ length: k }, (_, c) => ordered.centres.subarray(c * d, c * d + d));
    const original = centres.map((c) => centreInOriginalUnits(c, { log, mean, std }));
    const { ident } = ctx.datasets;
    const tuples = original.map((centre, c) => `(${c + 1}, ${ordered.sizes[c]}, ${sqlNumber(ordered.sizes[c]! / n)}, ${centre.map(sqlNumber).join(", ")})`);
    const names = ["segment", "size", "share", ...cfg.columns].map(ident).join(", ");
    const centresRef = await ctx.datasets.create(
      `SELECT CAST(segment AS INTEGER) AS segment, CAST(size AS BIGINT) AS size, * EXCLUDE (segment, size) FROM (VALUES ${tuples.join(", ")}) t(${names}) ORDER BY segment`,
    );

    const picked = tried.find((t) => t.k === k)!;
    const metrics = {
      k,
      chosenBy: cfg.k !== undefined ? "given" : "silhouette",
      inertia: chosen.inertia,
      silhouette: picked.silhouette,
      tried,
      sizes: ordered.sizes,
      shares: ordered.sizes.map((s) => s / n),
      rows: ref.rows,
      segmentedRows: n,
      rowsWithoutSegment: skipped,
      silhouetteSample: sample.length,
      iterations: chosen.iterations,
      converged: chosen.converged,
      columns: cfg.columns,
      logColumns: cfg.columns.filter((_, j) => log[j]),
      centres: original.map((centre, c) => ({ segment: c + 1, size: ordered.sizes[c]!, ...Object.fromEntries(cfg.columns.map((col, j) => [col, centre[j]!])) })),
    };
    const artifact: SegmentationArtifact = { version: 1, columns: cfg.columns, log, mean, std, centres: centres.map((c) => Array.from(c)), sizes: ordered.sizes };
    const model = await ctx.models.save({ name: cfg.modelName, kind: SEGMENTATION_KIND, metrics, artifact, datasetId: ref.id });
    return { outputs: { rows: out, centres: centresRef, model }, metrics: { ...metrics, model: model.name, modelVersion: model.version } };
  },
});

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k <= to; k++) out.push(k);
  return out;
}
