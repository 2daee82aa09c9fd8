/**
 * The scheduler contract shared by every sampler in `src/schedulers` (pure: no ONNX, no I/O), and the config
 * plumbing that reads diffusers' `scheduler_config.json` verbatim.
 *
 * Notation (diffusers / DDIM paper): ᾱ_t = `alphasCumprod[t]`; a noisy sample is x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε
 * ("VP" space); σ_t = √((1−ᾱ_t)/ᾱ_t) is the same noise level in "VE" space, where x̄ = x_t/√ᾱ_t = x₀ + σ_t·ε
 * (Karras et al. 2022). Euler, Euler ancestral and Heun keep their sample in VE space and scale the model input
 * by 1/√(σ²+1); all others keep it in VP space.
 *
 * Buffer ownership: `step()` returns arrays owned by the scheduler. `prevSample` and `predOriginalSample` stay
 * valid until the next-but-one `step()` call (two buffers alternate, so passing `prevSample` back as `sample`
 * is always safe); copy them to keep them longer. Inputs are never modified. `scaleModelInput` returns its
 * input unchanged (identity schedulers) or a scheduler-owned buffer valid until the next call.
 */
import { SchedulerConfigError, InvalidArgumentError } from '../utils/errors';
import type { Rng } from '../utils/random';

export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';

export const PREDICTION_TYPES: readonly PredictionType[] = ['epsilon', 'v_prediction', 'sample'];
export const BETA_SCHEDULES: readonly BetaSchedule[] = ['linear', 'scaled_linear', 'squaredcos_cap_v2'];
export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = ['linspace', 'leading', 'trailing'];

/** Keys are the diffusers scheduler_config.json keys, verbatim (snake_case), so files load unchanged. */
export interface SchedulerConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: BetaSchedule;
  trained_betas: number[] | null;
  prediction_type: PredictionType;
  timestep_spacing: TimestepSpacing;
  steps_offset: number;
  /** Lin et al. 2023 (arXiv 2305.08891): rescale betas to zero terminal SNR. */
  rescale_betas_zero_snr: boolean;
}

/** Dynamic thresholding (Saharia et al. 2022, Imagen §2.3) and clipping of the predicted x₀. */
export interface ThresholdingConfig {
  thresholding: boolean;
  dynamic_thresholding_ratio: number;
  sample_max_value: number;
}

export interface StepOptions {
  /** Seeded noise source for stochastic steps (DDPM, DDIM with eta > 0, ancestral, SDE); diffusers' `generator`. */
  rng?: Rng;
  /** DDIM eta (0 = deterministic DDIM, 1 = DDPM-like); other schedulers ignore it. */
  eta?: number;
  /** Items in the batch: dynamic thresholding takes its quantile per item. Default 1. */
  batchSize?: number;
}

export interface SchedulerOutput {
  /** x_{t−1}: pass back as `sample` on the next call. Scheduler-owned, see the module comment. */
  prevSample: Float32Array;
  /** Predicted x₀ when the algorithm computes one this call (used for live previews). Scheduler-owned. */
  predOriginalSample?: Float32Array;
}

export interface Scheduler<C extends SchedulerConfig = SchedulerConfig> {
  /** diffusers class name, written as `_class_name` by toJSON(). */
  readonly name: string;
  readonly config: Readonly<C>;
  /** Model evaluations per `step()` (diffusers' `order`): 2 for Heun's two calls per interval, else 1. */
  readonly order: number;
  /** Std of the initial latent noise: multiply N(0, 1) noise by this. */
  readonly initNoiseSigma: number;
  /** Timesteps to feed the denoiser (one per `step()` call), highest noise first. Empty until setTimesteps(). */
  readonly timesteps: Float32Array;
  /** Index of the next `step()` call in `timesteps`; reset by setTimesteps(), advanced by step(). */
  readonly stepIndex: number;
  /** ᾱ_t for t = 0 … num_train_timesteps − 1 (float64). */
  readonly alphasCumprod: Float64Array;

  /** Must be called before every run; resets all multistep history. */
  setTimesteps(numInferenceSteps: number): void;
  /** Start at `timesteps[index]` instead of the first (audio-to-audio); call after setTimesteps(). */
  setBeginIndex(index: number): void;
  /** The model input for the current step: identity for VP schedulers, x/√(σ²+1) for Euler-type ones. */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  /** One step; throws if `timestep !== timesteps[stepIndex]` instead of searching for it. */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options?: StepOptions): SchedulerOutput;
  /** Forward process q(x_t | x₀) at `timestep`, in this scheduler's sample space (fresh array). */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array;
  /** The config as diffusers writes it, with `_class_name`. */
  toJSON(): C & { _class_name: string };
}

