/**
 * UniPC: Zhao, Bai, Rao, Zhou & Lu, "UniPC: A Unified Predictor-Corrector Framework for Fast Sampling of
 * Diffusion Models", NeurIPS 2023 (arXiv 2302.04867): multistep predictor UniP-p (Algorithm 2) and corrector
 * UniC (Algorithm 1, raises the order by one using the new model call, no extra evaluation), B(h) = e^h − 1
 * ("bh2") or h ("bh1"), data prediction (`predict_x0`). Recommended: 10–20 steps (5–10 works for guided runs).
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
  validateScheduleConfig,
  validateThresholding,
} from './scheduler';
import { alphasCumprod, betasFromConfig, interpIndex, karrasSigmas, multistepTimesteps, roundHalfEven, sigmaToT, trainingSigmas } from './schedules';
import { dynamicThresholdInPlace, predictOriginal } from './prediction';
import { checkBeginIndex, checkTimestepRange } from './euler-discrete';
import { InvalidArgumentError, SchedulerConfigError } from '../utils/errors';

export interface UniPCMultistepSchedulerConfig extends SchedulerConfig, ThresholdingConfig {
  solver_order: number;
  predict_x0: boolean;
  solver_type: 'bh1' | 'bh2';
  lower_order_final: boolean;
  /** Step indices after which the corrector is skipped. */
  disable_corrector: number[];
  solver_p: null;
  use_karras_sigmas: boolean;
  use_exponential_sigmas: boolean;
  use_beta_sigmas: boolean;
  use_flow_sigmas: boolean;
  flow_shift: number;
  final_sigmas_type: 'zero' | 'sigma_min';
  use_dynamic_shifting: boolean;
  time_shift_type: 'exponential';
  sigma_min: number | null;
  sigma_max: number | null;
  shift_terminal: null;
}

export class UniPCMultistepScheduler implements Scheduler<UniPCMultistepSchedulerConfig> {
  static readonly className = 'UniPCMultistepScheduler';
  static readonly defaults: Readonly<UniPCMultistepSchedulerConfig> = {
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
    predict_x0: true,
    solver_type: 'bh2',
    lower_order_final: true,
    disable_corrector: [],
    solver_p: null,
    use_karras_sigmas: false,
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    use_flow_sigmas: false,
    flow_shift: 1.0,
    timestep_spacing: 'linspace',
    steps_offset: 0,
    final_sigmas_type: 'zero',
    rescale_betas_zero_snr: false,
    use_dynamic_shifting: false,
    time_shift_type: 'exponential',
    sigma_min: null,
    sigma_max: null,
    shift_terminal: null,
  };

  /** Like diffusers, maps DPM-Solver's `solver_type` (midpoint/heun/logrho) to "bh2", with a warning. */
  static fromConfig(json: Record<string, unknown>, options: FromConfigOptions = {}): UniPCMultistepScheduler {
    const warn: WarningSink = options.onWarning ?? ((m) => console.warn(m));
    const merged = mergeConfig<UniPCMultistepSchedulerConfig>(UniPCMultistepScheduler.className, UniPCMultistepScheduler.defaults, json, warn);
    const solverType = merged.solver_type as string;
    if (['midpoint', 'heun', 'logrho'].includes(solverType)) {
      warn(`UniPCMultistepScheduler: solver_type "${solverType}" (a DPM-Solver setting) is replaced by "bh2"`);
      merged.solver_type = 'bh2';
    }
    return new UniPCMultistepScheduler(merged);
  }

  readonly name = UniPCMultistepScheduler.className;
  readonly config: Readonly<UniPCMultistepSchedulerConfig>;
  readonly order = 1;
  readonly initNoiseSigma = 1;
  readonly alphasCumprod: Float64Array;
  /** VE σ of each step plus the final one (length timesteps + 1), float32 as diffusers. */
  sigmas: Float32Array;
  timesteps = new Float32Array(0);
  stepIndex = 0;
  private readonly trainSigmas: Float64Array;
  /** Past x₀ predictions, newest last. */
  private modelOutputs: Float32Array[] = [];
  private lowerOrderNums = 0;
  private thisOrder = 1;
  private lastSample = new Float32Array(0);
  private hasLastSample = false;
  private corrected = new Float32Array(0);
  private readonly out = new PingPong();
  private scratch = new Float32Array(0);

