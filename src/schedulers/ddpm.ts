/**
 * DDPM ancestral sampling: Ho, Jain & Abbeel, "Denoising Diffusion Probabilistic Models", NeurIPS 2020,
 * eq. 6–7 (posterior q(x_{t−1} | x_t, x₀) with the predicted x₀). Stochastic; needs ~1000 steps (the
 * training grid) to be accurate: the reference sampler, not a fast one.
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
  checkOneOf,
  checkStep,
  configToJSON,
  ensureLength,
  mergeConfig,
  requireRng,
  validateScheduleConfig,
  validateThresholding,
} from './scheduler';
import { alphasCumprod, betasFromConfig, discreteTimesteps } from './schedules';
import { clipInPlace, dynamicThresholdInPlace, predictOriginal } from './prediction';
import { addNoiseVp } from './ddim';
import { InvalidArgumentError, SchedulerConfigError } from '../utils/errors';

/** fixed_small: the posterior variance β̃_t; fixed_large: β_t (DDPM §3.2). */
export type DDPMVarianceType = 'fixed_small' | 'fixed_small_log' | 'fixed_large';

export interface DDPMSchedulerConfig extends SchedulerConfig, ThresholdingConfig {
  variance_type: DDPMVarianceType;
  clip_sample: boolean;
  clip_sample_range: number;
}

export class DDPMScheduler implements Scheduler<DDPMSchedulerConfig> {
  static readonly className = 'DDPMScheduler';
  static readonly defaults: Readonly<DDPMSchedulerConfig> = {
    num_train_timesteps: 1000,
    beta_start: 0.0001,
    beta_end: 0.02,
    beta_schedule: 'linear',
    trained_betas: null,
    variance_type: 'fixed_small',
    clip_sample: true,
    prediction_type: 'epsilon',
    thresholding: false,
    dynamic_thresholding_ratio: 0.995,
    clip_sample_range: 1.0,
    sample_max_value: 1.0,
    timestep_spacing: 'leading',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
  };

  static fromConfig(json: Record<string, unknown>, options: FromConfigOptions = {}): DDPMScheduler {
    return new DDPMScheduler(mergeConfig(DDPMScheduler.className, DDPMScheduler.defaults, json, options.onWarning));
  }

  readonly name = DDPMScheduler.className;
  readonly config: Readonly<DDPMSchedulerConfig>;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float64Array;
  timesteps = new Float32Array(0);
  stepIndex = 0;
  private readonly out = new PingPong();
  private readonly x0Buffers = new PingPong();
  private scratch = new Float32Array(0);

  constructor(config: Partial<DDPMSchedulerConfig> = {}) {
    const c = { ...DDPMScheduler.defaults, ...config };
    validateScheduleConfig(DDPMScheduler.className, c);
    validateThresholding(DDPMScheduler.className, c);
    checkNumber(DDPMScheduler.className, 'clip_sample_range', c.clip_sample_range, 0, 1e9);
    if (['learned', 'learned_range'].includes(c.variance_type)) {
      throw new SchedulerConfigError(
        `DDPMScheduler variance_type "${c.variance_type}" needs a model that also outputs the variance (2× channels); foley denoisers output ε/v/x₀ only`,
        c.variance_type,
      );
    }
    checkOneOf(DDPMScheduler.className, 'variance_type', c.variance_type, ['fixed_small', 'fixed_small_log', 'fixed_large']);
    if (c.rescale_betas_zero_snr && c.prediction_type === 'epsilon') {
      throw new SchedulerConfigError('DDPMScheduler: rescale_betas_zero_snr with prediction_type "epsilon" divides by √ᾱ_T = 0; use "v_prediction"', c);
    }
    this.config = Object.freeze(c);
    this.alphasCumprod = alphasCumprod(betasFromConfig(c));
  }

  setTimesteps(numInferenceSteps: number): void {
    checkInferenceSteps(this.name, numInferenceSteps, this.config.num_train_timesteps);
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

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options: StepOptions = {}): SchedulerOutput {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, modelOutput, sample);
    const n = sample.length;
    const t = timestep;
    // 1. previous timestep: the next entry of the grid (−1 after the last)
    const prevT = this.stepIndex + 1 < this.timesteps.length ? this.timesteps[this.stepIndex + 1] : -1;
    const alphaProdT = this.alphasCumprod[t];
    const alphaProdTPrev = prevT >= 0 ? this.alphasCumprod[prevT] : 1;
    const betaProdT = 1 - alphaProdT;
    const betaProdTPrev = 1 - alphaProdTPrev;
    const currentAlphaT = alphaProdT / alphaProdTPrev;
    const currentBetaT = 1 - currentAlphaT;
    // 2. predicted x₀ (eq. 15), 3. clipped or thresholded
    const x0 = predictOriginal(this.x0Buffers.next(n), this.config.prediction_type, modelOutput, sample, Math.sqrt(alphaProdT), Math.sqrt(betaProdT));
    if (this.config.thresholding) {
      this.scratch = ensureLength(this.scratch, n);
      dynamicThresholdInPlace(x0, this.config.dynamic_thresholding_ratio, this.config.sample_max_value, options.batchSize ?? 1, this.scratch);
    } else if (this.config.clip_sample) {
      clipInPlace(x0, this.config.clip_sample_range);
    }
    // 4. posterior mean coefficients (eq. 7)
    const cX0 = (Math.sqrt(alphaProdTPrev) * currentBetaT) / betaProdT;
    const cXt = (Math.sqrt(currentAlphaT) * betaProdTPrev) / betaProdT;
    // 5. posterior std: β̃_t = (1−ᾱ_prev)/(1−ᾱ_t)·β_t (clamped at 1e-20) or β_t
    let std = 0;
    if (t > 0) {
      const posteriorVariance = Math.max((betaProdTPrev / betaProdT) * currentBetaT, 1e-20);
      std = Math.sqrt(this.config.variance_type === 'fixed_large' ? currentBetaT : posteriorVariance);
    }
    const prev = this.out.next(n);
    if (std > 0) {
      const rng = requireRng(this.name, options.rng);
      for (let i = 0; i < n; i++) prev[i] = cX0 * x0[i] + cXt * sample[i] + std * rng.nextNormal();
    } else {
      for (let i = 0; i < n; i++) prev[i] = cX0 * x0[i] + cXt * sample[i];
    }
    this.stepIndex++;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseVp(this.name, this.alphasCumprod, original, noise, timestep);
  }

  toJSON(): DDPMSchedulerConfig & { _class_name: string } {
    return configToJSON(this.name, this.config);
  }
}
