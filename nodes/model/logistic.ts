// Logistic regression, written out so it is small, deterministic and dependency free.
//
// Objective: the mean log loss over the rows plus (l2 / 2) * (sum of squared weights); the
// intercepts are not penalised. Two classes use one weight row and the sigmoid (P(class 1));
// three or more use one row per class and the softmax (multinomial regression). The objective is
// convex and smooth, and is minimised with L-BFGS and a backtracking (Armijo) line search: the
// same rows in the same order always give the same weights, bit for bit.

export interface LogisticModel {
  /** "sigmoid": two classes, one row of weights giving the probability of class 1. "softmax": one row per class. */
  link: "sigmoid" | "softmax";
  classes: number;
  inputs: number;
  /** One row of `inputs` weights for "sigmoid", one per class for "softmax". */
  weights: number[][];
  bias: number[];
  l2: number;
  /** L-BFGS iterations run, the final objective, and whether it met the tolerance. */
  iterations: number;
  loss: number;
  converged: boolean;
}

export interface LogisticOptions {
  /** Strength of the L2 penalty on the weights (not the intercepts). Default 1e-4; 0 allowed. */
  l2?: number;
  /** Most L-BFGS iterations. Default 500. */
  maxIterations?: number;
  /** Stop when the largest gradient component falls below this. Default 1e-6. */
  tolerance?: number;
  /** Corrections L-BFGS remembers. Default 10. */
  memory?: number;
}

export interface LogisticIteration {
  iteration: number;
  maxIterations: number;
  /** Objective after the iteration: mean log loss plus the penalty. */
  loss: number;
  gradientNorm: number;
}

type Rows = readonly ArrayLike<number>[];

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Objective and gradient at `theta`. Layout: `rows` blocks of (inputs weights, then 1 intercept).
 * `rows` is 1 for the sigmoid, `classes` for the softmax.
 */
