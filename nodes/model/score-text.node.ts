import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode, type SavedModel } from "../sdk";
import { modelFromInputOrName } from "./saved-model";
import { valueTypeOf } from "../transform/expression";
import { countsFromArtifact, fitNaiveBayes, predict, terms, TEXT_CLASSIFIER_KIND, type TextClassifierArtifact } from "./sentiment/naive-bayes";

const BATCH_ROWS = 10_000;

const config = z
  .object({
    modelName: z
      .string()
      .optional()
      .describe("The saved text classifier to use when no model is connected here. Its current version is used (the Models page says which) unless you pick a version below."),
    modelVersion: z.number().int().min(1).optional().describe("A version of that saved model to use. Empty: its current version."),
    text: column(z.string().min(1)).optional().describe("The column holding the text. Empty: the column of the same name as in training."),
    predictedColumn: advanced(z.string().min(1).default("predicted").describe("New column: the most likely label, in the same type as the training labels.")),
    probabilityColumn: advanced(z.string().min(1).default("probability").describe("New column: the model's probability (0 to 1) of that label.")),
  })
  .refine((c) => c.predictedColumn.toLowerCase() !== c.probabilityColumn.toLowerCase(), {
    path: ["probabilityColumn"],
    message: "The predicted and probability columns need different names",
  });

function textArtifact(saved: SavedModel): TextClassifierArtifact {
  const what = `Model "${saved.ref.name}" version ${saved.ref.version}`;
  if (saved.kind !== TEXT_CLASSIFIER_KIND) throw new ConfigError(`${what} is a ${saved.kind}; this node scores ${TEXT_CLASSIFIER_KIND} models`, { field: "model" });
  const a = saved.artifact as Partial<TextClassifierArtifact> | null;
  const C = a?.classes?.length ?? 0;
  if (!a || C < 2 || a.docs?.length !== C || a.totals?.length !== C || !a.terms || a.counts?.length !== a.terms.length || !a.text || !a.targetType) {
    throw new DataError(`${what} has no usable word counts saved`, { where: "model" });
  }
  return a as TextClassifierArtifact;
}

export default defineNode({
  type: "model.score-text",
  version: 1,
  kind: "model",
  label: "Score texts",
  description:
    "Label each text with a trained text classifier (from Train text classifier): adds the most likely label and its probability. Rows without text get neither.",
  inputs: { rows: "table", model: { type: "model", optional: true } },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const ref = inputs.rows;
    const saved = await modelFromInputOrName(ctx, inputs.model, cfg, "a text classifier");
    const artifact = textArtifact(saved);
    const label = `model "${saved.ref.name}" version ${saved.ref.version}`;

    const textName = cfg.text ?? artifact.text;
    const text = ref.columns.find((c) => c.name === textName);
    if (!text) {
      throw new ConfigError(
        cfg.text ? `No column "${textName}" in the input` : `The input lacks the text column "${textName}" that ${label} was trained on; name the text column to use`,
        { field: "text" },
      );
    }
    if (valueTypeOf(text.type) !== "text") throw new ConfigError(`Column "${textName}" holds ${text.type}, not text`, { field: "text" });
    const taken = new Set(ref.columns.map((c) => c.name.toLowerCase()));
    for (const field of ["predictedColumn", "probabilityColumn"] as const) {
      if (taken.has(cfg[field].toLowerCase())) throw new ConfigError(`The input already has a column "${cfg[field]}"; choose another name`, { field });
    }

    const model = fitNaiveBayes(countsFromArtifact(artifact), artifact.alpha);
    const C = artifact.classes.length;
    const probabilities = new Float64Array(C);
    const predicted = new Float64Array(ref.rows);
    const probability = new Float64Array(ref.rows);
    const counts = new Array<number>(C).fill(0);
    const { ident } = ctx.datasets;
    let n = 0;
    let withoutText = 0;
    let sum = 0;
    const sql = `SELECT CAST(${ident(text.name)} AS VARCHAR) AS t FROM ${ctx.datasets.fromWithPosition(ref)} ORDER BY file_row_number`;
    for await (const batch of ctx.datasets.batches<{ t: string | null }>(sql, BATCH_ROWS)) {
      ctx.signal.throwIfAborted();
      if (n + batch.length > ref.rows) throw new Error(`model.score-text: read more rows than the dataset's ${ref.rows}`);
      for (const { t } of batch) {
        if (t === null) {
          predicted[n] = probability[n] = Number.NaN; // stored as NULL
          withoutText++;
        } else {
          const c = predict(model, terms(t, artifact.bigrams), probabilities);
          predicted[n] = c;
          probability[n] = probabilities[c]!;
          counts[c] = counts[c]! + 1;
          sum += probabilities[c]!;
        }
        n++;
      }
      ctx.progress(ref.rows ? n / ref.rows : 1, "scoring", { rows: n });
    }
    if (n !== ref.rows) throw new Error(`model.score-text: read ${n} rows, the dataset has ${ref.rows}`);

    // The class index becomes the label in the target's own type as the columns are written.
    const rows = await ctx.datasets.addColumns(ref, [
      { name: cfg.predictedColumn, type: artifact.targetType, values: predicted, labels: artifact.classes },
      { name: cfg.probabilityColumn, type: "DOUBLE", values: probability },
    ]);
    const scored = n - withoutText;
    return {
      outputs: { rows },
      metrics: {
        model: saved.ref.name,
        modelVersion: saved.ref.version,
        rows: n,
        rowsWithoutText: withoutText,
        predicted: Object.fromEntries(artifact.classes.map((cls, c) => [cls, counts[c]!])),
        meanProbability: scored ? sum / scored : null,
      },
    };
  },
});
