/**
 * Heun: Karras, Aittala, Aila & Laine, "Elucidating the Design Space of Diffusion-Based Generative Models",
 * NeurIPS 2022, Algorithm 1 (deterministic, S_churn = 0): Euler predictor then trapezoidal corrector, second
 * order, 2 model calls per interval (the last interval to σ = 0 is a plain Euler step). `timesteps` has
 * 2n − 1 entries for n steps. Recommended: 15–30 steps (30–60 model calls).
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
  checkStep,
  configToJSON,
  ensureLength,
  mergeConfig,
} from './scheduler';
import { alphasCumprod, betasFromConfig, fractionalTimesteps, sigmasForTimesteps, trainingSigmas } from './schedules';
import { clipInPlace, predictOriginal } from './prediction';
import {
  addNoiseVe,
  checkBeginIndex,
  checkTimestepRange,
  initNoiseSigmaFor,
  scaleBySigma,
  validateSigmaSamplerConfig,
} from './euler-discrete';

export interface HeunDiscreteSchedulerConfig extends SchedulerConfig {
  use_karras_sigmas: boolean;
  use_exponential_sigmas: boolean;
  use_beta_sigmas: boolean;
  clip_sample: boolean;
  clip_sample_range: number;
}

export class HeunDiscreteScheduler implements Scheduler<HeunDiscreteSchedulerConfig> {
  static readonly className = 'HeunDiscreteScheduler';
  static readonly defaults: Readonly<HeunDiscreteSchedulerConfig> = {
    num_train_timesteps: 1000,
    beta_start: 0.00085,
    beta_end: 0.012,
    beta_schedule: 'linear',
    trained_betas: null,
    prediction_type: 'epsilon',
    use_karras_sigmas: false,
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    clip_sample: false,
    clip_sample_range: 1.0,
    timestep_spacing: 'linspace',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
  };

  static fromConfig(json: Record<string, unknown>, options: FromConfigOptions = {}): HeunDiscreteScheduler {
    return new HeunDiscreteScheduler(mergeConfig(HeunDiscreteScheduler.className, HeunDiscreteScheduler.defaults, json, options.onWarning));
  }

  readonly name = HeunDiscreteScheduler.className;
  readonly config: Readonly<HeunDiscreteSchedulerConfig>;
  readonly order = 2;
  readonly alphasCumprod: Float64Array;
  /** [σ₀, σ₁, σ₁, …, σ_{n−1}, σ_{n−1}, 0]: the σ of each step call plus the final one. */
  sigmas: Float32Array;
  timesteps = new Float32Array(0);
  stepIndex = 0;
  private readonly trainSigmas: Float64Array;
  private readonly out = new PingPong();
  private readonly x0Buffers = new PingPong();
  private scaled = new Float32Array(0);
  /** Predictor state between the two calls of an interval (dt === null: next call is a predictor). */
  private dt: number | null = null;
  private prevDerivative = new Float32Array(0);
  private intervalStart = new Float32Array(0);

  constructor(config: Partial<HeunDiscreteSchedulerConfig> = {}) {
    const c = { ...HeunDiscreteScheduler.defaults, ...config };
    validateSigmaSamplerConfig(HeunDiscreteScheduler.className, c);
    checkNumber(HeunDiscreteScheduler.className, 'clip_sample_range', c.clip_sample_range, 0, 1e9);
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
    const karras = c.use_karras_sigmas ? { sigmaMin: null, sigmaMax: null, numSteps: numInferenceSteps } : null;
    const { sigmas, timesteps } = sigmasForTimesteps(base, this.trainSigmas, karras);
    const s = [sigmas[0], ...sigmas.slice(1).flatMap((v) => [v, v]), 0];
    const t = [timesteps[0], ...timesteps.slice(1).flatMap((v) => [v, v])];
    this.sigmas = Float32Array.from(s);
    this.timesteps = Float32Array.from(t);
    this.stepIndex = 0;
    this.dt = null;
  }

  setBeginIndex(index: number): void {
    checkBeginIndex(this.name, index, this.timesteps.length);
    if (index % 2 !== 0) throw new RangeError(`${this.name}.setBeginIndex: index must be even (the start of an interval), got: ${index}`);
    this.stepIndex = index;
    this.dt = null;
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, sample, sample);
    this.scaled = this.scaled.length === sample.length ? this.scaled : new Float32Array(sample.length);
    return scaleBySigma(this.scaled, sample, this.sigmas[this.stepIndex]);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _options: StepOptions = {}): SchedulerOutput {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, modelOutput, sample);
    const n = sample.length;
    const firstOrder = this.dt === null;
    const sigma = firstOrder ? this.sigmas[this.stepIndex] : this.sigmas[this.stepIndex - 1];
    const sigmaNext = firstOrder ? this.sigmas[this.stepIndex + 1] : this.sigmas[this.stepIndex];
    // 1. denoised D at the σ where the model was evaluated
    const sigmaInput = firstOrder ? sigma : sigmaNext;
    const x0 = predictOriginal(this.x0Buffers.next(n), this.config.prediction_type, modelOutput, sample, 1, sigmaInput);
    if (this.config.clip_sample) clipInPlace(x0, this.config.clip_sample_range);
    const prev = this.out.next(n);
    if (firstOrder) {
      // 2a. predictor: d = (x − D)/σ, Euler to σ_next; keep d, dt and x for the corrector
      const dt = sigmaNext - sigma;
      this.prevDerivative = ensureLength(this.prevDerivative, n);
      this.intervalStart = ensureLength(this.intervalStart, n);
      const d = this.prevDerivative;
      for (let i = 0; i < n; i++) {
        d[i] = (sample[i] - x0[i]) / sigma;
        prev[i] = sample[i] + d[i] * dt;
      }
      this.intervalStart.set(sample);
      this.dt = dt;
    } else {
      // 2b. corrector: average the derivatives at both ends (trapezoid), restart from the interval's start
      const dt = this.dt as number;
      const d = this.prevDerivative;
      const x = this.intervalStart;
      for (let i = 0; i < n; i++) prev[i] = x[i] + 0.5 * (d[i] + (sample[i] - x0[i]) / sigmaNext) * dt;
      this.dt = null;
    }
    this.stepIndex++;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseVe(this.name, this.timesteps, this.sigmas, original, noise, timestep);
  }

  toJSON(): HeunDiscreteSchedulerConfig & { _class_name: string } {
    return configToJSON(this.name, this.config);
  }
}
