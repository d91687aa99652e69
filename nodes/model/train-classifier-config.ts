// The settings of model.train-classifier (train-classifier.node.ts).
import { z } from "zod";
import { advanced, column } from "../sdk";

export const config = z.object({
  target: column(z.string().min(1)).describe("Column to predict: two values (e.g. Churn Yes/No) or a few classes (e.g. Contract)."),
  positiveLabel: z
    .string()
    .optional()
    .describe("For a column of two values, the one you want to predict (e.g. Yes for Churn). Leave empty for Yes/No, True/False, 1/0 or Y/N columns."),
  features: z.array(column(z.string())).default([]).describe("Columns to learn from. Empty: every column except the one to predict and the excluded ones."),
  exclude: z.array(column(z.string())).default([]).describe("Columns never to learn from, such as customer ids, or values only known after the outcome."),
  textColumns: z
    .array(column(z.string()))
    .default([])
    .describe("Columns of free text (reviews, notes) to learn from: the most common words in them become inputs."),
  modelName: z
    .string()
    .optional()
    .describe("The name the model is saved under (each training saves a new version). Empty: the flow and the column, e.g. telco-churn-churn for Churn in the flow telco-churn."),
  algorithm: advanced(z.enum(["neural", "logistic"]).default("neural")).describe(
    "neural: a small neural network (brain.js). logistic: L2-regularised logistic regression (softmax for 3+ classes), fast and exact.",
  ),
  testFraction: advanced(z.number().min(0.05).max(0.5).default(0.2)).describe("Share of rows kept aside (per class) to check the model, e.g. 0.2 for 20 %."),
  seed: advanced(
    z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(42),
  ).describe(
    "Seed for the split, the weights and the shuffling: the same seed trains the same model. The held-out rows are the ones scikit-learn's train_test_split(stratify=y, random_state=seed) picks.",
  ),
  folds: advanced(
    z
      .number()
      .int()
      .min(0)
      .max(10)
      .refine((v) => v === 0 || v >= 3, { message: "Use 0 (no cross-validation) or 3 to 10 folds" })
      .default(0),
  ).describe("Cross-validation on the training part: 0 for none, else 3 to 10 stratified folds. Reports the mean and spread of the figures; the saved model is still trained on the whole training part."),
  maxCategories: advanced(z.number().int().min(1).max(200).default(20)).describe("Most one-hot inputs per text column; rarer values share one 'other' input."),
  textVocabulary: advanced(z.number().int().min(1).max(5_000).default(200)).describe("Words kept per free-text column."),
  textMode: advanced(z.enum(["binary", "counts"]).default("binary")).describe("Free-text inputs: binary (word present or not) or counts (times the word occurs)."),
  regularisation: advanced(z.number().min(0).max(100).default(1e-4)).describe(
    "Logistic regression: strength of the L2 penalty on the weights (0 for none); larger values give smaller, steadier weights.",
  ),
  hiddenLayers: advanced(z.array(z.number().int().min(1).max(256)).min(1).max(4).default([8])).describe("Neural network: neurons in each hidden layer."),
  iterations: advanced(z.number().int().min(1).max(100_000).default(30)).describe("Neural network: passes over the training rows (at most, when stopping early)."),
  learningRate: advanced(z.number().gt(0).lt(1).default(0.05)).describe("Neural network: step size of each weight update."),
  momentum: advanced(z.number().gt(0).lt(1).default(0.1)).describe("Neural network: share of the previous weight update carried into the next."),
  validationFraction: advanced(z.number().min(0).max(0.5).default(0)).describe(
    "Neural network: share of the training rows (never the test part) set aside to stop early, keeping the weights of the pass with the lowest loss on them. 0: no early stopping, every pass on all training rows.",
  ),
  patience: advanced(z.number().int().min(1).max(1_000).default(10)).describe("Neural network: stop after this many passes without a better validation loss."),
});
export type Config = z.output<typeof config>;

/** "Telco churn" + "Churn" -> "telco-churn-churn": lower case, runs of other characters as one dash. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/**
 * The registry name of a model trained without one: the flow's id (itself a slug of its name) and
 * the target, e.g. telco-churn-churn; the target alone outside a flow; the flow alone when it is
 * the target (flow "churn", target Churn: "churn", not "churn-churn").
 */
export function defaultModelName(flowId: string, target: string): string {
  const flow = slug(flowId);
  const what = slug(target) || "model";
  if (!flow) return what.slice(0, 100);
  if (flow === what) return flow.slice(0, 100);
  return `${flow}-${what}`.slice(0, 100);
}
