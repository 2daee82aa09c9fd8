/**
 * DPM-Solver++ (multistep): Lu, Zhou, Bao, Chen, Li & Zhu, "DPM-Solver++: Fast Solver for Guided Sampling of
 * Diffusion Probabilistic Models", 2022 (arXiv 2211.01095), Algorithm 2 (2M) and the 3M extension, in the
 * data-prediction (x₀) parameterisation with exponential integrators in λ = log(α/σ). `sde-dpmsolver++` is the
 * SDE variant of §5 / Gonzalez et al. ("SEEDS", eq. for DPM-Solver++(2M) SDE). Deterministic 2M is second
 * order; recommended 10–25 steps (20 for quality), `use_karras_sigmas` for "DPM++ 2M Karras".
 */
import {
  type FromConfigOptions,
  type Scheduler,
  type SchedulerConfig,
  type SchedulerOutput,
  type StepOptions,
  type ThresholdingConfig,
  type WarningSink,
  PingPong,
  checkInferenceSteps,
  checkNumber,
  checkOneOf,
  checkOnlyDefault,
  checkStep,
  configToJSON,
  ensureLength,
  mergeConfig,
  requireRng,
  validateScheduleConfig,
  validateThresholding,
} from './scheduler';
import { alphasCumprod, betasFromConfig, interpIndex, karrasSigmas, multistepTimesteps, sigmaToT, trainingSigmas, roundHalfEven } from './schedules';
import { dynamicThresholdInPlace, predictOriginal } from './prediction';
import { addNoiseSigmaVp } from './unipc-multistep';
import { checkBeginIndex, checkTimestepRange } from './euler-discrete';
import { SchedulerConfigError } from '../utils/errors';

export interface DPMSolverMultistepSchedulerConfig extends SchedulerConfig, ThresholdingConfig {
  solver_order: number;
  algorithm_type: 'dpmsolver++' | 'sde-dpmsolver++';
  solver_type: 'midpoint' | 'heun';
  lower_order_final: boolean;
  euler_at_final: boolean;
  use_karras_sigmas: boolean;
  use_exponential_sigmas: boolean;
  use_beta_sigmas: boolean;
  use_lu_lambdas: boolean;
  use_flow_sigmas: boolean;
  flow_shift: number;
  final_sigmas_type: 'zero' | 'sigma_min';
  lambda_min_clipped: number;
  variance_type: null;
  use_dynamic_shifting: boolean;
  time_shift_type: 'exponential';
}

export class DPMSolverMultistepScheduler implements Scheduler<DPMSolverMultistepSchedulerConfig> {
  static readonly className = 'DPMSolverMultistepScheduler';
  static readonly defaults: Readonly<DPMSolverMultistepSchedulerConfig> = {
    num_train_timesteps: 1000,
    beta_start: 0.0001,
    beta_end: 0.02,
    beta_schedule: 'linear',
    trained_betas: null,
    solver_order: 2,
    prediction_type: 'epsilon',
    thresholding: false,
    dynamic_thresholding_ratio: 0.995,
    sample_max_value: 1.0,
    algorithm_type: 'dpmsolver++',
    solver_type: 'midpoint',
    lower_order_final: true,
    euler_at_final: false,
    use_karras_sigmas: false,
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    use_lu_lambdas: false,
    use_flow_sigmas: false,
    flow_shift: 1.0,
    final_sigmas_type: 'zero',
    lambda_min_clipped: -Infinity,
    variance_type: null,
    timestep_spacing: 'linspace',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
    use_dynamic_shifting: false,
    time_shift_type: 'exponential',
  };

  /** Like diffusers, maps UniPC's `solver_type` (bh1/bh2/logrho) to "midpoint" and `deis` to "dpmsolver++", with a warning. */
  static fromConfig(json: Record<string, unknown>, options: FromConfigOptions = {}): DPMSolverMultistepScheduler {
    const warn: WarningSink = options.onWarning ?? ((m) => console.warn(m));
    const merged = mergeConfig<DPMSolverMultistepSchedulerConfig>(DPMSolverMultistepScheduler.className, DPMSolverMultistepScheduler.defaults, json, warn);
    const solverType = merged.solver_type as string;
    if (['bh1', 'bh2', 'logrho'].includes(solverType)) {
      warn(`DPMSolverMultistepScheduler: solver_type "${solverType}" (a UniPC setting) is replaced by "midpoint"`);
      merged.solver_type = 'midpoint';
    }
    if ((merged.algorithm_type as string) === 'deis') {
      warn('DPMSolverMultistepScheduler: algorithm_type "deis" is replaced by "dpmsolver++"');
      merged.algorithm_type = 'dpmsolver++';
    }
    return new DPMSolverMultistepScheduler(merged);
  }

  readonly name = DPMSolverMultistepScheduler.className;
  readonly config: Readonly<DPMSolverMultistepSchedulerConfig>;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float64Array;
  /** VE σ of each step plus the final one (length timesteps + 1), float32 as diffusers. */
  sigmas: Float32Array;
  timesteps = new Float32Array(0);
  stepIndex = 0;
  private readonly trainSigmas: Float64Array;
  /** Past x₀ predictions, newest last (at most solver_order). */
  private modelOutputs: Float32Array[] = [];
  private lowerOrderNums = 0;
  private readonly out = new PingPong();
  private scratch = new Float32Array(0);