  constructor(config: Partial<UniPCMultistepSchedulerConfig> = {}) {
    const c = { ...UniPCMultistepScheduler.defaults, ...config };
    const name = UniPCMultistepScheduler.className;
    validateScheduleConfig(name, c);
    validateThresholding(name, c);
    checkNumber(name, 'solver_order', c.solver_order, 1, 3, true);
    checkOneOf(name, 'solver_type', c.solver_type, ['bh1', 'bh2']);
    checkOnlyDefault(name, 'predict_x0', c.predict_x0, true, 'the noise-prediction variant is not implemented');
    checkOneOf(name, 'final_sigmas_type', c.final_sigmas_type, ['zero', 'sigma_min']);
    if (!Array.isArray(c.disable_corrector) || !c.disable_corrector.every((v) => Number.isInteger(v))) {
      throw new SchedulerConfigError(`${name} config key "disable_corrector" must be an array of step indices; got ${JSON.stringify(c.disable_corrector)}`, c.disable_corrector);
    }
    checkOnlyDefault(name, 'solver_p', c.solver_p, null, 'an external predictor scheduler cannot be given in a config');
    for (const key of ['use_exponential_sigmas', 'use_beta_sigmas', 'use_flow_sigmas', 'use_dynamic_shifting'] as const) {
      checkOnlyDefault(name, key, c[key], false);
    }
    checkOnlyDefault(name, 'flow_shift', c.flow_shift, 1.0);
    checkOnlyDefault(name, 'time_shift_type', c.time_shift_type, 'exponential');
    checkOnlyDefault(name, 'shift_terminal', c.shift_terminal, null);
    for (const key of ['sigma_min', 'sigma_max'] as const) {
      const v = c[key];
      if (v !== null) checkNumber(name, key, v as number, 1e-10, 1e10);
    }
    this.config = Object.freeze(c);
    this.alphasCumprod = alphasCumprod(betasFromConfig(c));
    this.trainSigmas = trainingSigmas(this.alphasCumprod, c.rescale_betas_zero_snr);
    this.sigmas = Float32Array.from(this.trainSigmas);
  }

  setTimesteps(numInferenceSteps: number): void {
    const c = this.config;
    const T = c.num_train_timesteps;
    checkInferenceSteps(this.name, numInferenceSteps, T);
    let timesteps = multistepTimesteps(c.timestep_spacing, T, numInferenceSteps, c.steps_offset);
    checkTimestepRange(this.name, timesteps, T);
    let sigmas: number[];
    let sigmaLast: number;
    if (c.use_karras_sigmas) {
      sigmas = Array.from(karrasSigmas(c.sigma_min ?? this.trainSigmas[0], c.sigma_max ?? this.trainSigmas[T - 1], numInferenceSteps));
      const logSigmas = this.trainSigmas.map(Math.log);
      timesteps = sigmas.map((s) => roundHalfEven(sigmaToT(s, logSigmas)));
      sigmaLast = c.final_sigmas_type === 'sigma_min' ? sigmas[sigmas.length - 1] : 0;
    } else {
      sigmas = timesteps.map((t) => interpIndex(t, this.trainSigmas));
      sigmaLast = c.final_sigmas_type === 'sigma_min' ? this.trainSigmas[0] : 0;
    }
    this.sigmas = Float32Array.from([...sigmas, sigmaLast]);
    this.timesteps = Float32Array.from(timesteps);
    this.reset(0);
  }

  setBeginIndex(index: number): void {
    checkBeginIndex(this.name, index, this.timesteps.length);
    this.reset(index);
  }

  private reset(index: number): void {
    this.stepIndex = index;
    this.modelOutputs = [];
    this.lowerOrderNums = 0;
    this.hasLastSample = false;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options: StepOptions = {}): SchedulerOutput {
    checkStep(this.name, this.timesteps, this.stepIndex, timestep, modelOutput, sample);
    const c = this.config;
    const n = sample.length;
    const i = this.stepIndex;
    // 1. x₀ prediction at σ_i
    const [alphaI, sigmaI] = alphaSigma(this.sigmas[i]);
    const x0 = this.newModelOutputBuffer(n);
    predictOriginal(x0, c.prediction_type, modelOutput, sample, alphaI, sigmaI);
    if (c.thresholding) {
      this.scratch = ensureLength(this.scratch, n);
      dynamicThresholdInPlace(x0, c.dynamic_thresholding_ratio, c.sample_max_value, options.batchSize ?? 1, this.scratch);
    }
    // 2. UniC: correct the previous step's result with the new model output
    let current = sample;
    if (i > 0 && this.hasLastSample && !c.disable_corrector.includes(i - 1)) {
      this.corrected = ensureLength(this.corrected, n);
      this.update(this.corrected, this.lastSample, i - 1, this.thisOrder, x0);
      current = this.corrected;
    }
    this.modelOutputs.push(x0);
    // 3. order of this step (warm-up, and lower at the end with lower_order_final)
    const wanted = c.lower_order_final ? Math.min(c.solver_order, this.timesteps.length - i) : c.solver_order;
    this.thisOrder = Math.min(wanted, this.lowerOrderNums + 1);
    this.lastSample = ensureLength(this.lastSample, n);
    this.lastSample.set(current);
    this.hasLastSample = true;
    // 4. UniP: predict x at σ_{i+1}
    const prev = this.out.next(n);
    this.update(prev, current, i, this.thisOrder, null);
    if (this.lowerOrderNums < c.solver_order) this.lowerOrderNums++;
    this.stepIndex++;
    return { prevSample: prev, predOriginalSample: x0 };
  }

