/**
 * Element-wise conversions between what a denoiser predicts and the clean sample x₀, and the x₀ clamps
 * (clip_sample, dynamic thresholding). Samples are written as `sample = a·x₀ + s·ε`: VP space has a = √ᾱ,
 * s = √(1−ᾱ); VE space has a = 1, s = σ. The model always sees the VP-scaled input `sample/√(a² + s²)`.
 */
import type { PredictionType } from './scheduler';

// Cached: inside vm contexts (jest) every global lookup goes through an interceptor.
const { abs, min, max } = Math;

/**
 * x₀ from a model output into `out`:
 * ε-prediction x₀ = (x − s·ε)/a; v-prediction (Salimans & Ho 2022) x₀ = α·x/n − σ·v with α = a/n, σ = s/n,
 * n = √(a² + s²); sample-prediction x₀ = model output.
 */
export function predictOriginal(
  out: Float32Array,
  predictionType: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  a: number,
  s: number,
): Float32Array {
  const len = out.length;
  if (predictionType === 'epsilon') {
    const inv = 1 / a;
    for (let i = 0; i < len; i++) out[i] = (sample[i] - s * modelOutput[i]) * inv;
  } else if (predictionType === 'v_prediction') {
    const n2 = a * a + s * s;
    const cx = a / n2;
    const cv = s / Math.sqrt(n2);
    for (let i = 0; i < len; i++) out[i] = cx * sample[i] - cv * modelOutput[i];
  } else {
    out.set(modelOutput);
  }
  return out;
}

/** ε from x₀ into `out`: ε = (x − a·x₀)/s. */
export function epsilonFromOriginal(out: Float32Array, x0: Float32Array, sample: Float32Array, a: number, s: number): Float32Array {
  const inv = 1 / s;
  for (let i = 0; i < out.length; i++) out[i] = (sample[i] - a * x0[i]) * inv;
  return out;
}

/** ε predicted by the model (before any x₀ clamp), into `out`, for VP samples (a² + s² = 1). */
export function predictEpsilon(
  out: Float32Array,
  predictionType: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  a: number,
  s: number,
): Float32Array {
  if (predictionType === 'epsilon') {
    out.set(modelOutput);
  } else if (predictionType === 'v_prediction') {
    for (let i = 0; i < out.length; i++) out[i] = a * modelOutput[i] + s * sample[i];
  } else {
    const inv = 1 / s;
    for (let i = 0; i < out.length; i++) out[i] = (sample[i] - a * modelOutput[i]) * inv;
  }
  return out;
}

/** clip_sample: clamp x₀ to [−range, range] in place. */
export function clipInPlace(x: Float32Array, range: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v > range) x[i] = range;
    else if (v < -range) x[i] = -range;
  }
}

/**
 * Dynamic thresholding (Saharia et al. 2022, Imagen §2.3), per batch item: s = clamp(quantile(|x₀|, ratio),
 * 1, maxValue) (linear-interpolated quantile, as torch.quantile), then x₀ ← clamp(x₀, −s, s)/s.
 */
export function dynamicThresholdInPlace(x: Float32Array, ratio: number, maxValue: number, batchSize: number, scratch: Float32Array): void {
  const per = x.length / batchSize;
  if (!Number.isInteger(per)) throw new RangeError(`sample length ${x.length} is not divisible by batchSize ${batchSize}`);
  for (let b = 0; b < batchSize; b++) {
    const item = x.subarray(b * per, (b + 1) * per);
    const sorted = scratch.subarray(0, per);
    for (let i = 0; i < per; i++) sorted[i] = abs(item[i]);
    sorted.sort();
    const pos = ratio * (per - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, per - 1);
    let s = sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    s = min(max(s, 1), maxValue);
    for (let i = 0; i < per; i++) item[i] = min(max(item[i], -s), s) / s;
  }
}
