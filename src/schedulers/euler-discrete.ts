/**
 * Euler: Karras, Aittala, Aila & Laine, "Elucidating the Design Space of Diffusion-Based Generative Models",
 * NeurIPS 2022, Algorithm 1 with one Euler step per interval (first order) on the probability-flow ODE
 * dx/dσ = (x − D(x; σ))/σ. Deterministic. Recommended: 30–50 steps; `use_karras_sigmas` spaces σ by eq. 5.
 */
import {
  type FromConfigOptions,
  type Scheduler,
  type SchedulerConfig,
  type SchedulerOutput,
  type StepOptions,
  PingPong,
  checkInferenceSteps,
  checkNumber,
  checkOneOf,
  checkOnlyDefault,
  checkStep,
  configToJSON,
  mergeConfig,
  validateScheduleConfig,
} from './scheduler';
import { alphasCumprod, betasFromConfig, fractionalTimesteps, sigmasForTimesteps, trainingSigmas } from './schedules';
import { predictOriginal } from './prediction';
import { InvalidArgumentError, SchedulerConfigError } from '../utils/errors';

export interface EulerDiscreteSchedulerConfig extends SchedulerConfig {
  interpolation_type: 'linear';
  use_karras_sigmas: boolean;
  use_exponential_sigmas: boolean;
  use_beta_sigmas: boolean;
  sigma_min: number | null;
  sigma_max: number | null;
  timestep_type: 'discrete';
  /** Last σ of the grid: 0 (denoise fully) or the smallest training σ. */
  final_sigmas_type: 'zero' | 'sigma_min';
}

export class EulerDiscreteScheduler implements Scheduler<EulerDiscreteSchedulerConfig> {
  static readonly className = 'EulerDiscreteScheduler';
  static readonly defaults: Readonly<EulerDiscreteSchedulerConfig> = {
    num_train_timesteps: 1000,
    beta_start: 0.0001,
    beta_end: 0.02,
    beta_schedule: 'linear',
    trained_betas: null,
    prediction_type: 'epsilon',
    interpolation_type: 'linear',
    use_karras_sigmas: false,
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    sigma_min: null,
    sigma_max: null,
    timestep_spacing: 'linspace',
    timestep_type: 'discrete',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
    final_sigmas_type: 'zero',
  };

  static fromConfig(json: Record<string, unknown>, options: FromConfigOptions = {}): EulerDiscreteScheduler {
    return new EulerDiscreteScheduler(mergeConfig(EulerDiscreteScheduler.className, EulerDiscreteScheduler.defaults, json, options.onWarning));
  }

  readonly name = EulerDiscreteScheduler.className;
  readonly config: Readonly<EulerDiscreteSchedulerConfig>;
  readonly order = 1;
  readonly alphasCumprod: Float64Array;
  /** σ of each step plus the final σ (length timesteps + 1), float32 as diffusers. */
  sigmas: Float32Array;
  timesteps = new Float32Array(0);
  stepIndex = 0;
  private readonly trainSigmas: Float64Array;
  private readonly out = new PingPong();
  private readonly x0Buffers = new PingPong();
  private scaled = new Float32Array(0);

  constructor(config: Partial<EulerDiscreteSchedulerConfig> = {}) {
    const c = { ...EulerDiscreteScheduler.defaults, ...config };
    validateSigmaSamplerConfig(EulerDiscreteScheduler.className, c);
    this.config = Object.freeze(c);
    this.alphasCumprod = alphasCumprod(betasFromConfig(c));
    this.trainSigmas = trainingSigmas(this.alphasCumprod, c.rescale_betas_zero_snr);
    this.sigmas = Float32Array.from([...Array.from(this.trainSigmas).reverse(), 0]);
  }

  get initNoiseSigma(): number {
    return initNoiseSigmaFor(this.sigmas, this.config.timestep_spacing);
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    checkInferenceSteps(this.name, numInferenceSteps, c.num_train_timesteps);
    const base = fractionalTimesteps(c.timestep_spacing, c.num_train_timesteps, numInferenceSteps, c.steps_offset);
    checkTimestepRange(this.name, base, c.num_train_timesteps);
    const karras = c.use_karras_sigmas ? { sigmaMin: c.sigma_min, sigmaMax: c.sigma_max, numSteps: numInferenceSteps } : null;
    const { sigmas, timesteps } = sigmasForTimesteps(base, this.trainSigmas, karras);
    const sigmaLast = c.final_sigmas_type === 'sigma_min' ? this.trainSigmas[0] : 0;
    this.sigmas = Float32Array.from([...sigmas, sigmaLast]);
    this.timesteps = Float32Array.from(timesteps);
    this.stepIndex = 0;
  }

  setBeginIndex(index: number): void {
    checkBeginIndex(this.name, index, this.timesteps.length);
    this.stepIndex = index;
  }

