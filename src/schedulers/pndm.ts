/**
 * PNDM: Liu, Ren, Lin & Zhao, "Pseudo Numerical Methods for Diffusion Models on Manifolds", ICLR 2022:
 * the DDIM transfer φ (eq. 11) driven by a pseudo Runge–Kutta warm-up (PRK, eq. 13, 3 steps of 4 model calls)
 * and pseudo linear multistep (PLMS, eq. 12, Adams–Bashforth weights 55/−59/37/−9). `skip_prk_steps` starts
 * PLMS with a 2-call improved-Euler step instead (Stable Diffusion's default). Recommended: 50 steps.
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
  ensureLength,
  mergeConfig,
  validateScheduleConfig,
} from './scheduler';
import { alphasCumprod, arange, betasFromConfig, linspace, roundHalfEven } from './schedules';
import { addNoiseVp } from './ddim';
import { predictEpsilon } from './prediction';
import { InvalidArgumentError, SchedulerConfigError } from '../utils/errors';

export interface PNDMSchedulerConfig extends SchedulerConfig {
  skip_prk_steps: boolean;
  set_alpha_to_one: boolean;
}

export class PNDMScheduler implements Scheduler<PNDMSchedulerConfig> {
  static readonly className = 'PNDMScheduler';
  static readonly defaults: Readonly<PNDMSchedulerConfig> = {
    num_train_timesteps: 1000,
    beta_start: 0.0001,
    beta_end: 0.02,
    beta_schedule: 'linear',
    trained_betas: null,
    skip_prk_steps: false,
    set_alpha_to_one: false,
    prediction_type: 'epsilon',
    timestep_spacing: 'leading',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
  };

  static fromConfig(json: Record<string, unknown>, options: FromConfigOptions = {}): PNDMScheduler {
    return new PNDMScheduler(mergeConfig(PNDMScheduler.className, PNDMScheduler.defaults, json, options.onWarning));
  }

  readonly name = PNDMScheduler.className;
  readonly config: Readonly<PNDMSchedulerConfig>;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float64Array;
  readonly finalAlphaCumprod: number;
  timesteps = new Float32Array(0);
  stepIndex = 0;
  /** Model calls in the PRK warm-up (12, or 0 with skip_prk_steps). */
  private prkCount = 0;
  private numInferenceSteps = 0;
  private counter = 0;
  /** Past model outputs ε (newest last), at most 4. */
  private ets: Float32Array[] = [];
  private curModelOutput = new Float32Array(0);
  private curSample = new Float32Array(0);
  private hasCurSample = false;
  private combined = new Float32Array(0);
  private epsIn = new Float32Array(0);
  private readonly out = new PingPong();

  constructor(config: Partial<PNDMSchedulerConfig> = {}) {
    const c = { ...PNDMScheduler.defaults, ...config };
    validateScheduleConfig(PNDMScheduler.className, c);
    if (c.rescale_betas_zero_snr && c.prediction_type === 'epsilon') {
      throw new SchedulerConfigError('PNDMScheduler: rescale_betas_zero_snr with prediction_type "epsilon" divides by √ᾱ_T = 0; use "v_prediction"', c);
    }
    this.config = Object.freeze(c);
    this.alphasCumprod = alphasCumprod(betasFromConfig(c));
    this.finalAlphaCumprod = c.set_alpha_to_one ? 1 : this.alphasCumprod[0];
  }

  setTimesteps(numInferenceSteps: number): void {
    const { num_train_timesteps: T, timestep_spacing: spacing, steps_offset: offset } = this.config;
    checkInferenceSteps(this.name, numInferenceSteps, T);
    const n = numInferenceSteps;
    if (!this.config.skip_prk_steps && n < 4) {
      throw new InvalidArgumentError(`${this.name}: the PRK warm-up needs numInferenceSteps >= 4 (or skip_prk_steps: true), got: ${n}`, n);
    }
    if (this.config.skip_prk_steps && n < 2) {
      throw new InvalidArgumentError(`${this.name}: numInferenceSteps must be >= 2, got: ${n}`, n);
    }
    // Ascending grid, as diffusers' `_timesteps`.
    let grid: number[];
    if (spacing === 'linspace') grid = Array.from(linspace(0, T - 1, n), roundHalfEven);
    else if (spacing === 'leading') grid = Array.from({ length: n }, (_, k) => k * Math.floor(T / n) + offset);
    else grid = Array.from(arange(T, 0, -T / n), (t) => roundHalfEven(t) - 1).reverse();
    const bad = grid.find((t) => t < 0 || t >= T);
    if (bad !== undefined) throw new SchedulerConfigError(`${this.name}: timestep ${bad} is outside [0, ${T - 1}] (check steps_offset)`, bad);
    let prk: number[] = [];
    let plms: number[];
    if (this.config.skip_prk_steps) {
      // The second-highest timestep twice: the improved-Euler start of PLMS.
      plms = [...grid.slice(0, -1), grid[grid.length - 2], grid[grid.length - 1]].reverse();
    } else {
      // Top 4 timesteps and their half-step midpoints, as [d, c+h, c+h, c, c, b+h, b+h, b, b, a+h, a+h, a].
      const half = Math.floor(Math.floor(T / n) / 2);
      const top = grid.slice(-4);
      const pairs = top.flatMap((t) => [t, t + half]).slice(0, -1);
      prk = pairs.flatMap((t) => [t, t]).slice(1, -1).reverse();
      plms = grid.slice(0, -3).reverse();
    }
    this.prkCount = prk.length;
    this.timesteps = Float32Array.from([...prk, ...plms]);
    this.numInferenceSteps = n;
    this.stepIndex = 0;
    this.counter = 0;
    this.ets = [];
    this.hasCurSample = false;
    this.curModelOutput.fill(0);
  }

  setBeginIndex(index: number): void {
    throw new InvalidArgumentError(`${this.name} cannot start mid-schedule (its multistep warm-up needs every step); use DDIM or DPM-Solver for audio-to-audio`, index);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, _options: StepOptions = {}): SchedulerOutput {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, modelOutput, sample);
    // PNDM is defined on ε: convert each model output at its own timestep and sample. (diffusers instead
    // combines raw v outputs and converts the mix with the latest sample, a first-order error for v models.)
    this.epsIn = ensureLength(this.epsIn, sample.length);
    const ab = this.alphasCumprod[timestep];
    const eps = predictEpsilon(this.epsIn, this.config.prediction_type, modelOutput, sample, Math.sqrt(ab), Math.sqrt(1 - ab));
    const prev = this.counter < this.prkCount ? this.stepPrk(eps, timestep, sample) : this.stepPlms(eps, timestep, sample);
    this.counter++;
    this.stepIndex++;
    return { prevSample: prev };
  }

  /** Pseudo Runge–Kutta (eq. 13): four calls per step, weights 1/6, 1/3, 1/3, 1/6. */
  private stepPrk(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    const n = sample.length;
    const T = this.config.num_train_timesteps;
    const diffToPrev = this.counter % 2 ? 0 : Math.floor(Math.floor(T / this.numInferenceSteps) / 2);
    const prevTimestep = timestep - diffToPrev;
    const baseTimestep = this.timesteps[Math.floor(this.counter / 4) * 4];
    this.curModelOutput = ensureLength(this.curModelOutput, n);
    this.combined = ensureLength(this.combined, n);
    const acc = this.curModelOutput;
    let eps = modelOutput;
    const phase = this.counter % 4;
    if (phase === 0) {
      for (let i = 0; i < n; i++) acc[i] = modelOutput[i] / 6;
      this.pushEt(modelOutput);
      this.curSample = ensureLength(this.curSample, n);
      this.curSample.set(sample);
      this.hasCurSample = true;
    } else if (phase === 1 || phase === 2) {
      for (let i = 0; i < n; i++) acc[i] += modelOutput[i] / 3;
    } else {
      for (let i = 0; i < n; i++) this.combined[i] = acc[i] + modelOutput[i] / 6;
      acc.fill(0);
      eps = this.combined;
    }
    const from = this.hasCurSample ? this.curSample : sample;
    return this.transfer(from, baseTimestep, prevTimestep, eps);
  }

  /** Pseudo linear multistep (eq. 12) with the lower-order start of diffusers. */
  private stepPlms(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    const n = sample.length;
    const stride = Math.floor(this.config.num_train_timesteps / this.numInferenceSteps);
    let prevTimestep = timestep - stride;
    let fromTimestep = timestep;
    if (this.counter !== 1) {
      this.pushEt(modelOutput);
    } else {
      prevTimestep = timestep;
      fromTimestep = timestep + stride;
    }
    this.combined = ensureLength(this.combined, n);
    const c = this.combined;
    const e = this.ets;
    const k = e.length;
    let from = sample;
    if (k === 1 && this.counter === 0) {
      c.set(modelOutput);
      this.curSample = ensureLength(this.curSample, n);
      this.curSample.set(sample);
      this.hasCurSample = true;
    } else if (k === 1 && this.counter === 1) {
      const e1 = e[0];
      for (let i = 0; i < n; i++) c[i] = (modelOutput[i] + e1[i]) / 2;
      from = this.curSample;
      this.hasCurSample = false;
    } else if (k === 2) {
      const [e2, e1] = e;
      for (let i = 0; i < n; i++) c[i] = (3 * e1[i] - e2[i]) / 2;
    } else if (k === 3) {
      const [e3, e2, e1] = e;
      for (let i = 0; i < n; i++) c[i] = (23 * e1[i] - 16 * e2[i] + 5 * e3[i]) / 12;
    } else {
      const [e4, e3, e2, e1] = e;
      for (let i = 0; i < n; i++) c[i] = (55 * e1[i] - 59 * e2[i] + 37 * e3[i] - 9 * e4[i]) / 24;
    }
    return this.transfer(from, fromTimestep, prevTimestep, c);
  }

  private pushEt(modelOutput: Float32Array): void {
    const buffer = this.ets.length === 4 ? (this.ets.shift() as Float32Array) : new Float32Array(modelOutput.length);
    buffer.set(modelOutput);
    this.ets.push(buffer);
  }

  /** The transfer φ of eq. 11 (DDIM's deterministic step written in ε), from t to t_prev; `modelOutput` is ε. */
  private transfer(sample: Float32Array, t: number, prevT: number, modelOutput: Float32Array): Float32Array {
    const alphaProdT = this.alphasCumprod[t];
    const alphaProdTPrev = prevT >= 0 ? this.alphasCumprod[prevT] : this.finalAlphaCumprod;
    const betaProdT = 1 - alphaProdT;
    const betaProdTPrev = 1 - alphaProdTPrev;
    const sampleCoeff = Math.sqrt(alphaProdTPrev / alphaProdT);
    const denom = alphaProdT * Math.sqrt(betaProdTPrev) + Math.sqrt(alphaProdT * betaProdT * alphaProdTPrev);
    const epsCoeff = (alphaProdTPrev - alphaProdT) / denom;
    const prev = this.out.next(sample.length);
    for (let i = 0; i < prev.length; i++) prev[i] = sampleCoeff * sample[i] - epsCoeff * modelOutput[i];
    return prev;
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseVp(this.name, this.alphasCumprod, original, noise, timestep);
  }

  toJSON(): PNDMSchedulerConfig & { _class_name: string } {
    return configToJSON(this.name, this.config);
  }
}
