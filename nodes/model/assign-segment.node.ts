import { z } from "zod";
import { advanced, ConfigError, DataError, defineNode, type SavedModel } from "../sdk";
import { modelFromInputOrName } from "./saved-model";
import { valueTypeOf } from "../transform/expression";
import { nearest, SEGMENTATION_KIND, toPoint, type SegmentationArtifact } from "./kmeans";

const BATCH_ROWS = 50_000;

const config = z.object({
  modelName: z
    .string()
    .optional()
    .describe("The saved segmentation to use when no model is connected here. Its current version is used (the Models page says which) unless you pick a version below."),
  modelVersion: z.number().int().min(1).optional().describe("A version of that saved model to use. Empty: its current version."),
  segmentColumn: advanced(z.string().min(1).default("segment").describe("Name of the new column holding each row's segment (the numbers of the saved segmentation).")),
});

function segmentationArtifact(saved: SavedModel): SegmentationArtifact {
  const what = `Model "${saved.ref.name}" version ${saved.ref.version}`;
  if (saved.kind !== SEGMENTATION_KIND) throw new ConfigError(`${what} is a ${saved.kind}; this node assigns ${SEGMENTATION_KIND} segments`, { field: "model" });
  const a = saved.artifact as Partial<SegmentationArtifact> | null;
  const d = a?.columns?.length ?? 0;
  if (!a || d === 0 || a.log?.length !== d || a.mean?.length !== d || a.std?.length !== d || !a.centres?.length || a.centres.some((c) => c.length !== d)) {
    throw new DataError(`${what} has no usable centres or column scaling saved`, { where: "model" });
  }
  return a as SegmentationArtifact;
}

export default defineNode({
  type: "model.assign-segment",
  version: 1,
  kind: "model",
  label: "Assign segment",
  description:
    "Put each row in the nearest segment of a saved segmentation (from Segment customers), using the same columns, log and scaling as when it was made. " +
    "Rows with a missing value get no segment.",
  inputs: { rows: "table", model: { type: "model", optional: true } },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    const saved = await modelFromInputOrName(ctx, inputs.model, cfg, "a segmentation model");
    const spec = segmentationArtifact(saved);
    const label = `model "${saved.ref.name}" version ${saved.ref.version}`;

    const byName = new Map(ref.columns.map((c) => [c.name, c]));
    const missing = spec.columns.filter((c) => !byName.has(c));
    if (missing.length) {
      throw new ConfigError(`The input lacks column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `"${c}"`).join(", ")} needed by ${label}`, { field: "rows" });
    }
    for (const c of spec.columns) {
      const type = byName.get(c)!.type;
      if (valueTypeOf(type) !== "number") throw new ConfigError(`Column "${c}" holds ${type}, not the numbers ${label} needs`, { field: "rows" });
    }
    if (byName.has(cfg.segmentColumn)) {
      throw new ConfigError(`The input already has a column "${cfg.segmentColumn}"; choose another segment column name`, { field: "segmentColumn" });
    }

    const d = spec.columns.length;
    const k = spec.centres.length;
    const centres = Float64Array.from(spec.centres.flat());
    const point = new Float64Array(d);
    const values = new Array<number | null>(d);
    const segment = new Float64Array(ref.rows);
    const sizes = new Array<number>(k).fill(0);
    const { ident } = ctx.datasets;
    const select = spec.columns.map((c, j) => `CAST(${ident(c)} AS DOUBLE) AS v${j}`).join(", ");
    let n = 0;
    let unassigned = 0;
    for await (const batch of ctx.datasets.batches<Record<string, number | null>>(`SELECT ${select} FROM ${ctx.datasets.fromWithPosition(ref)} ORDER BY file_row_number`, BATCH_ROWS)) {
      ctx.signal.throwIfAborted();
      if (n + batch.length > ref.rows) throw new Error(`model.assign-segment: read more rows than the dataset's ${ref.rows}`);
      for (const row of batch) {
        for (let j = 0; j < d; j++) values[j] = row[`v${j}`] ?? null;
        if (toPoint(values, spec, point, 0)) {
          const c = nearest(point, 0, centres, k, d).c;
          segment[n++] = c + 1;
          sizes[c] = sizes[c]! + 1;
        } else {
          segment[n++] = Number.NaN; // stored as NULL
          unassigned++;
        }
      }
      ctx.progress(ref.rows ? n / ref.rows : 1, "assigning", { rows: n });
    }
    if (n !== ref.rows) throw new Error(`model.assign-segment: read ${n} rows, the dataset has ${ref.rows}`);

    const rows = await ctx.datasets.addColumn(ref, { name: cfg.segmentColumn, type: "INTEGER" }, segment);
    const assigned = n - unassigned;
    return {
      outputs: { rows },
      metrics: {
        model: saved.ref.name,
        modelVersion: saved.ref.version,
        k,
        rows: n,
        rowsWithoutSegment: unassigned,
        sizes,
        shares: sizes.map((s) => (assigned ? s / assigned : null)),
      },
    };
  },
});
