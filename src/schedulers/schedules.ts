/**
 * Noise schedules and timestep grids: pure functions, float64, exactly diffusers' formulas (numpy semantics:
 * `np.linspace`, `np.round` half-to-even, `np.arange`, `np.interp`). diffusers stores betas in float32; these
 * are float64, so coefficients agree with diffusers to about 1e-7 relative and timestep lists exactly.
 */
import type { SchedulerConfig, TimestepSpacing } from './scheduler';

/** numpy's `np.round`: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** numpy's `np.linspace(start, stop, num)` (endpoint included), in float64. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** numpy's `np.arange(start, stop, step)` for float arguments: length ceil((stop − start)/step). */
export function arange(start: number, stop: number, step: number): Float64Array {
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return out;
}

/** numpy's `np.interp(x, [0, 1, …, fp.length − 1], fp)`: linear interpolation at fractional index x. */
export function interpIndex(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (x <= 0) return fp[0];
  if (x >= last) return fp[last];
  const j = Math.floor(x);
  return (fp[j + 1] - fp[j]) * (x - j) + fp[j];
}

/** Betas linear in β (DDPM, Ho et al. 2020) or linear in √β ("scaled_linear", Stable Diffusion / AudioLDM). */
export function linearBetas(betaStart: number, betaEnd: number, n: number, scaled: boolean): Float64Array {
  if (!scaled) return linspace(betaStart, betaEnd, n);
  const roots = linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), n);
  return roots.map((r) => r * r);
}

/** Cosine schedule, Nichol & Dhariwal 2021 eq. 17: ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), β capped at 0.999. */
export function cosineBetas(n: number, maxBeta = 0.999): Float64Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta);
  return out;
}

/** Lin et al. 2023 Algorithm 1: shift and scale √ᾱ so that the last timestep has zero SNR. */
export function rescaleZeroTerminalSnr(betas: Float64Array): Float64Array {
  const n = betas.length;
  const sqrtAc = new Float64Array(n);
  let prod = 1;
  for (let i = 0; i < n; i++) {
    prod *= 1 - betas[i];
    sqrtAc[i] = Math.sqrt(prod);
  }
  const first = sqrtAc[0];
  const last = sqrtAc[n - 1];
  const scale = first / (first - last);
  const alphaBar = sqrtAc.map((s) => ((s - last) * scale) ** 2);
  const out = new Float64Array(n);
  out[0] = 1 - alphaBar[0];
  for (let i = 1; i < n; i++) out[i] = 1 - alphaBar[i] / alphaBar[i - 1];
  return out;
}

/** β_t for a scheduler config (trained_betas win, then beta_schedule, then the zero-SNR rescale). */
export function betasFromConfig(config: SchedulerConfig): Float64Array {
  let betas: Float64Array;
  if (config.trained_betas !== null) betas = Float64Array.from(config.trained_betas);
  else if (config.beta_schedule === 'squaredcos_cap_v2') betas = cosineBetas(config.num_train_timesteps);
  else betas = linearBetas(config.beta_start, config.beta_end, config.num_train_timesteps, config.beta_schedule === 'scaled_linear');
  return config.rescale_betas_zero_snr ? rescaleZeroTerminalSnr(betas) : betas;
}

/** ᾱ_t = Π_{s ≤ t} (1 − β_s). */
export function alphasCumprod(betas: Float64Array): Float64Array {
  const out = new Float64Array(betas.length);
  let prod = 1;
  for (let i = 0; i < betas.length; i++) {
    prod *= 1 - betas[i];
    out[i] = prod;
  }
  return out;
}

/** VE noise level σ_t = √((1 − ᾱ_t)/ᾱ_t), indexed by training timestep (ascending in t). */
export function sigmasFromAlphasCumprod(ac: Float64Array): Float64Array {
  return ac.map((a) => Math.sqrt((1 - a) / a));
}

/** Karras et al. 2022 eq. 5: σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, ρ = 7. */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, n: number, rho = 7): Float64Array {
  const ramp = linspace(0, 1, n);
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return ramp.map((r) => (maxInv + r * (minInv - maxInv)) ** rho);
}

/**
 * The fractional training timestep whose σ is `sigma`: linear interpolation of log σ between neighbouring
 * training timesteps (diffusers' `_sigma_to_t`); `logSigmas` ascending in t.
 */