  constructor(config: Partial<DPMSolverMultistepSchedulerConfig> = {}) {
    const c = { ...DPMSolverMultistepScheduler.defaults, ...config };
    const name = DPMSolverMultistepScheduler.className;
    validateScheduleConfig(name, c);
    validateThresholding(name, c);
    checkNumber(name, 'solver_order', c.solver_order, 1, 3, true);
    if (c.algorithm_type === ('dpmsolver' as string) || c.algorithm_type === ('sde-dpmsolver' as string)) {
      throw new SchedulerConfigError(
        `${name} algorithm_type "${c.algorithm_type}" (noise-prediction DPM-Solver) is not implemented by foley; use "dpmsolver++" or "sde-dpmsolver++"`,
        c.algorithm_type,
      );
    }
    checkOneOf(name, 'algorithm_type', c.algorithm_type, ['dpmsolver++', 'sde-dpmsolver++']);
    checkOneOf(name, 'solver_type', c.solver_type, ['midpoint', 'heun']);
    checkOneOf(name, 'final_sigmas_type', c.final_sigmas_type, ['zero', 'sigma_min']);
    if (typeof c.lambda_min_clipped !== 'number' || Number.isNaN(c.lambda_min_clipped)) {
      throw new SchedulerConfigError(`${name} config key "lambda_min_clipped" must be a number; got ${JSON.stringify(c.lambda_min_clipped)}`, c.lambda_min_clipped);
    }
    for (const key of ['use_exponential_sigmas', 'use_beta_sigmas', 'use_lu_lambdas', 'use_flow_sigmas', 'use_dynamic_shifting'] as const) {
      checkOnlyDefault(name, key, c[key], false);
    }
    checkOnlyDefault(name, 'flow_shift', c.flow_shift, 1.0);
    checkOnlyDefault(name, 'variance_type', c.variance_type, null, 'learned variances need a 2×-channel model output');
    checkOnlyDefault(name, 'time_shift_type', c.time_shift_type, 'exponential');
    this.config = Object.freeze(c);
    this.alphasCumprod = alphasCumprod(betasFromConfig(c));
    this.trainSigmas = trainingSigmas(this.alphasCumprod, c.rescale_betas_zero_snr);
    this.sigmas = Float32Array.from(this.trainSigmas);
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    const T = c.num_train_timesteps;
    checkInferenceSteps(this.name, numInferenceSteps, T);
    // λ clipping: drop the low-noise end where λ_t = log(α_t/σ_t) < lambda_min_clipped.
    let clipped = 0;
    for (let t = T - 1; t >= 0; t--) {
      const lambda = -Math.log(this.trainSigmas[t]);
      if (lambda < c.lambda_min_clipped) clipped++;
      else break;
    }
    let timesteps = multistepTimesteps(c.timestep_spacing, T, numInferenceSteps, c.steps_offset, T - clipped);
    checkTimestepRange(this.name, timesteps, T);
    let sigmas: number[];
    if (c.use_karras_sigmas) {
      sigmas = Array.from(karrasSigmas(this.trainSigmas[0], this.trainSigmas[T - 1], numInferenceSteps));
      const logSigmas = this.trainSigmas.map(Math.log);
      timesteps = sigmas.map((s) => sigmaToT(s, logSigmas));
      if (c.beta_schedule !== 'squaredcos_cap_v2') timesteps = timesteps.map(roundHalfEven);
    } else {
      sigmas = timesteps.map((t) => interpIndex(t, this.trainSigmas));
    }
    const sigmaLast = c.final_sigmas_type === 'sigma_min' ? this.trainSigmas[0] : 0;
    this.sigmas = Float32Array.from([...sigmas, sigmaLast]);
    this.timesteps = Float32Array.from(timesteps);
    this.stepIndex = 0;
    this.modelOutputs = [];
    this.lowerOrderNums = 0;
  }