/** Where config warnings go (keys a scheduler ignores). Defaults to `console.warn`. */
export type WarningSink = (message: string) => void;

export interface FromConfigOptions {
  /** Receives one message per ignored key; pass `(m) => warnings.push(m)` to collect them. */
  onWarning?: WarningSink;
}

type Json = Record<string, unknown>;

/**
 * Merges `input` over `defaults` like diffusers' `extract_init_dict`: keys starting with `_` are metadata and
 * skipped; keys the scheduler does not know are reported to `onWarning` and ignored; a known key whose value
 * has the wrong JSON type is rejected. Keys whose default is `null` take any value; the class validates them.
 */
export function mergeConfig<C extends object>(
  className: string,
  defaults: C,
  input: Json,
  onWarning: WarningSink = (m) => console.warn(m),
): C {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SchedulerConfigError(`${className} config must be a JSON object, got: ${JSON.stringify(input)}`, input);
  }
  const merged: Json = { ...(defaults as Json) };
  const ignored: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key.startsWith('_')) continue;
    if (!(key in merged)) {
      ignored.push(key);
      continue;
    }
    const value = normaliseJsonNumber(raw);
    const expected = (defaults as Json)[key];
    if (expected !== null && value !== null && typeof value !== typeof expected) {
      throw new SchedulerConfigError(
        `${className} config key "${key}" must be a ${typeof expected}, got: ${JSON.stringify(raw)}`,
        raw,
      );
    }
    if (value === null && expected !== null && !Array.isArray(expected)) {
      throw new SchedulerConfigError(`${className} config key "${key}" must not be null`, raw);
    }
    merged[key] = value;
  }
  if (ignored.length > 0) {
    onWarning(`The config attributes ${ignored.map((k) => `"${k}"`).join(', ')} were passed to ${className}, but are not expected and will be ignored.`);
  }
  return merged as C;
}

/** Python's json writes ±inf as the bare tokens `Infinity`/`-Infinity`; accept them as strings too. */
function normaliseJsonNumber(value: unknown): unknown {
  if (value === 'Infinity' || value === 'inf') return Infinity;
  if (value === '-Infinity' || value === '-inf') return -Infinity;
  return value;
}

/**
 * Parses scheduler_config.json text, accepting the non-standard `Infinity`, `-Infinity` and `NaN` tokens that
 * Python's json module writes (e.g. DPM-Solver's `"lambda_min_clipped": -Infinity`).
 */
export function parseSchedulerConfigJson(text: string): Json {
  // Replace the bare tokens outside strings with quoted markers.
  const fixed = text.replace(/("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)\b/g, (m, str: string | undefined, tok: string | undefined) =>
    str !== undefined ? str : `"${tok}"`,
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(fixed);
  } catch (error) {
    throw new SchedulerConfigError(`scheduler config is not valid JSON: ${(error as Error).message}`, text);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SchedulerConfigError('scheduler config must be a JSON object', parsed);
  }
  return parsed as Json;
}

/** Throws SchedulerConfigError unless `config[key]` is one of `allowed`. */
export function checkOneOf<T>(className: string, key: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new SchedulerConfigError(
      `${className} config key "${key}" must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}; got ${JSON.stringify(value)}`,
      value,
    );
  }
}

/** Throws SchedulerConfigError unless `value` is finite and within [min, max] (and an integer if asked). */
export function checkNumber(className: string, key: string, value: number, min: number, max: number, integer = false): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new SchedulerConfigError(
      `${className} config key "${key}" must be ${integer ? 'an integer' : 'a number'} within [${min}, ${max}]; got ${JSON.stringify(value)}`,
      value,
    );
  }
}

/** Rejects a key that this implementation honours only at diffusers' default value. */
export function checkOnlyDefault(className: string, key: string, value: unknown, supported: unknown, why = ''): void {
  if (JSON.stringify(value) !== JSON.stringify(supported)) {
    throw new SchedulerConfigError(
      `${className} config key "${key}" = ${JSON.stringify(value)} is not supported by foley (only ${JSON.stringify(supported)})${why ? `: ${why}` : ''}`,
      value,
    );
  }
}

