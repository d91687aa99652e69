// Uplift models: how much more likely a row is to respond when treated than when not. Written by
// model.train-uplift, with logistic regression (logistic.ts) underneath, in one of two ways:
// - two models: one classifier fitted on the treated rows, one on the control rows;
//   uplift = P(response | treated) − P(response | control);
// - class transformation (Jaskowski and Jaroszewicz 2012): one classifier of Z = 1 for treated
//   responders and control non-responders; uplift = 2 P(Z = 1) − 1 (sound when about half the
//   rows are treated).
// The artifact keeps the fitted feature preparation, so scoring repeats what training did.
import { DataError } from "../sdk/errors";
import type { Pacer } from "./classifier-training";
import { encodedWidth, type FeatureSpec } from "./features";
import { fitLogistic, predictLogistic, type LogisticModel } from "./logistic";

/** Model kind in the registry. */
export const UPLIFT_KIND = "uplift/logistic";

export type UpliftMethod = "two-model" | "class-transformation";

export interface UpliftArtifact {
  method: UpliftMethod;
  features: FeatureSpec;
  treatment: { column: string; treatedValue: string; controlValue: string };
  outcome: { column: string; positiveLabel: string; negativeLabel: string };
  /** two-model: P(response) of treated rows, and of control rows. */
  treated?: LogisticModel;
  control?: LogisticModel;
  /** class-transformation: P(Z = 1). */
  transformed?: LogisticModel;
}

export interface UpliftPrediction {
  uplift: number;
  /** Two models only: the response probability if treated, and if not (NaN otherwise). */
  pTreated: number;
  pControl: number;
}

export interface UpliftModel {
  method: UpliftMethod;
  features: FeatureSpec;
  treatment: UpliftArtifact["treatment"];
  outcome: UpliftArtifact["outcome"];
  predict(x: Float32Array): UpliftPrediction;
}

/** Check a saved artifact and make it an UpliftModel; DataError when it does not hold what it should. */
export function upliftModelFromArtifact(kind: string, artifact: unknown, what = "The model"): UpliftModel {
  if (kind !== UPLIFT_KIND) throw new DataError(`${what} is a ${kind}, not an uplift model (${UPLIFT_KIND})`, { where: "model" });
  const a = (artifact ?? {}) as Partial<UpliftArtifact>;
  if (!a.features?.inputs || !Array.isArray(a.features.features)) throw new DataError(`${what} has no feature preparation saved`, { where: "model" });
  const features = a.features;
  if (!a.treatment?.column || !a.outcome?.column) throw new DataError(`${what} has no treatment or outcome saved`, { where: "model" });
  const about = { features, treatment: a.treatment, outcome: a.outcome };
  const width = encodedWidth(features);
  const fits = (m: LogisticModel | undefined): m is LogisticModel => !!m?.weights && m.inputs === width && m.classes === 2;
  const out = new Float64Array(2);
  if (a.method === "two-model") {
    const { treated, control } = a;
    if (!fits(treated) || !fits(control)) throw new DataError(`${what} lacks its two logistic regressions for ${width} inputs`, { where: "model" });
    return {
      ...about,
      method: "two-model",
      predict(x) {
        const pTreated = predictLogistic(treated, x, out)[1]!;
        const pControl = predictLogistic(control, x, out)[1]!;
        return { uplift: pTreated - pControl, pTreated, pControl };
      },
    };
  }
  if (a.method === "class-transformation") {
    const m = a.transformed;
    if (!fits(m)) throw new DataError(`${what} lacks its logistic regression for ${width} inputs`, { where: "model" });
    return { ...about, method: "class-transformation", predict: (x) => ({ uplift: 2 * predictLogistic(m, x, out)[1]! - 1, pTreated: Number.NaN, pControl: Number.NaN }) };
  }
  throw new DataError(`${what} has an unknown uplift method "${String(a.method)}"`, { where: "model" });
}

export interface UpliftFit {
  models: Pick<UpliftArtifact, "treated" | "control" | "transformed">;
  /** Per fitted regression: which, rows, L-BFGS iterations, final objective, converged. */
  details: { model: string; rows: number; iterations: number; loss: number; converged: boolean }[];
}

/**
 * Fit on encoded rows `X` with treatment flags `t` (1 treated, 0 control) and outcomes `y`
 * (1 positive). `pacer` reports progress (one stage per regression) and honours cancellation.
 */
export async function fitUplift(method: UpliftMethod, X: Float32Array[], t: readonly number[], y: readonly number[], l2: number, maxIterations: number, pacer: Pacer): Promise<UpliftFit> {
  const fit = async (stage: number, model: string, rows: number[], labels: number[]) => {
    pacer.begin(stage, model === "transformed" ? "" : `${model} model: `);
    const m = await fitLogistic(
      rows.map((i) => X[i]!),
      labels,
      2,
      { l2, maxIterations },
      (it) => pacer.iteration(it.iteration, it.maxIterations, it.loss),
    );
    return { m, details: { model, rows: rows.length, iterations: m.iterations, loss: m.loss, converged: m.converged } };
  };
  if (method === "class-transformation") {
    const all = X.map((_, i) => i);
    const z = all.map((i) => (t[i] === y[i] ? 1 : 0));
    const { m, details } = await fit(0, "transformed", all, z);
    return { models: { transformed: m }, details: [details] };
  }
  const treatedRows = X.flatMap((_, i) => (t[i] === 1 ? [i] : []));
  const controlRows = X.flatMap((_, i) => (t[i] === 1 ? [] : [i]));
  const treated = await fit(0, "treated", treatedRows, treatedRows.map((i) => y[i]!));
  const control = await fit(1, "control", controlRows, controlRows.map((i) => y[i]!));
  return { models: { treated: treated.m, control: control.m }, details: [treated.details, control.details] };
}
