import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode, type Column } from "../sdk";
import { valueTypeOf } from "../transform/expression";

/** More segments than this is a column of ids or amounts rather than segments. */
const MAX_SEGMENTS = 100;
const OUTPUT_COLUMNS = ["segment", "size", "share", "feature", "mean", "overall_mean", "difference", "ratio", "standardised_difference"];

const config = z.object({
  segmentColumn: advanced(column(z.string().min(1)).default("segment").describe("The column holding each row's segment, e.g. the one Segment customers adds.")),
  columns: z
    .array(column(z.string().min(1)))
    .default([])
    .describe("Numeric columns to compare across segments. Empty: every numeric column except the segment column and the excluded ones."),
  exclude: z.array(column(z.string().min(1))).default([]).describe("Numeric columns not to compare, such as customer ids."),
});

export interface FeatureProfile {
  mean: number | null;
  /** Segment mean minus the overall mean. */
  difference: number | null;
  /** Segment mean over the overall mean; null when the overall mean is 0. */
  ratio: number | null;
  /** The difference in overall standard deviations (a z-like score); null when the column is constant. */
  standardisedDifference: number | null;
}

export interface SegmentProfile {
  segment: unknown;
  size: number;
  share: number;
  features: Record<string, FeatureProfile>;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Through text: a DOUBLE read from its shortest JavaScript spelling is the same number (a decimal literal may not be). */
function sqlNumber(x: number | null): string {
  return x !== null && Number.isFinite(x) ? `CAST('${x}' AS DOUBLE)` : "CAST(NULL AS DOUBLE)";
}

export default defineNode({
  type: "insight.segment-profile",
  version: 1,
  kind: "insight",
  label: "Segment profile",
  description:
    "Describe each segment against all customers: its size and share, the average of each chosen column, and how far that average is from the overall one (difference, ratio, and difference in standard deviations, where ±1 or more stands out). Also as a table, one row per segment and column.",
  inputs: { rows: "table" },
  outputs: { profile: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    const { ident, literal } = ctx.datasets;
    const byName = new Map(ref.columns.map((c) => [c.name, c]));
    const seg = byName.get(cfg.segmentColumn);
    if (!seg) {
      throw new ConfigError(`No column "${cfg.segmentColumn}" in the input (columns: ${ref.columns.map((c) => c.name).join(", ")})`, { field: "segmentColumn" });
    }
    for (const name of cfg.exclude) {
      if (!byName.has(name)) throw new ConfigError(`Excluded column "${name}" is not in the input`, { field: "exclude" });
    }
    let features: Column[];
    if (cfg.columns.length) {
      features = cfg.columns.map((name) => {
        const col = byName.get(name);
        if (!col) throw new ConfigError(`Column "${name}" is not in the input`, { field: "columns" });
        if (valueTypeOf(col.type) !== "number") throw new ConfigError(`Column "${name}" holds ${col.type}, not numbers`, { field: "columns" });
        if (name === seg.name) throw new ConfigError(`The segment column "${name}" cannot also be compared`, { field: "columns" });
        return col;
      });
      features = features.filter((c, i) => !cfg.exclude.includes(c.name) && features.findIndex((f) => f.name === c.name) === i);
    } else {
      features = ref.columns.filter((c) => c.name !== seg.name && !cfg.exclude.includes(c.name) && valueTypeOf(c.type) === "number");
    }
    if (features.length === 0) throw new ConfigError("No numeric columns are left to compare", { field: "columns" });

    const src = ctx.datasets.from(ref);
    const s = ident(seg.name);
    const values = features.map((c, j) => `CAST(${ident(c.name)} AS DOUBLE) AS f${j}`).join(", ");
    const [counts] = await ctx.datasets.query<{ rows: number; without: number; segments: number }>(
      `SELECT count(*) AS rows, count(*) FILTER (WHERE ${s} IS NULL) AS without, count(DISTINCT ${s}) AS segments FROM ${src}`,
    );
    const segments = Number(counts!.segments);
    if (segments === 0) throw new DataError(`The segment column "${seg.name}" is empty in every row`, { where: seg.name });
    if (segments > MAX_SEGMENTS) {
      throw new ConfigError(`"${seg.name}" has ${segments} different values; a segment column has at most ${MAX_SEGMENTS}`, { field: "segmentColumn" });
    }

    ctx.progress(null, "Profiling segments");
    const means = features.map((_, j) => `avg(f${j}) AS m${j}`).join(", ");
    const stds = features.map((_, j) => `stddev_pop(f${j}) AS s${j}`).join(", ");
    const base = `SELECT ${s} AS seg, ${values} FROM ${src} WHERE ${s} IS NOT NULL`;
    const [overall] = await ctx.datasets.query<Record<string, unknown>>(`SELECT count(*) AS n, ${means}, ${stds} FROM (${base})`);
    // The segment also as text, for metrics (JSON) and for writing it back in its own type.
    const groups = await ctx.datasets.query<Record<string, unknown>>(
      `SELECT seg, CAST(seg AS VARCHAR) AS seg_text, count(*) AS n, ${means} FROM (${base}) GROUP BY seg ORDER BY seg`,
    );
    ctx.signal.throwIfAborted();

    const total = Number(overall!.n);
    const overallMean = features.map((_, j) => num(overall![`m${j}`]));
    const overallStd = features.map((_, j) => num(overall![`s${j}`]));
    const profiles: (SegmentProfile & { text: string })[] = groups.map((g) => {
      const size = Number(g.n);
      const entries = features.map((c, j): [string, FeatureProfile] => {
        const mean = num(g[`m${j}`]);
        const all = overallMean[j]!;
        const sd = overallStd[j]!;
        const difference = mean !== null && all !== null ? mean - all : null;
        return [
          c.name,
          {
            mean,
            difference,
            ratio: mean !== null && all !== null && all !== 0 ? mean / all : null,
            standardisedDifference: difference !== null && sd !== null && sd > 0 ? difference / sd : null,
          },
        ];
      });
      const segment = typeof g.seg === "number" || typeof g.seg === "string" || typeof g.seg === "boolean" ? g.seg : String(g.seg_text);
      return { segment, text: String(g.seg_text), size, share: size / total, features: Object.fromEntries(entries) };
    });

    const tuples: string[] = [];
    for (const p of profiles) {
      features.forEach((c, j) => {
        const f = p.features[c.name]!;
        tuples.push(
          `(CAST(${literal(p.text)} AS ${seg.type}), ${p.size}, ${sqlNumber(p.share)}, ${literal(c.name)}, ${j}, ${sqlNumber(f.mean)}, ${sqlNumber(overallMean[j]!)}, ` +
            `${sqlNumber(f.difference)}, ${sqlNumber(f.ratio)}, ${sqlNumber(f.standardisedDifference)})`,
        );
      });
    }
    const names = [...OUTPUT_COLUMNS.slice(0, 4), "feature_order", ...OUTPUT_COLUMNS.slice(4)].map(ident).join(", ");
    const profile = await ctx.datasets.create(
      `SELECT segment, CAST(size AS BIGINT) AS size, share, feature, mean, overall_mean, difference, ratio, standardised_difference
         FROM (VALUES ${tuples.join(", ")}) t(${names}) ORDER BY segment, feature_order`,
    );

    return {
      outputs: { profile },
      metrics: {
        rows: Number(counts!.rows),
        rowsWithoutSegment: Number(counts!.without),
        segmentCount: segments,
        columns: features.map((c) => c.name),
        overall: {
          size: total,
          mean: Object.fromEntries(features.map((c, j) => [c.name, overallMean[j]])),
          std: Object.fromEntries(features.map((c, j) => [c.name, overallStd[j]])),
        },
        segments: profiles.map(({ text: _text, ...p }) => p),
      },
    };
  },
});
