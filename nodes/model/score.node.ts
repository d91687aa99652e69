import { z } from "zod";
import { advanced, ConfigError, DataError, defineNode, type DatasetRef, type NodeContext } from "../sdk";
import { modelFromInputOrName } from "./saved-model";
import { encodedWidth, encodeInto, missingInputs, selectInFileOrder, type FeatureSpec } from "./features";
import { NumericTextAudit, schemaMismatches } from "./feature-checks";
import { CLASSIFIER_KINDS, classifierFromArtifact } from "./saved-classifiers";
import { argmax } from "./metrics";
import { UPLIFT_KIND, upliftModelFromArtifact } from "./uplift-model";
import { identityColumns, PartFinder, PARTS, trainingRowsOf } from "./training-rows";

const BATCH_ROWS = 5_000;

const config = z.object({
  modelName: z
    .string()
    .optional()
    .describe("The saved model to use when no training node is connected here. Its current version is used (the Models page says which) unless you pick a version below."),
  modelVersion: z.number().int().min(1).optional().describe("A version of that saved model to use. Empty: its current version."),
  scoreColumn: advanced(z.string().min(1).default("score")).describe(
    "Name of the new column holding each customer's probability (of churning, say). With three or more classes, the start of one probability column per class (score_<class>).",
  ),
  predictionColumn: advanced(z.string().min(1).default("prediction")).describe("With three or more classes: name of the new column holding the most likely class."),
  partColumn: advanced(z.string().min(1).default("part")).describe(
    'Name of the new column saying whether the model learnt from the row ("training"), kept it aside to check itself ("held out") or never saw it ("new"). Model metrics measure on the rows the model did not learn from.',
  ),
  upliftColumn: advanced(z.string().min(1).default("uplift")).describe(
    "Uplift models: name of the new column holding how much more likely the row is to respond if contacted than if not (-1 to 1).",
  ),
  treatedColumn: advanced(z.string().min(1).default("p_treated")).describe("Two-model uplift models: name of the new column holding the chance of a response if contacted."),
  controlColumn: advanced(z.string().min(1).default("p_control")).describe("Two-model uplift models: name of the new column holding the chance of a response if not contacted."),
});
type Field = "scoreColumn" | "predictionColumn" | "partColumn" | "upliftColumn" | "treatedColumn" | "controlColumn";

/** Column names must be new, and distinct from each other. */
function checkFree(ref: DatasetRef, names: { name: string; field: Field }[]): void {
  const taken = new Set(ref.columns.map((c) => c.name.toLowerCase())); // DuckDB ignores case in names
  for (const { name, field } of names) {
    if (taken.has(name.toLowerCase())) throw new ConfigError(`The input already has a column "${name}"; choose another name in ${field}`, { field });
    taken.add(name.toLowerCase());
  }
}

/** ConfigError (field "rows") when the input lacks a column the model needs or holds it with another type. */
function checkFits(spec: FeatureSpec, ref: DatasetRef, label: string): void {
  const missing = missingInputs(spec, ref.columns);
  if (missing.length) {
    throw new ConfigError(`The input lacks column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `"${c}"`).join(", ")} needed by ${label}`, { field: "rows" });
  }
  const mismatched = schemaMismatches(spec, ref.columns);
  if (mismatched.length) throw new ConfigError(`The input does not fit ${label}: ${mismatched.map((m) => m.message).join("; ")}`, { field: "rows" });
}

/**
 * Each row encoded with the model's feature preparation, in file order (scores are joined back to
 * the rows by position), with its position; DataError naming the column when values do not fit.
 */
async function forEachEncoded(
  ctx: NodeContext,
  ref: DatasetRef,
  spec: FeatureSpec,
  label: string,
  each: (x: Float32Array, i: number, row: Record<string, unknown>) => void,
  extraColumns: readonly string[] = [],
): Promise<number> {
  const input = new Float32Array(encodedWidth(spec));
  const audit = new NumericTextAudit(spec, ref.columns);
  const columns = [...spec.inputs, ...extraColumns.filter((c) => !spec.inputs.includes(c))];
  let n = 0;
  for await (const batch of ctx.datasets.batches(selectInFileOrder(ctx.datasets, ref, columns), BATCH_ROWS)) {
    ctx.signal.throwIfAborted();
    if (n + batch.length > ref.rows) throw new Error(`model.score: read more rows than the dataset's ${ref.rows}`);
    for (const row of batch) {
      audit.observe(row);
      each(encodeInto(spec, row, input), n++, row);
    }
    ctx.progress(ref.rows ? n / ref.rows : 1, "scoring", { rows: n });
  }
  if (n !== ref.rows) throw new Error(`model.score: read ${n} rows, the dataset has ${ref.rows}`);
  const bad = audit.problems();
  if (bad.length) throw new DataError(`The input does not fit ${label}: ${bad.map((b) => b.message).join("; ")}`, { where: bad[0]!.column });
  return n;
}