function objective(X: Rows, y: ArrayLike<number>, classes: number, l2: number, theta: Float64Array, grad: Float64Array, scratch: Float64Array): number {
  const n = X.length;
  const d = X[0]?.length ?? 0;
  const stride = d + 1;
  const blocks = classes === 2 ? 1 : classes;
  grad.fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const x = X[i]!;
    const yi = y[i]!;
    if (blocks === 1) {
      let z = theta[d]!;
      for (let k = 0; k < d; k++) z += theta[k]! * x[k]!;
      loss += softplus(z) - (yi === 1 ? z : 0);
      const r = sigmoid(z) - (yi === 1 ? 1 : 0);
      if (r !== 0) {
        for (let k = 0; k < d; k++) grad[k]! += r * x[k]!;
        grad[d]! += r;
      }
    } else {
      let max = -Infinity;
      for (let c = 0; c < blocks; c++) {
        const o = c * stride;
        let z = theta[o + d]!;
        for (let k = 0; k < d; k++) z += theta[o + k]! * x[k]!;
        scratch[c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < blocks; c++) sum += Math.exp(scratch[c]! - max);
      const logSum = max + Math.log(sum);
      loss += logSum - scratch[yi]!;
      for (let c = 0; c < blocks; c++) {
        const r = Math.exp(scratch[c]! - logSum) - (c === yi ? 1 : 0);
        if (r === 0) continue;
        const o = c * stride;
        for (let k = 0; k < d; k++) grad[o + k]! += r * x[k]!;
        grad[o + d]! += r;
      }
    }
  }
  loss /= n;
  let penalty = 0;
  for (let c = 0; c < blocks; c++) {
    const o = c * stride;
    for (let k = 0; k <= d; k++) {
      grad[o + k]! /= n;
      if (k < d && l2 > 0) {
        const w = theta[o + k]!;
        penalty += w * w;
        grad[o + k]! += l2 * w;
      }
    }
  }
  return loss + (l2 / 2) * penalty;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

const maxAbs = (a: Float64Array) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

/**
 * Fit on rows `X` (all of one width) with class indices `y` (0 .. classes - 1). `onIteration` runs
 * after every iteration and may be async: training awaits it, so it can report progress, yield
 * to the event loop, or throw to stop (an abort, say).
 */
export async function fitLogistic(
  X: Rows,
  y: ArrayLike<number>,
  classes: number,
  opts: LogisticOptions = {},
  onIteration?: (it: LogisticIteration) => void | Promise<void>,
): Promise<LogisticModel> {
  const l2 = opts.l2 ?? 1e-4;
  const maxIterations = opts.maxIterations ?? 500;
  const tolerance = opts.tolerance ?? 1e-6;
  const memory = opts.memory ?? 10;
  if (!(classes >= 2) || !Number.isInteger(classes)) throw new Error(`fitLogistic: ${classes} classes; need at least 2`);
  if (X.length === 0) throw new Error("fitLogistic: no rows");
  if (X.length !== y.length) throw new Error(`fitLogistic: ${X.length} rows but ${y.length} labels`);
  if (!(l2 >= 0)) throw new Error(`fitLogistic: l2 ${l2} must be 0 or more`);
  const d = X[0]!.length;
  for (let i = 0; i < X.length; i++) {
    if (X[i]!.length !== d) throw new Error(`fitLogistic: row ${i} has ${X[i]!.length} values, row 0 has ${d}`);
    const c = y[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) throw new Error(`fitLogistic: label ${c} of row ${i} is not a class index below ${classes}`);
  }

  const blocks = classes === 2 ? 1 : classes;
  const size = blocks * (d + 1);
  const scratch = new Float64Array(blocks);
  const f = (theta: Float64Array, grad: Float64Array) => objective(X, y, classes, l2, theta, grad, scratch);

  let theta = new Float64Array(size);
  let grad = new Float64Array(size);
  let loss = f(theta, grad);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const direction = new Float64Array(size);
  const alpha = new Float64Array(memory);
  let nextTheta = new Float64Array(size);
  let nextGrad = new Float64Array(size);
  let iteration = 0;
  let converged = maxAbs(grad) < tolerance;

  while (!converged && iteration < maxIterations) {
    // Two-loop recursion: direction = -H * grad.
    direction.set(grad);
    for (let j = sHist.length - 1; j >= 0; j--) {
      alpha[j] = rhoHist[j]! * dot(sHist[j]!, direction);
      const yj = yHist[j]!;
      for (let k = 0; k < size; k++) direction[k]! -= alpha[j]! * yj[k]!;
    }
    if (sHist.length) {
      const last = sHist.length - 1;
      const gamma = dot(sHist[last]!, yHist[last]!) / dot(yHist[last]!, yHist[last]!);
      for (let k = 0; k < size; k++) direction[k]! *= gamma;
    } else {
      const norm = Math.sqrt(dot(grad, grad));
      for (let k = 0; k < size; k++) direction[k]! /= Math.max(norm, 1);
    }
    for (let j = 0; j < sHist.length; j++) {
      const beta = rhoHist[j]! * dot(yHist[j]!, direction);
      const sj = sHist[j]!;
      for (let k = 0; k < size; k++) direction[k]! += sj[k]! * (alpha[j]! - beta);
    }
    for (let k = 0; k < size; k++) direction[k] = -direction[k]!;
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      sHist.length = yHist.length = rhoHist.length = 0;
      for (let k = 0; k < size; k++) direction[k] = -grad[k]!;
      slope = dot(grad, direction);
    }

    // Backtracking line search (Armijo).
    let step = 1;
    let nextLoss = Number.NaN;
    for (let tries = 0; tries < 60; tries++) {
      for (let k = 0; k < size; k++) nextTheta[k] = theta[k]! + step * direction[k]!;
      nextLoss = f(nextTheta, nextGrad);
      if (Number.isFinite(nextLoss) && nextLoss <= loss + 1e-4 * step * slope) break;
      step /= 2;
    }
    iteration++;
    if (!(Number.isFinite(nextLoss) && nextLoss <= loss)) {
      converged = true; // no step lowers the objective: as good as it gets in floating point
      break;
    }

    const s = new Float64Array(size);
    const yv = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      s[k] = nextTheta[k]! - theta[k]!;
      yv[k] = nextGrad[k]! - grad[k]!;
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (sHist.length === memory) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(yv);
      rhoHist.push(1 / sy);
    }
    const previous = loss;
    [theta, nextTheta] = [nextTheta, theta];
    [grad, nextGrad] = [nextGrad, grad];
    loss = nextLoss;
    const gradientNorm = maxAbs(grad);
    converged = gradientNorm < tolerance || previous - loss <= 1e-15 * Math.max(1, Math.abs(loss));
    await onIteration?.({ iteration, maxIterations, loss, gradientNorm });
  }

  const stride = d + 1;
  const weights: number[][] = [];
  const bias: number[] = [];
  for (let c = 0; c < blocks; c++) {
    weights.push(Array.from(theta.subarray(c * stride, c * stride + d)));
    bias.push(theta[c * stride + d]!);
  }
  return { link: blocks === 1 ? "sigmoid" : "softmax", classes, inputs: d, weights, bias, l2, iterations: iteration, loss, converged };
}

/** Class probabilities for one row into `out` (length model.classes); returns `out`. */
export function predictLogistic<T extends { length: number; [i: number]: number }>(model: LogisticModel, x: ArrayLike<number>, out: T): T {
  const d = model.inputs;
  if (x.length !== d) throw new Error(`predictLogistic: ${x.length} inputs, the model has ${d}`);
  if (model.link === "sigmoid") {
    const w = model.weights[0]!;
    let z = model.bias[0]!;
    for (let k = 0; k < d; k++) z += w[k]! * x[k]!;
    const p = sigmoid(z);
    out[0] = 1 - p;
    out[1] = p;
    return out;
  }
  let max = -Infinity;
  for (let c = 0; c < model.classes; c++) {
    const w = model.weights[c]!;
    let z = model.bias[c]!;
    for (let k = 0; k < d; k++) z += w[k]! * x[k]!;
    out[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < model.classes; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < model.classes; c++) out[c] = out[c]! / sum;
  return out;
}
