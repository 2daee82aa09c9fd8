/**
 * DDIM: Song, Meng & Ermon, "Denoising Diffusion Implicit Models", ICLR 2021, eq. 12 (η-family of samplers;
 * η = 0 is deterministic and first order, the Euler method in (x/√ᾱ, σ)). AudioLDM ships this scheduler.
 * Recommended: 50–200 steps (η = 0); AudioLDM's original CLI used 200 steps with η = 1.
 */
import {
  type FromConfigOptions,
  type Scheduler,
  type SchedulerConfig,
  type SchedulerOutput,
  type StepOptions,
  type ThresholdingConfig,
  PingPong,
  checkInferenceSteps,
  checkNumber,
  checkStep,
  configToJSON,
  ensureLength,
  mergeConfig,
  requireRng,
  validateScheduleConfig,
  validateThresholding,
} from './scheduler';
import { alphasCumprod, betasFromConfig, discreteTimesteps } from './schedules';
import { clipInPlace, dynamicThresholdInPlace, predictEpsilon, predictOriginal } from './prediction';
import { SchedulerConfigError, InvalidArgumentError } from '../utils/errors';

export interface DDIMSchedulerConfig extends SchedulerConfig, ThresholdingConfig {
  clip_sample: boolean;
  clip_sample_range: number;
  /** Final step goes to ᾱ = 1 (true) or to ᾱ_0 (false, AudioLDM). */
  set_alpha_to_one: boolean;
}

export class DDIMScheduler implements Scheduler<DDIMSchedulerConfig> {
  static readonly className = 'DDIMScheduler';
  /** diffusers' `DDIMScheduler.__init__` defaults: the config schema. */
  static readonly defaults: Readonly<DDIMSchedulerConfig> = {
    num_train_timesteps: 1000,
    beta_start: 0.0001,
    beta_end: 0.02,
    beta_schedule: 'linear',
    trained_betas: null,
    clip_sample: true,
    set_alpha_to_one: true,
    steps_offset: 0,
    prediction_type: 'epsilon',
    thresholding: false,
    dynamic_thresholding_ratio: 0.995,
    clip_sample_range: 1.0,
    sample_max_value: 1.0,
    timestep_spacing: 'leading',
    rescale_betas_zero_snr: false,
  };

  static fromConfig(json: Record<string, unknown>, options: FromConfigOptions = {}): DDIMScheduler {
    return new DDIMScheduler(mergeConfig(DDIMScheduler.className, DDIMScheduler.defaults, json, options.onWarning));
  }

  readonly name = DDIMScheduler.className;
  readonly config: Readonly<DDIMSchedulerConfig>;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float64Array;
  /** ᾱ used after the last timestep. */
  readonly finalAlphaCumprod: number;
  timesteps = new Float32Array(0);
  stepIndex = 0;
  private numInferenceSteps = 0;
  private readonly out = new PingPong();
  private readonly x0Buffers = new PingPong();
  private eps = new Float32Array(0);
  private scratch = new Float32Array(0);

  constructor(config: Partial<DDIMSchedulerConfig> = {}) {
    const c = { ...DDIMScheduler.defaults, ...config };
    validateScheduleConfig(DDIMScheduler.className, c);
    validateThresholding(DDIMScheduler.className, c);
    checkNumber(DDIMScheduler.className, 'clip_sample_range', c.clip_sample_range, 0, 1e9);
    if (c.rescale_betas_zero_snr && c.prediction_type === 'epsilon') {
      throw new SchedulerConfigError(
        'DDIMScheduler: rescale_betas_zero_snr with prediction_type "epsilon" divides by √ᾱ_T = 0; use "v_prediction"',
        c,
      );
    }
    this.config = Object.freeze(c);
    this.alphasCumprod = alphasCumprod(betasFromConfig(c));
    this.finalAlphaCumprod = c.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    checkInferenceSteps(this.name, numInferenceSteps, this.config.num_train_timesteps);
    this.numInferenceSteps = numInferenceSteps;
    const ts = discreteTimesteps(this.config.timestep_spacing, this.config.num_train_timesteps, numInferenceSteps, this.config.steps_offset);
    const bad = ts.find((t) => t < 0 || t >= this.config.num_train_timesteps);
    if (bad !== undefined) {
      throw new SchedulerConfigError(`${this.name}: timestep ${bad} is outside [0, ${this.config.num_train_timesteps - 1}] (check steps_offset)`, bad);
    }
    this.timesteps = Float32Array.from(ts);
    this.stepIndex = 0;
  }

  setBeginIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.timesteps.length) {
      throw new InvalidArgumentError(`${this.name}.setBeginIndex: index must be within [0, ${this.timesteps.length - 1}], got: ${index}`, index);
    }
    this.stepIndex = index;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** DDIM eq. 12; the numbered comments follow the paper. */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options: StepOptions = {}): SchedulerOutput {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, modelOutput, sample);
    const eta = options.eta ?? 0;
    if (!(eta >= 0)) throw new InvalidArgumentError(`${this.name}.step: eta must be >= 0, got: ${eta}`, eta);
    const n = sample.length;
    // 1. previous timestep (t − T/n) and its ᾱ
    const prevTimestep = timestep - Math.floor(this.config.num_train_timesteps / this.numInferenceSteps);
    const alphaProdT = this.alphasCumprod[timestep];
    const alphaProdTPrev = prevTimestep >= 0 ? this.alphasCumprod[prevTimestep] : this.finalAlphaCumprod;
    const a = Math.sqrt(alphaProdT);
    const s = Math.sqrt(1 - alphaProdT);
    // 2. predicted x₀ ("predicted x_0" of eq. 12) and ε, from the model output
    const x0 = predictOriginal(this.x0Buffers.next(n), this.config.prediction_type, modelOutput, sample, a, s);
    this.eps = ensureLength(this.eps, n);
    const eps = predictEpsilon(this.eps, this.config.prediction_type, modelOutput, sample, a, s);
    // 3. clip or threshold x₀
    if (this.config.thresholding) {
      this.scratch = ensureLength(this.scratch, n);
      dynamicThresholdInPlace(x0, this.config.dynamic_thresholding_ratio, this.config.sample_max_value, options.batchSize ?? 1, this.scratch);
    } else if (this.config.clip_sample) {
      clipInPlace(x0, this.config.clip_sample_range);
    }
    // 4. σ_t(η) of eq. 16: η·√((1−ᾱ_prev)/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_prev))
    const variance = ((1 - alphaProdTPrev) / (1 - alphaProdT)) * (1 - alphaProdT / alphaProdTPrev);
    const stdDevT = eta * Math.sqrt(variance);
    // 5. "direction pointing to x_t" and 6. x_{t−1} = √ᾱ_prev·x₀ + √(1−ᾱ_prev−σ²)·ε (+ σ·z)
    const cX0 = Math.sqrt(alphaProdTPrev);
    const cEps = Math.sqrt(Math.max(1 - alphaProdTPrev - stdDevT * stdDevT, 0));
    const prev = this.out.next(n);
    if (eta > 0) {
      const rng = requireRng(this.name, options.rng);
      for (let i = 0; i < n; i++) prev[i] = cX0 * x0[i] + cEps * eps[i] + stdDevT * rng.nextNormal();
    } else {
      for (let i = 0; i < n; i++) prev[i] = cX0 * x0[i] + cEps * eps[i];
    }
    this.stepIndex++;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseVp(this.name, this.alphasCumprod, original, noise, timestep);
  }

  toJSON(): DDIMSchedulerConfig & { _class_name: string } {
    return configToJSON(this.name, this.config);
  }
}

/** q(x_t | x₀) = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε for an integer training timestep. */
export function addNoiseVp(className: string, ac: Float64Array, original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
  if (!Number.isInteger(timestep) || timestep < 0 || timestep >= ac.length) {
    throw new InvalidArgumentError(`${className}.addNoise: timestep must be an integer within [0, ${ac.length - 1}], got: ${timestep}`, timestep);
  }
  if (noise.length !== original.length) {
    throw new InvalidArgumentError(`${className}.addNoise: noise has ${noise.length} elements but original has ${original.length}`);
  }
  const a = Math.sqrt(ac[timestep]);
  const s = Math.sqrt(1 - ac[timestep]);
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = a * original[i] + s * noise[i];
  return out;
}