export default defineNode({
  type: "model.score",
  version: 1,
  kind: "model",
  label: "Score with model",
  description:
    "Predict for each customer with a trained model (connected here, or a saved one picked by name): a score column with their probability (of churning, say), or for a model of three or more classes the most likely class and a probability per class. " +
    'A part column says whether the model learnt from the row ("training"), kept it aside to check itself ("held out") or never saw it ("new"). ' +
    "With an uplift model: how much more likely each customer is to respond if contacted than if not; sort by it to contact those it helps most.",
  inputs: { rows: "table", model: { type: "model", optional: true } },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    const saved = await modelFromInputOrName(ctx, inputs.model, cfg, "a model");
    const label = `model "${saved.ref.name}" version ${saved.ref.version}`;
    const what = `Model "${saved.ref.name}" version ${saved.ref.version}`;
    const about = { model: saved.ref.name, modelVersion: saved.ref.version };

    if (saved.kind === UPLIFT_KIND) {
      const model = upliftModelFromArtifact(saved.kind, saved.artifact, what);
      checkFits(model.features, ref, label);
      const twoModel = model.method === "two-model";
      checkFree(ref, [
        { name: cfg.upliftColumn, field: "upliftColumn" },
        ...(twoModel ? [{ name: cfg.treatedColumn, field: "treatedColumn" as const }, { name: cfg.controlColumn, field: "controlColumn" as const }] : []),
      ]);
      const uplift = new Float64Array(ref.rows);
      const pTreated = new Float64Array(twoModel ? ref.rows : 0);
      const pControl = new Float64Array(twoModel ? ref.rows : 0);
      let sum = 0;
      let helped = 0;
      const n = await forEachEncoded(ctx, ref, model.features, label, (x, i) => {
        const p = model.predict(x);
        uplift[i] = p.uplift;
        sum += p.uplift;
        if (p.uplift > 0) helped++;
        if (twoModel) {
          pTreated[i] = p.pTreated;
          pControl[i] = p.pControl;
        }
      });
      const rows = await ctx.datasets.addColumns(ref, [
        { name: cfg.upliftColumn, type: "DOUBLE", values: uplift },
        ...(twoModel
          ? [
              { name: cfg.treatedColumn, type: "DOUBLE", values: pTreated },
              { name: cfg.controlColumn, type: "DOUBLE", values: pControl },
            ]
          : []),
      ]);
      const { treatedValue, controlValue } = model.treatment;
      return {
        outputs: { rows },
        metrics: { ...about, method: model.method, treatedValue, controlValue, positiveOutcome: model.outcome.positiveLabel, rows: n, meanUplift: n ? sum / n : null, positiveUpliftShare: n ? helped / n : null },
      };
    }

    if (!(CLASSIFIER_KINDS as readonly string[]).includes(saved.kind)) {
      throw new ConfigError(`${what} is a ${saved.kind}; this node scores classifiers (${CLASSIFIER_KINDS.join(", ")}) and uplift models (${UPLIFT_KIND})`, { field: "model" });
    }
    const model = classifierFromArtifact(saved.kind, saved.artifact, what);
    const spec = model.features;
    checkFits(spec, ref, label);
    const binary = model.positiveLabel !== undefined;
    const probabilityColumns = binary ? [] : model.classes.map((c) => `${cfg.scoreColumn}_${c}`);
    checkFree(ref, [
      ...(binary
        ? [{ name: cfg.scoreColumn, field: "scoreColumn" as const }]
        : [{ name: cfg.predictionColumn, field: "predictionColumn" as const }, ...probabilityColumns.map((name) => ({ name, field: "scoreColumn" as const }))]),
      { name: cfg.partColumn, field: "partColumn" },
    ]);

    // Which rows the model learnt from: by its key column or its input values, when the version
    // records them and the input holds the columns to tell (else the part is empty).
    const recorded = trainingRowsOf(saved.artifact);
    const have = new Set(ref.columns.map((c) => c.name));
    const finder = recorded && identityColumns(recorded.identity).every((c) => have.has(c)) ? new PartFinder(recorded) : undefined;
    const parts = new Float64Array(ref.rows).fill(Number.NaN);
    const partCounts = [0, 0, 0];

    const k = model.classes.length;
    const out = new Float64Array(k);
    const probabilities = Array.from({ length: binary ? 1 : k }, () => new Float64Array(ref.rows));
    const predicted = new Float64Array(binary ? 0 : ref.rows);
    let sum = 0;
    const n = await forEachEncoded(
      ctx,
      ref,
      spec,
      label,
      (x, i, row) => {
        model.predict(x, out);
        if (binary) {
          probabilities[0]![i] = out[1]!;
          sum += out[1]!;
        } else {
          for (let c = 0; c < k; c++) probabilities[c]![i] = out[c]!;
          predicted[i] = argmax(out);
        }
        if (finder) partCounts[(parts[i] = finder.part(row))]!++;
      },
      finder ? identityColumns(finder.rows.identity) : [],
    );
    const part = { name: cfg.partColumn, type: "VARCHAR", values: parts, labels: PARTS };
    const partMetrics = finder
      ? {
          trainingRows: partCounts[0],
          heldOutRows: partCounts[1],
          newRows: partCounts[2],
          rowsKnownBy: finder.rows.identity.by === "key" ? finder.rows.identity.column : "the model's input columns",
        }
      : { parts: recorded ? `unknown: the input lacks ${identityColumns(recorded.identity).filter((c) => !have.has(c)).join(", ")}` : "unknown: this model version does not record its training rows" };

    if (binary) {
      const rows = await ctx.datasets.addColumns(ref, [{ name: cfg.scoreColumn, type: "DOUBLE", values: probabilities[0]! }, part]);
      return { outputs: { rows }, metrics: { ...about, positiveLabel: model.positiveLabel, rows: n, meanScore: n ? sum / n : null, ...partMetrics } };
    }

    // The class index becomes the class name as the columns are written, all in one pass.
    const rows = await ctx.datasets.addColumns(ref, [
      { name: cfg.predictionColumn, type: "VARCHAR", values: predicted, labels: model.classes },
      ...probabilityColumns.map((name, c) => ({ name, type: "DOUBLE", values: probabilities[c]! })),
      part,
    ]);
    const counts = Object.fromEntries(model.classes.map((c) => [c, 0]));
    for (let i = 0; i < n; i++) counts[model.classes[predicted[i]!]!]!++;
    return { outputs: { rows }, metrics: { ...about, classes: model.classes, rows: n, predicted: counts, ...partMetrics } };
  },
});