  /**
   * One UniP (modelT === null) or UniC step from σ_{from} to σ_{from+1}, both of `order`, using the stored
   * x₀ predictions: m0 at σ_from and m_k at σ_{from−k}. For UniC, m0 is the one before the newest entry.
   */
  private update(out: Float32Array, x: Float32Array, from: number, order: number, modelT: Float32Array | null): void {
    const m = this.modelOutputs;
    const top = m.length - 1; // index of m0 (predictor: newest; corrector: newest before pushing modelT)
    const [alphaT, sigmaT] = alphaSigma(this.sigmas[from + 1]);
    const [alphaS0, sigmaS0] = alphaSigma(this.sigmas[from]);
    const lambdaS0 = Math.log(alphaS0) - Math.log(sigmaS0);
    const h = Math.log(alphaT) - Math.log(sigmaT) - lambdaS0;
    const rks: number[] = [];
    for (let k = 1; k < order; k++) {
      const [a, s] = alphaSigma(this.sigmas[from - k]);
      rks.push((Math.log(a) - Math.log(s) - lambdaS0) / h);
    }
    rks.push(1);
    // B(h) and the φ-function right-hand side b_k = φ_{k}(hh)·k!/B(h) (hh = −h for data prediction)
    const hh = -h;
    const hPhi1 = Math.expm1(hh);
    let hPhiK = hPhi1 / hh - 1;
    let factorial = 1;
    const Bh = this.config.solver_type === 'bh1' ? hh : Math.expm1(hh);
    const R: number[][] = [];
    const b: number[] = [];
    for (let k = 1; k <= order; k++) {
      R.push(rks.map((r) => r ** (k - 1)));
      b.push((hPhiK * factorial) / Bh);
      factorial *= k + 1;
      hPhiK = hPhiK / hh - 1 / factorial;
    }
    let rhos: number[];
    if (modelT === null) {
      rhos = order === 1 ? [] : order === 2 ? [0.5] : solveLinear(R.slice(0, -1).map((row) => row.slice(0, -1)), b.slice(0, -1));
    } else {
      rhos = order === 1 ? [0.5] : solveLinear(R, b);
    }
    // x_t = (σ_t/σ_s0)·x − α_t·φ₁·m0 − α_t·B(h)·(Σ_k ρ_k·(m_k − m0)/r_k [+ ρ_last·(m_t − m0)])
    const cx = sigmaT / sigmaS0;
    const weights: number[] = [];
    let w0 = -alphaT * hPhi1;
    for (let k = 1; k < order; k++) {
      const w = (-alphaT * Bh * rhos[k - 1]) / rks[k - 1];
      weights.push(w);
      w0 -= w;
    }
    let wT = 0;
    if (modelT !== null) {
      wT = -alphaT * Bh * rhos[rhos.length - 1];
      w0 -= wT;
    }
    const m0 = m[top];
    const m1 = order >= 2 ? m[top - 1] : m0;
    const m2 = order >= 3 ? m[top - 2] : m0;
    const w1 = weights[0] ?? 0;
    const w2 = weights[1] ?? 0;
    const mt = modelT ?? m0;
    for (let k = 0; k < out.length; k++) out[k] = cx * x[k] + w0 * m0[k] + w1 * m1[k] + w2 * m2[k] + wT * mt[k];
  }

  /** A buffer for the newest x₀, recycling the oldest once solver_order + 1 are kept (the history plus one). */
  private newModelOutputBuffer(n: number): Float32Array {
    const keep = this.config.solver_order + 1;
    const buffer = this.modelOutputs.length >= keep ? (this.modelOutputs.shift() as Float32Array) : new Float32Array(n);
    return buffer.length === n ? buffer : new Float32Array(n);
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    return addNoiseSigmaVp(this.name, this.timesteps, this.sigmas, original, noise, timestep);
  }

  toJSON(): UniPCMultistepSchedulerConfig & { _class_name: string } {
    return configToJSON(this.name, this.config);
  }
}

function alphaSigma(sigma: number): [number, number] {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  return [alpha, sigma * alpha];
}

/** Solves the small system A·x = b (≤ 3 unknowns) by Gaussian elimination with partial pivoting. */
export function solveLinear(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[pivot][col])) pivot = r;
    [M[col], M[pivot]] = [M[pivot], M[col]];
    if (M[col][col] === 0) throw new RangeError('solveLinear: singular matrix');
    for (let r = col + 1; r < n; r++) {
      const f = M[r][col] / M[col][col];
      for (let k = col; k <= n; k++) M[r][k] -= f * M[col][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/** α_t·x₀ + σ_t·noise (VP) at a timestep of the current grid of a σ-indexed multistep scheduler. */
export function addNoiseSigmaVp(
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
  const [alpha, sigma] = alphaSigma(sigmas[index]);
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = alpha * original[i] + sigma * noise[i];
  return out;
}
