/**
 * Euler ancestral: an Euler step down to σ_down followed by fresh noise of std σ_up, with
 * σ_up = √(σ_next²(σ² − σ_next²)/σ²), σ_down = √(σ_next² − σ_up²) (Karras et al. 2022 / Crowson's
 * k-diffusion `sample_euler_ancestral`; the ancestral split is DDPM's, Ho et al. 2020 eq. 7).
 * Stochastic, first order; forgiving at 20–50 steps, never converges to a fixed output as steps grow.
 */
import {
  type FromConfigOptions,
  type Scheduler,
  type SchedulerConfig,
  type SchedulerOutput,
  type StepOptions,
  PingPong,
  checkInferenceSteps,
  checkStep,
  configToJSON,
  mergeConfig,
  requireRng,
} from './scheduler';
import { alphasCumprod, betasFromConfig, fractionalTimesteps, sigmasForTimesteps, trainingSigmas } from './schedules';
import { predictOriginal } from './prediction';
import {
  addNoiseVe,
  checkBeginIndex,
  checkTimestepRange,
  initNoiseSigmaFor,
  scaleBySigma,
  validateSigmaSamplerConfig,
} from './euler-discrete';

export type EulerAncestralDiscreteSchedulerConfig = SchedulerConfig;

export class EulerAncestralDiscreteScheduler implements Scheduler<EulerAncestralDiscreteSchedulerConfig> {
  static readonly className = 'EulerAncestralDiscreteScheduler';
  static readonly defaults: Readonly<EulerAncestralDiscreteSchedulerConfig> = {
    num_train_timesteps: 1000,
    beta_start: 0.0001,
    beta_end: 0.02,
    beta_schedule: 'linear',
    trained_betas: null,
    prediction_type: 'epsilon',
    timestep_spacing: 'linspace',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
  };

  static fromConfig(json: Record<string, unknown>, options: FromConfigOptions = {}): EulerAncestralDiscreteScheduler {
    return new EulerAncestralDiscreteScheduler(
      mergeConfig(EulerAncestralDiscreteScheduler.className, EulerAncestralDiscreteScheduler.defaults, json, options.onWarning),
    );
  }

  readonly name = EulerAncestralDiscreteScheduler.className;
  readonly config: Readonly<EulerAncestralDiscreteSchedulerConfig>;
  readonly order = 1;
  readonly alphasCumprod: Float64Array;
  sigmas: Float32Array;
  timesteps = new Float32Array(0);
  stepIndex = 0;
  private readonly trainSigmas: Float64Array;
  private readonly out = new PingPong();
  private readonly x0Buffers = new PingPong();
  private scaled = new Float32Array(0);

  constructor(config: Partial<EulerAncestralDiscreteSchedulerConfig> = {}) {
    const c = { ...EulerAncestralDiscreteScheduler.defaults, ...config };
    validateSigmaSamplerConfig(EulerAncestralDiscreteScheduler.className, c);
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
    const { sigmas, timesteps } = sigmasForTimesteps(base, this.trainSigmas, null);
    this.sigmas = Float32Array.from([...sigmas, 0]);
    this.timesteps = Float32Array.from(timesteps);
    this.stepIndex = 0;
  }

  setBeginIndex(index: number): void {
    checkBeginIndex(this.name, index, this.timesteps.length);
    this.stepIndex = index;
  }

  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, sample, sample);
    this.scaled = this.scaled.length === sample.length ? this.scaled : new Float32Array(sample.length);
    return scaleBySigma(this.scaled, sample, this.sigmas[this.stepIndex]);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options: StepOptions = {}): SchedulerOutput {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, modelOutput, sample);
    const n = sample.length;
    const sigma = this.sigmas[this.stepIndex];
    const sigmaTo = this.sigmas[this.stepIndex + 1];
    // 1. denoised D
    const x0 = predictOriginal(this.x0Buffers.next(n), this.config.prediction_type, modelOutput, sample, 1, sigma);
    // 2. split the step into a deterministic part (to σ_down) and fresh noise (σ_up)
    const sigmaUp = Math.sqrt((sigmaTo * sigmaTo * (sigma * sigma - sigmaTo * sigmaTo)) / (sigma * sigma));
    const sigmaDown = Math.sqrt(Math.max(sigmaTo * sigmaTo - sigmaUp * sigmaUp, 0));
    const ratio = (sigmaDown - sigma) / sigma;
    const prev = this.out.next(n);
    if (sigmaUp > 0) {
      const rng = requireRng(this.name, options.rng);
      for (let i = 0; i < n; i++) prev[i] = sample[i] + (sample[i] - x0[i]) * ratio + sigmaUp * rng.nextNormal();
    } else {
      for (let i = 0; i < n; i++) prev[i] = sample[i] + (sample[i] - x0[i]) * ratio;
    }
    this.stepIndex++;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseVe(this.name, this.timesteps, this.sigmas, original, noise, timestep);
  }

  toJSON(): EulerAncestralDiscreteSchedulerConfig & { _class_name: string } {
    return configToJSON(this.name, this.config);
  }
}
