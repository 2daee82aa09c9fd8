/**
 * The analytic test problem: data x₀ ~ N(μ, s²) per element. Everything about it is closed form:
 * - the marginal at noise level σ (VE space, x̄ = x₀ + σε) is N(μ, s² + σ²);
 * - the optimal denoiser is the posterior mean D(x̄; σ) = μ + s²/(s² + σ²)·(x̄ − μ), and the optimal ε-, v-
 *   and x₀-predictions follow from it;
 * - the probability-flow ODE dx̄/dσ = (x̄ − D)/σ has the solution x̄(σ) − μ = (x̄(σ₀) − μ)·√((s² + σ²)/(s² + σ₀²)).
 * A scheduler that ends at σ = 0 does so by a final denoising step D(x; σ_last), so its exact target is
 * D(x̄_exact(σ_last); σ_last); one that ends at σ_end > 0 (DDIM/PNDM with set_alpha_to_one false) targets
 * x̄_exact(σ_end), returned in VP scale.
 */
import type { PredictionType, Scheduler, StepOptions } from '../../src/schedulers';
import { Rng } from '../../src/utils/random';

export interface GaussianData {
  mu: number;
  s: number;
}

/** Schedulers that keep their sample in VE space (x̄ = x₀ + σε); all others are VP. */
const VE_SCHEDULERS = new Set(['EulerDiscreteScheduler', 'EulerAncestralDiscreteScheduler', 'HeunDiscreteScheduler']);

export function isVe(scheduler: Scheduler): boolean {
  return VE_SCHEDULERS.has(scheduler.name);
}

function sigmasOf(scheduler: Scheduler): Float32Array | undefined {
  return (scheduler as unknown as { sigmas?: Float32Array }).sigmas;
}

/** VE σ at which the model is evaluated on the current step call. */
export function modelSigma(scheduler: Scheduler, timestep: number): number {
  const sigmas = sigmasOf(scheduler);
  if (sigmas !== undefined) return sigmas[scheduler.stepIndex];
  const ab = scheduler.alphasCumprod[timestep];
  return Math.sqrt((1 - ab) / ab);
}

/** VE σ of the state the scheduler returns after its last step. */
export function endSigma(scheduler: Scheduler): number {
  const sigmas = sigmasOf(scheduler);
  if (sigmas !== undefined) return sigmas[sigmas.length - 1];
  const final = (scheduler as unknown as { finalAlphaCumprod?: number }).finalAlphaCumprod ?? 1;
  return Math.sqrt((1 - final) / final);
}

/** The exact model output for VP input x at VE noise level σ. */
export function exactPrediction(type: PredictionType, x: number, sigma: number, d: GaussianData): number {
  const alphaProd = 1 / (1 + sigma * sigma);
  const a = Math.sqrt(alphaProd);
  const sg = Math.sqrt(1 - alphaProd);
  const x0 = d.mu + ((a * d.s * d.s) / (alphaProd * d.s * d.s + 1 - alphaProd)) * (x - a * d.mu);
  if (type === 'sample') return x0;
  const eps = (x - a * x0) / sg;
  return type === 'epsilon' ? eps : a * eps - sg * x0;
}

export interface RunResult {
  /** The final sample (a copy). */
  out: Float32Array;
  /** The exact target per element (see the module comment). */
  exact: Float64Array;
  sigmaStart: number;
  sigmaLast: number;
  sigmaEnd: number;
  modelCalls: number;
}