/** Validates the keys every scheduler shares (see `SchedulerConfig`). */
export function validateScheduleConfig(
  className: string,
  config: SchedulerConfig,
  predictionTypes: readonly PredictionType[] = PREDICTION_TYPES,
): void {
  checkNumber(className, 'num_train_timesteps', config.num_train_timesteps, 2, 1e7, true);
  checkNumber(className, 'beta_start', config.beta_start, 0, 1);
  checkNumber(className, 'beta_end', config.beta_end, 0, 1);
  checkOneOf(className, 'beta_schedule', config.beta_schedule, BETA_SCHEDULES);
  checkOneOf(className, 'prediction_type', config.prediction_type, predictionTypes);
  checkOneOf(className, 'timestep_spacing', config.timestep_spacing, TIMESTEP_SPACINGS);
  checkNumber(className, 'steps_offset', config.steps_offset, 0, config.num_train_timesteps - 1, true);
  const betas = config.trained_betas;
  if (betas !== null) {
    if (!Array.isArray(betas) || betas.length !== config.num_train_timesteps) {
      throw new SchedulerConfigError(
        `${className} config key "trained_betas" must be null or an array of num_train_timesteps (${config.num_train_timesteps}) numbers; got ${Array.isArray(betas) ? `${betas.length} values` : JSON.stringify(betas)}`,
        betas,
      );
    }
    betas.forEach((b, i) => {
      if (typeof b !== 'number' || !(b > 0 && b < 1)) {
        throw new SchedulerConfigError(`${className} trained_betas[${i}] must be a number in (0, 1); got ${JSON.stringify(b)}`, b);
      }
    });
  }
}

/** Checks a thresholding block (DDPM, DDIM, DPM-Solver, UniPC). */
export function validateThresholding(className: string, config: ThresholdingConfig): void {
  checkNumber(className, 'dynamic_thresholding_ratio', config.dynamic_thresholding_ratio, 0, 1);
  checkNumber(className, 'sample_max_value', config.sample_max_value, 1, 1e9);
}

/** Throws unless `n` is a usable step count for a model trained with `numTrain` timesteps. */
export function checkInferenceSteps(className: string, n: number, numTrain: number): void {
  if (!Number.isInteger(n) || n < 1 || n > numTrain) {
    throw new InvalidArgumentError(
      `${className}.setTimesteps: numInferenceSteps must be an integer within [1, ${numTrain}] (num_train_timesteps), got: ${n}`,
      n,
    );
  }
}

/** The checks at the top of every `step()`: timesteps set, right timestep, matching lengths. */
export function checkStep(
  className: string,
  timesteps: Float32Array,
  stepIndex: number,
  timestep: number,
  modelOutput: Float32Array,
  sample: Float32Array,
): void {
  if (timesteps.length === 0) {
    throw new InvalidArgumentError(`${className}.step: call setTimesteps(numInferenceSteps) before step()`);
  }
  if (stepIndex >= timesteps.length) {
    throw new InvalidArgumentError(
      `${className}.step: all ${timesteps.length} steps are done; call setTimesteps() to start a new run`,
      stepIndex,
    );
  }
  if (timestep !== timesteps[stepIndex]) {
    throw new InvalidArgumentError(
      `${className}.step: expected timestep ${timesteps[stepIndex]} (timesteps[${stepIndex}]), got ${timestep}; pass the scheduler's timesteps in order`,
      timestep,
    );
  }
  if (modelOutput.length !== sample.length) {
    throw new InvalidArgumentError(
      `${className}.step: modelOutput has ${modelOutput.length} elements but sample has ${sample.length}`,
      modelOutput.length,
    );
  }
}

/** Throws unless a stochastic step got a noise source. */
export function requireRng(className: string, rng: Rng | undefined): Rng {
  if (rng === undefined) {
    throw new InvalidArgumentError(`${className}.step is stochastic: pass { rng } (a seeded Rng from utils/random)`);
  }
  return rng;
}

/** Two alternating scheduler-owned buffers (see "Buffer ownership" above). */
export class PingPong {
  private a = new Float32Array(0);
  private b = new Float32Array(0);
  private useA = true;
  /** The buffer to write next (length n), never the one handed out last time. */
  next(n: number): Float32Array {
    this.useA = !this.useA;
    if (this.useA) {
      if (this.a.length !== n) this.a = new Float32Array(n);
      return this.a;
    }
    if (this.b.length !== n) this.b = new Float32Array(n);
    return this.b;
  }
}

/** A reusable scratch buffer of length n. */
export function ensureLength(buffer: Float32Array<ArrayBuffer>, n: number): Float32Array<ArrayBuffer> {
  return buffer.length === n ? buffer : new Float32Array(n);
}

/** `{ _class_name, ...config }` with arrays copied, as diffusers serialises a scheduler. */
export function configToJSON<C extends object>(className: string, config: C): C & { _class_name: string } {
  const copy = JSON.parse(JSON.stringify(config, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v))) as C;
  return { _class_name: className, ...copy };
}
