// The settings of model.train-uplift (train-uplift.node.ts).
import { z } from "zod";
import { advanced, column } from "../sdk";

export const config = z
  .object({
    treatmentColumn: column(z.string().min(1)).describe("Column that says whether each row was treated, e.g. segment."),
    treatedValue: z.string().min(1).describe("The treatment column's value for treated rows, e.g. Womens E-Mail."),
    controlValue: z
      .string()
      .min(1)
      .describe("The treatment column's value for control rows, e.g. No E-Mail. Rows with any other value are left out of training and measuring (they are still scored)."),
    outcomeColumn: column(z.string().min(1)).describe("Column with the outcome, two values: e.g. visit (0/1) or converted (yes/no)."),
    positiveOutcome: z
      .string()
      .optional()
      .describe("The outcome value that counts as a response. Leave empty for Yes/No, True/False, 1/0 or Y/N outcomes."),
    features: z.array(column(z.string())).default([]).describe("Columns to learn from. Empty: every column except the treatment, the outcome, the excluded ones and id-like ones."),
    exclude: z.array(column(z.string())).default([]).describe("Columns never to learn from, such as ids or other outcomes (spend, conversion)."),
    method: advanced(
      z
        .enum(["two-model", "class-transformation"])
        .default("two-model")
        .describe(
          "two-model: one logistic regression on the treated rows, one on the control rows; uplift = P(response if treated) − P(response if not). " +
            "class-transformation: one logistic regression of 'treated and responded, or control and did not'; uplift = 2 P − 1 (best when about half the rows are treated; p_treated and p_control are left empty).",
        ),
    ),
    holdoutShare: advanced(z.number().min(0.05).max(0.9).default(0.5).describe("Share of the treated and control rows held out to measure the model.")),
    seed: advanced(
      z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .default(42)
        .describe(
          "Seed for the split: the same seed holds out the same rows. They are the ones scikit-learn's train_test_split(test_size=holdoutShare, random_state=seed) picks from the treated and control rows in file order.",
        ),
    ),
    topPercent: advanced(z.number().gt(0).lt(100).default(30).describe("Uplift at the top k %: among the held-out rows with the highest predicted uplift, treated response rate minus control response rate.")),
    modelName: z.string().min(1).default("uplift").describe("Name in the model registry; each training saves a new version."),
    maxCategories: advanced(z.number().int().min(1).max(200).default(20).describe("Most one-hot inputs per text column; rarer values share one 'other' input.")),
    regularisation: advanced(
      z
        .number()
        .min(0)
        .max(100)
        .default(1e-4)
        .describe("Strength of the L2 penalty on the logistic regressions' weights (0 for none); larger values give smaller, steadier weights."),
    ),
  })
  .superRefine((c, issue) => {
    if (c.treatedValue === c.controlValue) issue.addIssue({ code: "custom", path: ["controlValue"], message: "The control value must differ from the treated value" });
    if (c.treatmentColumn === c.outcomeColumn) issue.addIssue({ code: "custom", path: ["outcomeColumn"], message: "The outcome must be another column than the treatment" });
  });
export type Config = z.output<typeof config>;