  setBeginIndex(index: number): void {
    checkBeginIndex(this.name, index, this.timesteps.length);
    this.stepIndex = index;
    this.modelOutputs = [];
    this.lowerOrderNums = 0;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options: StepOptions = {}): SchedulerOutput {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, modelOutput, sample);
    const c = this.config;
    const n = sample.length;
    const i = this.stepIndex;
    const steps = this.timesteps.length;
    const lowerOrderFinal = i === steps - 1 && (c.euler_at_final || (c.lower_order_final && steps < 15) || c.final_sigmas_type === 'zero');
    const lowerOrderSecond = i === steps - 2 && c.lower_order_final && steps < 15;
    // 1. x₀ prediction at σ_s0 (the data-prediction model of DPM-Solver++), thresholded if asked
    const [alphaS0, sigmaS0] = alphaSigma(this.sigmas[i]);
    const x0 = this.pushModelOutput(n);
    predictOriginal(x0, c.prediction_type, modelOutput, sample, alphaS0, sigmaS0);
    if (c.thresholding) {
      this.scratch = ensureLength(this.scratch, n);
      dynamicThresholdInPlace(x0, c.dynamic_thresholding_ratio, c.sample_max_value, options.batchSize ?? 1, this.scratch);
    }
    // 2. choose the order: warm-up and (optionally) the last steps use lower orders
    let order: number;
    if (c.solver_order === 1 || this.lowerOrderNums < 1 || lowerOrderFinal) order = 1;
    else if (c.solver_order === 2 || this.lowerOrderNums < 2 || lowerOrderSecond) order = 2;
    else order = 3;
    // 3. exponential-integrator coefficients in λ = log(α/σ) (float64), as weights on x and m0, m1, m2
    const [alphaT, sigmaT] = alphaSigma(this.sigmas[i + 1]);
    const lambdaT = Math.log(alphaT) - Math.log(sigmaT);
    const lambdaS0 = Math.log(alphaS0) - Math.log(sigmaS0);
    const h = lambdaT - lambdaS0;
    const sde = c.algorithm_type === 'sde-dpmsolver++';
    const em1 = Math.expm1(-h); // e^{−h} − 1
    const em2 = -Math.expm1(-2 * h); // 1 − e^{−2h}
    const cx = sde ? (sigmaT / sigmaS0) * Math.exp(-h) : sigmaT / sigmaS0;
    const A = sde ? alphaT * em2 : -alphaT * em1;
    let B = 0;
    let C = 0;
    if (order >= 2) {
      if (order === 3) {
        B = sde ? alphaT * (em2 / (-2 * h) + 1) : alphaT * (em1 / h + 1);
        C = sde ? alphaT * ((em2 - 2 * h) / (4 * h * h) - 0.5) : -alphaT * ((em1 + h) / (h * h) - 0.5);
      } else if (c.solver_type === 'midpoint') {
        B = sde ? 0.5 * alphaT * em2 : -0.5 * alphaT * em1;
      } else {
        B = sde ? alphaT * (em2 / (-2 * h) + 1) : alphaT * (em1 / h + 1);
      }
    }
    let w0 = A;
    let w1 = 0;
    let w2 = 0;
    if (order === 2) {
      const r0 = (lambdaS0 - this.lambdaAt(i - 1)) / h;
      w0 += B / r0;
      w1 = -B / r0;
    } else if (order === 3) {
      const lambdaS1 = this.lambdaAt(i - 1);
      const r0 = (lambdaS0 - lambdaS1) / h;
      const r1 = (lambdaS1 - this.lambdaAt(i - 2)) / h;
      const K = (B * r0 + C) / (r0 + r1);
      w0 += (B + K) / r0;
      w1 = -(B + K) / r0 - K / r1;
      w2 = K / r1;
    }
    const noiseStd = sde ? sigmaT * Math.sqrt(em2) : 0;
    // 4. x_t = cx·x + Σ w_k·m_k (+ σ_t·√(1 − e^{−2h})·z for the SDE)
    const m = this.modelOutputs;
    const m0 = m[m.length - 1];
    const m1 = order >= 2 ? m[m.length - 2] : m0;
    const m2 = order >= 3 ? m[m.length - 3] : m0;
    const prev = this.out.next(n);
    if (noiseStd > 0) {
      const rng = requireRng(this.name, options.rng);
      for (let k = 0; k < n; k++) prev[k] = cx * sample[k] + w0 * m0[k] + w1 * m1[k] + w2 * m2[k] + noiseStd * rng.nextNormal();
    } else {
      for (let k = 0; k < n; k++) prev[k] = cx * sample[k] + w0 * m0[k] + w1 * m1[k] + w2 * m2[k];
    }
    if (this.lowerOrderNums < c.solver_order) this.lowerOrderNums++;
    this.stepIndex++;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  private lambdaAt(index: number): number {
    const [alpha, sigma] = alphaSigma(this.sigmas[index]);
    return Math.log(alpha) - Math.log(sigma);
  }

  /**
   * A buffer for the newest x₀ prediction, recycling the oldest once solver_order + 1 are kept (one more than
   * the history needs, so the returned `predOriginalSample` survives the next step as documented).
   */
  private pushModelOutput(n: number): Float32Array {
    const keep = this.config.solver_order + 1;
    const buffer = this.modelOutputs.length === keep ? (this.modelOutputs.shift() as Float32Array) : new Float32Array(n);
    const sized = buffer.length === n ? buffer : new Float32Array(n);
    this.modelOutputs.push(sized);
    return sized;
  }

  /** α_t·x₀ + σ_t·noise at a timestep of the current grid. */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseSigmaVp(this.name, this.timesteps, this.sigmas, original, noise, timestep);
  }

  toJSON(): DPMSolverMultistepSchedulerConfig & { _class_name: string } {
    return configToJSON(this.name, this.config);
  }
}

/** VE σ → VP (α_t, σ_t) = (1/√(σ²+1), σ/√(σ²+1)). */
export function alphaSigma(sigma: number): [number, number] {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  return [alpha, sigma * alpha];
}