export function sigmaToT(sigma: number, logSigmas: Float64Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigmas[i] <= logSigma) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const high = low + 1;
  let w = (logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[high]);
  w = Math.min(Math.max(w, 0), 1);
  return (1 - w) * low + w * high;
}

/**
 * Integer timesteps of DDPM / DDIM / PNDM, highest first (diffusers `set_timesteps`):
 * linspace: round(linspace(0, T−1, n)); leading: k·⌊T/n⌋ + steps_offset; trailing: round(arange(T, 0, −T/n)) − 1.
 */
export function discreteTimesteps(spacing: TimestepSpacing, numTrain: number, n: number, stepsOffset: number): number[] {
  if (spacing === 'linspace') return Array.from(linspace(0, numTrain - 1, n), roundHalfEven).reverse();
  if (spacing === 'leading') {
    const ratio = Math.floor(numTrain / n);
    return Array.from({ length: n }, (_, k) => k * ratio + stepsOffset).reverse();
  }
  return Array.from(arange(numTrain, 0, -numTrain / n), (t) => roundHalfEven(t) - 1);
}

/**
 * Timesteps of Euler / Euler ancestral / Heun (float32, highest first): linspace is NOT rounded
 * (fractional timesteps, σ interpolated); leading and trailing as `discreteTimesteps`.
 */
export function fractionalTimesteps(spacing: TimestepSpacing, numTrain: number, n: number, stepsOffset: number): number[] {
  if (spacing === 'linspace') return Array.from(linspace(0, numTrain - 1, n), (t) => Math.fround(t)).reverse();
  return discreteTimesteps(spacing, numTrain, n, stepsOffset);
}

/**
 * Timesteps of the multistep solvers (DPM-Solver, UniPC): n + 1 grid points with the last (0) dropped:
 * linspace: round(linspace(0, last−1, n+1))[::-1][:-1]; leading: k·⌊last/(n+1)⌋ + steps_offset (k = n … 1);
 * trailing: round(arange(last, 0, −T/n)) − 1. `last` is T unless λ_min clipping shortens it.
 */
export function multistepTimesteps(
  spacing: TimestepSpacing,
  numTrain: number,
  n: number,
  stepsOffset: number,
  lastTimestep = numTrain,
): number[] {
  if (spacing === 'linspace') return Array.from(linspace(0, lastTimestep - 1, n + 1), roundHalfEven).reverse().slice(0, n);
  if (spacing === 'leading') {
    const ratio = Math.floor(lastTimestep / (n + 1));
    return Array.from({ length: n + 1 }, (_, k) => k * ratio).reverse().slice(0, n).map((t) => t + stepsOffset);
  }
  return Array.from(arange(lastTimestep, 0, -numTrain / n), (t) => roundHalfEven(t) - 1);
}

/** Training σ_t (ascending in t) of a schedule; with zero-terminal-SNR betas ᾱ_{T−1} is clamped to 2⁻²⁴ as in diffusers. */
export function trainingSigmas(ac: Float64Array, rescaledZeroSnr: boolean): Float64Array {
  const clamped = Float64Array.from(ac);
  if (rescaledZeroSnr) clamped[clamped.length - 1] = 2 ** -24;
  return sigmasFromAlphasCumprod(clamped);
}

/**
 * σ (and possibly re-derived timesteps) for sigma-space samplers: σ interpolated at each timestep
 * (`np.interp`), or, with Karras sigmas, the Karras ramp between σ_min and σ_max with timesteps from
 * `sigmaToT`. Returns float64 values; callers round to float32 as diffusers stores them.
 */
export function sigmasForTimesteps(
  timesteps: number[],
  trainSigmas: Float64Array,
  karras: { sigmaMin: number | null; sigmaMax: number | null; numSteps: number } | null,
): { sigmas: number[]; timesteps: number[] } {
  const interpolated = timesteps.map((t) => interpIndex(t, trainSigmas));
  if (karras === null) return { sigmas: interpolated, timesteps };
  const sigmaMin = karras.sigmaMin ?? interpolated[interpolated.length - 1];
  const sigmaMax = karras.sigmaMax ?? interpolated[0];
  const sigmas = Array.from(karrasSigmas(sigmaMin, sigmaMax, karras.numSteps));
  const logSigmas = trainSigmas.map(Math.log);
  return { sigmas, timesteps: sigmas.map((s) => sigmaToT(s, logSigmas)) };
}
