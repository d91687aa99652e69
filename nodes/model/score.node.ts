import { NeuralNetwork } from "brain.js";
import { z } from "zod";
import { ConfigError, DataError, defineNode, type SavedModel } from "../sdk";
import { CLASSIFIER_KIND, encodedWidth, encodeInto, missingInputs, selectInFileOrder, type ClassifierArtifact } from "./features";

const BATCH_ROWS = 5_000;

const config = z.object({
  modelName: z
    .string()
    .optional()
    .describe("Saved model to use when the model input is not connected (the latest version unless modelVersion is set)."),
  modelVersion: z.number().int().min(1).optional().describe("Version of modelName to use; empty means the latest."),
  scoreColumn: z.string().min(1).default("score").describe("Name of the new column holding the probability of the positive class."),
});

function classifierArtifact(saved: SavedModel): ClassifierArtifact {
  const what = `Model "${saved.ref.name}" version ${saved.ref.version}`;
  if (saved.kind !== CLASSIFIER_KIND) throw new ConfigError(`${what} is a ${saved.kind}; this node scores ${CLASSIFIER_KIND} models`, { field: "model" });
  const a = saved.artifact as Partial<ClassifierArtifact> | null;
  if (!a?.net || !a.features?.inputs) throw new DataError(`${what} has no network or feature preparation saved`, { where: "model" });
  return a as ClassifierArtifact;
}

export default defineNode({
  type: "model.score",
  version: 1,
  kind: "model",
  label: "Score with model",
  description:
    "Add a column with each row's probability of the positive class (for example, of churning), from a trained classifier connected here or picked by name from the registry.",
  inputs: { rows: "table", model: { type: "model", optional: true } },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    let saved: SavedModel;
    if (inputs.model) saved = await ctx.models.load({ id: inputs.model.id });
    else if (cfg.modelName) saved = await ctx.models.load({ name: cfg.modelName, version: cfg.modelVersion });
    else throw new ConfigError("Connect a model or give the name of a saved one", { field: "modelName" });
    const artifact = classifierArtifact(saved);
    const spec = artifact.features;
    const label = `model "${saved.ref.name}" version ${saved.ref.version}`;

    const missing = missingInputs(spec, ref.columns);
    if (missing.length) {
      throw new ConfigError(`The input lacks column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `"${c}"`).join(", ")} needed by ${label}`, { field: "rows" });
    }
    if (ref.columns.some((c) => c.name === cfg.scoreColumn)) {
      throw new ConfigError(`The input already has a column "${cfg.scoreColumn}"; choose another score column name`, { field: "scoreColumn" });
    }

    const net = new NeuralNetwork<Float32Array, Float32Array>().fromJSON(artifact.net);
    const input = new Float32Array(encodedWidth(spec));
    const scores = new Float64Array(ref.rows);
    let n = 0;
    let sum = 0;
    // Scores are joined back to the rows by position, so read them in file order.
    for await (const batch of ctx.datasets.batches(selectInFileOrder(ctx.datasets, ref, spec.inputs), BATCH_ROWS)) {
      ctx.signal.throwIfAborted();
      if (n + batch.length > ref.rows) throw new Error(`model.score: read more rows than the dataset's ${ref.rows}`);
      for (const row of batch) {
        const p = net.run(encodeInto(spec, row, input))[0]!;
        scores[n++] = p;
        sum += p;
      }
      ctx.progress(ref.rows ? n / ref.rows : 1, "scoring", { rows: n });
    }
    if (n !== ref.rows) throw new Error(`model.score: read ${n} rows, the dataset has ${ref.rows}`);

    const rows = await ctx.datasets.addColumn(ref, { name: cfg.scoreColumn, type: "DOUBLE" }, scores);
    return {
      outputs: { rows },
      metrics: { model: saved.ref.name, modelVersion: saved.ref.version, positiveLabel: artifact.positiveLabel, rows: n, meanScore: n ? sum / n : null },
    };
  },
});