/** Element i uses data[i % data.length]. `z` are N(0, 1) draws that fix the start point. */
export function runExact(
  scheduler: Scheduler,
  steps: number,
  data: GaussianData[],
  z: Float32Array,
  options: StepOptions = {},
): RunResult {
  scheduler.setTimesteps(steps);
  const type = scheduler.config.prediction_type;
  const ve = isVe(scheduler);
  const n = z.length;
  const K = data.length;
  const sigmaStart = modelSigma(scheduler, scheduler.timesteps[0]);
  // Start from the exact marginal at σ_start (the prior mismatch of pure noise is not the solver's error).
  const xbarStart = new Float64Array(n);
  let x: Float32Array = new Float32Array(n);
  const a0 = 1 / Math.sqrt(1 + sigmaStart * sigmaStart);
  for (let i = 0; i < n; i++) {
    const d = data[i % K];
    xbarStart[i] = d.mu + Math.sqrt(d.s * d.s + sigmaStart * sigmaStart) * z[i];
    x[i] = ve ? xbarStart[i] : a0 * xbarStart[i];
  }
  const modelOut = new Float32Array(n);
  let sigmaLast = sigmaStart;
  let calls = 0;
  for (const t of scheduler.timesteps) {
    const input = scheduler.scaleModelInput(x, t);
    const sigma = modelSigma(scheduler, t);
    // `input` is VP-scaled for every scheduler (Euler-type ones divide by √(σ² + 1)); the exact prediction
    // is affine in it, A + B·x, per data set.
    for (let k = 0; k < K; k++) {
      const A = exactPrediction(type, 0, sigma, data[k]);
      const B = exactPrediction(type, 1, sigma, data[k]) - A;
      for (let i = k; i < n; i += K) modelOut[i] = A + B * input[i];
    }
    sigmaLast = sigma;
    calls++;
    x = scheduler.step(modelOut, t, x, options).prevSample;
  }
  const sigmaEnd = endSigma(scheduler);
  const exact = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = data[i % K];
    const s2 = d.s * d.s;
    if (sigmaEnd === 0) {
      const atLast = d.mu + (xbarStart[i] - d.mu) * Math.sqrt((s2 + sigmaLast * sigmaLast) / (s2 + sigmaStart * sigmaStart));
      exact[i] = d.mu + (s2 / (s2 + sigmaLast * sigmaLast)) * (atLast - d.mu);
    } else {
      const atEnd = d.mu + (xbarStart[i] - d.mu) * Math.sqrt((s2 + sigmaEnd * sigmaEnd) / (s2 + sigmaStart * sigmaStart));
      exact[i] = ve ? atEnd : atEnd / Math.sqrt(1 + sigmaEnd * sigmaEnd);
    }
  }
  return { out: Float32Array.from(x), exact, sigmaStart, sigmaLast, sigmaEnd, modelCalls: calls };
}

/** Mean and variance (unbiased) of elements i ≡ k (mod K). */
export function moments(x: ArrayLike<number>, k: number, K: number): { mean: number; variance: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let i = k; i < x.length; i += K) {
    sum += x[i];
    count++;
  }
  const mean = sum / count;
  let ss = 0;
  for (let i = k; i < x.length; i += K) ss += (x[i] - mean) ** 2;
  return { mean, variance: ss / (count - 1), count };
}

/** The exact law of the target: mean and variance of the set k (see the module comment). */
export function targetMoments(d: GaussianData, r: RunResult, ve: boolean): { mean: number; variance: number } {
  const s2 = d.s * d.s;
  if (r.sigmaEnd === 0) return { mean: d.mu, variance: (s2 * s2) / (s2 + r.sigmaLast * r.sigmaLast) };
  const scale = ve ? 1 : 1 / Math.sqrt(1 + r.sigmaEnd * r.sigmaEnd);
  return { mean: d.mu * scale, variance: scale * scale * (s2 + r.sigmaEnd * r.sigmaEnd) };
}

/** RMS of (out − exact)/s over set k. */
export function relativeRmsError(r: RunResult, data: GaussianData[]): number {
  let ss = 0;
  for (let i = 0; i < r.out.length; i++) ss += ((r.out[i] - r.exact[i]) / data[i % data.length].s) ** 2;
  return Math.sqrt(ss / r.out.length);
}

export function standardNormals(n: number, seed: number): Float32Array {
  return new Rng(seed).fill(new Float32Array(n));
}