  /** x/√(σ² + 1): the VP-scaled input the denoiser was trained on. */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, sample, sample);
    this.scaled = this.scaled.length === sample.length ? this.scaled : new Float32Array(sample.length);
    return scaleBySigma(this.scaled, sample, this.sigmas[this.stepIndex]);
  }

  /** Euler step: x_{i+1} = x_i + (σ_{i+1} − σ_i)·(x_i − D_i)/σ_i. */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _options: StepOptions = {}): SchedulerOutput {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, modelOutput, sample);
    const n = sample.length;
    const sigma = this.sigmas[this.stepIndex];
    const sigmaNext = this.sigmas[this.stepIndex + 1];
    // 1. denoised D = predicted x₀
    const x0 = predictOriginal(this.x0Buffers.next(n), this.config.prediction_type, modelOutput, sample, 1, sigma);
    // 2. derivative (x − D)/σ times dt
    const ratio = (sigmaNext - sigma) / sigma;
    const prev = this.out.next(n);
    for (let i = 0; i < n; i++) prev[i] = sample[i] + (sample[i] - x0[i]) * ratio;
    this.stepIndex++;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  /** x + σ·noise, σ of `timestep` in the current grid (call setTimesteps first). */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseVe(this.name, this.timesteps, this.sigmas, original, noise, timestep);
  }

  toJSON(): EulerDiscreteSchedulerConfig & { _class_name: string } {
    return configToJSON(this.name, this.config);
  }
}

/** Shared by Euler and Heun: validation of the σ-spacing keys foley honours only at diffusers' defaults. */
export function validateSigmaSamplerConfig(
  className: string,
  c: SchedulerConfig & Partial<EulerDiscreteSchedulerConfig> & { clip_sample_range?: number },
): void {
  validateScheduleConfig(className, c);
  if (c.interpolation_type !== undefined) checkOnlyDefault(className, 'interpolation_type', c.interpolation_type, 'linear');
  if (c.use_exponential_sigmas !== undefined) checkOnlyDefault(className, 'use_exponential_sigmas', c.use_exponential_sigmas, false);
  if (c.use_beta_sigmas !== undefined) checkOnlyDefault(className, 'use_beta_sigmas', c.use_beta_sigmas, false);
  if (c.timestep_type !== undefined) checkOnlyDefault(className, 'timestep_type', c.timestep_type, 'discrete');
  if (c.final_sigmas_type !== undefined) checkOneOf(className, 'final_sigmas_type', c.final_sigmas_type, ['zero', 'sigma_min']);
  for (const key of ['sigma_min', 'sigma_max'] as const) {
    const v = c[key];
    if (v !== undefined && v !== null) {
      if (typeof v !== 'number') throw new SchedulerConfigError(`${className} config key "${key}" must be a number or null; got ${JSON.stringify(v)}`, v);
      checkNumber(className, key, v, 1e-10, 1e10);
    }
  }
  if (c.sigma_min != null && c.sigma_max != null && !(c.sigma_min < c.sigma_max)) {
    throw new SchedulerConfigError(`${className}: sigma_min (${c.sigma_min}) must be below sigma_max (${c.sigma_max})`, c);
  }
}

/** diffusers: max σ for linspace/trailing grids, √(max σ² + 1) for leading ones. */
export function initNoiseSigmaFor(sigmas: Float32Array, spacing: string): number {
  let max = 0;
  for (const s of sigmas) max = Math.max(max, s);
  return spacing === 'leading' ? Math.sqrt(max * max + 1) : max;
}

export function scaleBySigma(out: Float32Array, sample: Float32Array, sigma: number): Float32Array {
  const c = 1 / Math.sqrt(sigma * sigma + 1);
  for (let i = 0; i < out.length; i++) out[i] = sample[i] * c;
  return out;
}

export function checkTimestepRange(className: string, timesteps: number[], numTrain: number): void {
  const bad = timesteps.find((t) => t < 0 || t > numTrain - 1);
  if (bad !== undefined) throw new SchedulerConfigError(`${className}: timestep ${bad} is outside [0, ${numTrain - 1}] (check steps_offset)`, bad);
}

export function checkBeginIndex(className: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new InvalidArgumentError(`${className}.setBeginIndex: index must be within [0, ${length - 1}] (call setTimesteps first), got: ${index}`, index);
  }
}

/** Karras-space forward process x + σ·noise at a timestep of the current grid. */
export function addNoiseVe(
  className: string,
  timesteps: Float32Array,
  sigmas: Float32Array,
  original: Float32Array,
  noise: Float32Array,
  timestep: number,
): Float32Array {
  const index = timesteps.indexOf(timestep);
  if (index < 0) {
    throw new InvalidArgumentError(`${className}.addNoise: timestep ${timestep} is not in the current timesteps; call setTimesteps() and pass one of them`, timestep);
  }
  if (noise.length !== original.length) {
    throw new InvalidArgumentError(`${className}.addNoise: noise has ${noise.length} elements but original has ${original.length}`);
  }
  const sigma = sigmas[index];
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = original[i] + sigma * noise[i];
  return out;
}
