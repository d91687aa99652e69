// Champion / challenger: a new version of a model (the challenger, typically just trained) against
// the current one, both measured on the same fresh holdout. The challenger becomes the current
// version only when it beats the current one by the margin; either way the decision and both
// figures are the node's metrics, and a promotion is the registry's own status change (the
// previous current version becomes a candidate, as when someone promotes on the Models page).
import { z } from "zod";
import { advanced, column, ConfigError, defineNode, isNodeError, type NodeContext, type SavedModel } from "../sdk";
import { chooseMetric, contender, measure, METRICS, upliftTraining, versionLabel, type Setup } from "./model-comparison";

const LABEL = "Promote if better";

const config = z.object({
  modelName: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe("The model's name in the registry. Empty: the name of the challenger connected to the model input."),
  challengerVersion: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("The version to try when no model is connected (a training node's model output is the usual challenger)."),
  labelColumn: advanced(
    column(z.string())
      .optional()
      .describe("The holdout's column with what really happened. Empty: the column the challenger was trained on (a classifier's target, an uplift model's outcome)."),
  ),
  positiveLabel: advanced(z.string().optional().describe("The value of the label column that counts as positive. Empty: the challenger's.")),
  treatmentColumn: advanced(
    column(z.string())
      .optional()
      .describe("Uplift models: the column that says who was treated. Empty: the one the challenger was trained with."),
  ),
  treatedValue: advanced(z.string().optional().describe("Uplift models: the treatment column's value for treated rows. Empty: the challenger's.")),
  controlValue: advanced(z.string().optional().describe("Uplift models: the treatment column's value for control rows. Empty: the challenger's.")),
  metric: z
    .enum(METRICS)
    .default("auto")
    .describe("What to compare: auto is ROC AUC for two-class classifiers, accuracy for more classes, the Qini coefficient for uplift models."),
  topPercent: advanced(z.number().gt(0).lt(100).default(30).describe("For upliftAtTopK: the top share of rows, by predicted uplift, in percent.")),
  margin: z
    .number()
    .min(0)
    .max(1)
    .default(0.01)
    .describe("How much better the challenger must measure (e.g. 0.01 of ROC AUC) to be promoted."),
});

/** A model by id or by name and version; a missing one is a ConfigError naming the field that chose it. */
async function load(ctx: NodeContext, ref: { id: string } | { name: string; version: number }, field: string): Promise<SavedModel> {
  try {
    return await ctx.models.load(ref);
  } catch (err) {
    if (isNodeError(err) && err.code === "NOT_FOUND") throw new ConfigError(`${field}: ${err.message}`, { field, cause: err });
    throw err;
  }
}

async function currentOf(ctx: NodeContext, name: string): Promise<SavedModel | null> {
  try {
    return await ctx.models.current(name);
  } catch (err) {
    if (isNodeError(err) && err.code === "NOT_FOUND") throw new ConfigError(`modelName: ${err.message}`, { field: "modelName", cause: err });
    throw err;
  }
}

const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null);

export default defineNode({
  type: "model.promote-if-better",
  version: 1,
  kind: "model",
  label: LABEL,
  description:
    "Compare a newly trained version of a model (the challenger) with the current one on the same fresh rows, and make it current only when it does better by the margin (ROC AUC by default; the Qini coefficient for uplift models). Both figures and the decision are recorded; the model output is the current version afterwards.",
  inputs: { rows: { type: "table", label: "Holdout" }, model: { type: "model", optional: true, label: "Challenger" } },
  outputs: { model: "model" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const holdout = inputs.rows;
    if (!inputs.model && !cfg.challengerVersion) throw new ConfigError(`${LABEL}: connect the challenger (a training node's model) or give challengerVersion`, { field: "challengerVersion" });
    const name = cfg.modelName || inputs.model?.name;
    if (!name) throw new ConfigError(`${LABEL}: give the model's name`, { field: "modelName" });
    if (inputs.model && cfg.modelName && inputs.model.name !== cfg.modelName) {
      throw new ConfigError(`modelName: the connected challenger is a version of "${inputs.model.name}", not of "${cfg.modelName}"`, { field: "modelName" });
    }
    const currentSaved = await currentOf(ctx, name);
    const challengerSaved = inputs.model ? await load(ctx, { id: inputs.model.id }, "model") : await load(ctx, { name, version: cfg.challengerVersion! }, "challengerVersion");
    const challenger = contender(challengerSaved, inputs.model ? "model" : "challengerVersion");
    const metric = chooseMetric(challenger, cfg.metric);
    const base = { model: name, metric, margin: cfg.margin, challengerVersion: challengerSaved.ref.version };

    if (!currentSaved || currentSaved.ref.id === challengerSaved.ref.id) {
      // Nothing to beat: the challenger is (or becomes) the current version.
      const decision = currentSaved ? "already current" : "promoted (no current version)";
      if (!currentSaved) await ctx.models.promote(name, challengerSaved.ref.version);
      ctx.log.info(`${LABEL}: ${versionLabel(challengerSaved)}: ${decision}`);
      return { outputs: { model: challengerSaved.ref }, metrics: { ...base, currentVersion: challengerSaved.ref.version, decision, promoted: !currentSaved } };
    }
    const current = contender(currentSaved, "modelName");
    if (!!current.uplift !== !!challenger.uplift) {
      throw new ConfigError(`modelName: ${challenger.label} is ${challenger.uplift ? "an uplift model" : "a classifier"} and the current ${current.label} is not; they cannot be compared`, { field: "modelName" });
    }
    chooseMetric(current, metric);
    for (const m of [challengerSaved, currentSaved]) {
      if (m.datasetId === holdout.id) ctx.log.warn(`The holdout is the data ${versionLabel(m)} was trained on, so the comparison favours it; give rows neither version learned from`);
    }

    const trained = challenger.uplift ? upliftTraining(challengerSaved) : null;
    const setup: Setup = {
      metric,
      labelColumn: cfg.labelColumn || (trained ? trained.outcome.column : challenger.classifier!.target),
      positiveLabel: cfg.positiveLabel || (trained ? trained.outcome.positiveLabel : undefined),
      treatment: trained
        ? {
            column: cfg.treatmentColumn || trained.treatment.column,
            treatedValue: cfg.treatedValue || trained.treatment.treatedValue,
            controlValue: cfg.controlValue || trained.treatment.controlValue,
          }
        : undefined,
      k: cfg.topPercent / 100,
    };
    ctx.progress(null, `Measuring versions ${challengerSaved.ref.version} and ${currentSaved.ref.version} on ${holdout.rows} rows`);
    const measured = await measure(ctx, holdout, [challenger, current], setup);
    const [challengerFigure, currentFigure] = measured.figures as [number, number];
    if (!Number.isFinite(challengerFigure) || !Number.isFinite(currentFigure)) {
      throw new ConfigError(`${LABEL}: ${metric} cannot be measured on the holdout's ${measured.rows} rows (it needs both outcomes${setup.treatment ? " in both the treated and the control group" : ""})`, { field: "rows" });
    }
    const improvement = challengerFigure - currentFigure;
    const promoted = improvement > 0 && improvement >= cfg.margin;
    if (promoted) await ctx.models.promote(name, challengerSaved.ref.version);
    const decision = promoted ? "promoted" : "kept the current version";
    const reason = `${metric} ${round(challengerFigure)} (version ${challengerSaved.ref.version}) against ${round(currentFigure)} (version ${currentSaved.ref.version}): ${
      promoted ? `better by ${round(improvement)}, at least the margin ${cfg.margin}` : `${improvement > 0 ? `better by only ${round(improvement)}` : "not better"}, the margin is ${cfg.margin}`
    }`;
    ctx.log.info(`${LABEL}: ${decision}: ${reason}`);
    return {
      outputs: { model: promoted ? challengerSaved.ref : currentSaved.ref },
      metrics: {
        ...base,
        currentVersion: promoted ? challengerSaved.ref.version : currentSaved.ref.version,
        decision,
        promoted,
        reason,
        challenger: { version: challengerSaved.ref.version, [metric]: round(challengerFigure) },
        previousCurrent: { version: currentSaved.ref.version, [metric]: round(currentFigure) },
        improvement: round(improvement),
        rows: measured.rows,
        positives: measured.positives,
        labelColumn: setup.labelColumn,
      },
    };
  },
});
