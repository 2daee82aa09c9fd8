/**
 * Vocoders: log-mel → waveform.
 *
 * - `NeuralVocoder` runs a bundle's `vocoder/model.onnx` (`mel` [B, n_mels, T] → `real`, `imag` [B, n_fft/2+1, T],
 *   docs/bundle-format.md) and turns the spectrum into audio with the inverse STFT of `src/dsp` (centred periodic
 *   Hann). Optionally a few fast Griffin-Lim iterations refine it, keeping the network's magnitude and starting
 *   from its phase.
 * - `GriffinLimVocoder` needs no model: least-squares mel inversion, then fast Griffin-Lim (src/dsp).
 *
 * Both take the log-mel row-major `[mel][frame]` (natural log, floor 1e-5) and return `hop · frames` samples
 * unless a length is given.
 */
import { griffinLim } from '../dsp/griffin-lim';
import { AUDIOLDM_LOG_MEL, type LogMelOptions } from '../dsp/log-mel';
import { melFilterbank, type MelFilterbank } from '../dsp/mel';
import { melToLinear } from '../dsp/mel-inverse';
import { Stft, type ComplexSpectrogram } from '../dsp/stft';
import type { Hertz } from '../types/units';
import { InvalidArgumentError, ModelBundleError } from '../utils/errors';
import { OnnxSession } from './session';

export type VocoderKind = 'neural' | 'griffin-lim';

/** What every vocoder does. */
export interface Vocoder {
  readonly kind: VocoderKind;
  readonly sampleRate: Hertz;
  readonly hopLength: number;
  readonly nMels: number;
  /** One log-mel `[nMels][frames]` → a waveform of `length` samples (default hop · frames). */
  melToWaveform(logMel: Float32Array, nMels: number, frames: number, length?: number): Promise<Float32Array>;
  /** A batch of log-mels `[B][nMels][frames]` → B waveforms of hop · frames samples (the pipeline's call). */
  vocode(mel: Float32Array, batch: number, frames: number): Promise<Float32Array[]>;
  /** Frees native resources; the vocoder cannot be used afterwards. */
  release(): void;
}

/** `vocoder/config.json` keys the runtime uses (verbatim, docs/bundle-format.md). */
export interface VocoderConfig {
  output_kind: 'stft';
  n_fft: number;
  hop_length: number;
  win_length: number;
  window: 'hann';
  n_mels?: number;
  sample_rate?: number;
}

export interface NeuralVocoderOptions {
  /** onnxruntime threads inside one operator; default 2. */
  intraOpNumThreads?: number;
  /** Fast Griffin-Lim iterations after the network (keeping its magnitude, starting from its phase); default 0. */
  refineIterations?: number;
}

export interface GriffinLimVocoderOptions {
  /** Iterations; default 32. */
  iterations?: number;
  /** Momentum of fast Griffin-Lim; default 0.99. */
  momentum?: number;
  /** Seed of the random initial phase; default 0. */
  seed?: number;
  /** Log-mel front end the mels come from; default AudioLDM's (16 kHz, 64 mels, n_fft 1024, hop 160). */
  audio?: Partial<LogMelOptions>;
}

function checkMel(logMel: Float32Array, nMels: number, frames: number, expectedMels: number, batch = 1): void {
  if (nMels !== expectedMels) throw new InvalidArgumentError(`the vocoder takes ${expectedMels} mel bands, got ${nMels}`, nMels);
  if (!Number.isInteger(frames) || frames < 1) throw new InvalidArgumentError(`frames must be a positive integer, got ${frames}`, frames);
  if (logMel.length !== batch * nMels * frames) {
    throw new InvalidArgumentError(`log-mel holds ${logMel.length} values; ${batch} × ${nMels} mels × ${frames} frames need ${batch * nMels * frames}`, logMel.length);
  }
}

/** Reads and checks `vocoder/config.json` (Node). */
export function readVocoderConfig(path: string): VocoderConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(nodeFs().readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelBundleError(`${path}: ${code === 'ENOENT' ? 'missing' : `unreadable (${(error as Error).message})`}; a bundle's vocoder/ needs config.json and model.onnx`, path);
  }
  return checkVocoderConfig(raw as Record<string, unknown>, path);
}

/** Checks a parsed `vocoder/config.json` (read from `path`, a file or URL), listing every problem. */
export function checkVocoderConfig(config: Record<string, unknown>, path: string): VocoderConfig {
  const problems: string[] = [];
  if (config.output_kind !== 'stft') problems.push(`output_kind must be "stft", got ${JSON.stringify(config.output_kind)}`);
  if (config.window !== 'hann') problems.push(`window must be "hann", got ${JSON.stringify(config.window)}`);
  for (const key of ['n_fft', 'hop_length', 'win_length'] as const) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) problems.push(`${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  if (problems.length > 0) throw new ModelBundleError(`${path}: ${problems.join('; ')}`, config);
  return config as unknown as VocoderConfig;
}

/** The neural vocoder of a model bundle. */
export class NeuralVocoder implements Vocoder {
  readonly kind = 'neural' as const;
  readonly sampleRate: Hertz;
  readonly hopLength: number;
  readonly nMels: number;
  readonly bins: number;
  private readonly stft: Stft;

  private constructor(
    readonly session: OnnxSession,
    readonly config: VocoderConfig,
    private readonly refineIterations: number,
  ) {
    this.sampleRate = config.sample_rate ?? AUDIOLDM_LOG_MEL.sampleRate;
    this.hopLength = config.hop_length;
    this.nMels = config.n_mels ?? AUDIOLDM_LOG_MEL.nMels;
    this.bins = config.n_fft / 2 + 1;
    this.stft = new Stft({ nFft: config.n_fft, hopLength: config.hop_length, winLength: config.win_length, window: 'hann', center: true });
  }

  /** Loads `<bundleDir>/vocoder/` (model.onnx + config.json; Node). */
  static async fromBundle(bundleDir: string, options: NeuralVocoderOptions = {}): Promise<NeuralVocoder> {
    checkRefineIterations(options.refineIterations ?? 0);
    const { join } = nodePath();
    const config = readVocoderConfig(join(bundleDir, 'vocoder', 'config.json'));
    const session = await OnnxSession.create(join(bundleDir, 'vocoder', 'model.onnx'), { intraOpNumThreads: options.intraOpNumThreads });
    return NeuralVocoder.fromSession(session, config, options);
  }

  /**
   * The vocoder of an opened `vocoder/model.onnx` session and its checked config (the pipeline's way, for folders
   * and fetched bundles alike). Releases the session if it is not a vocoder.
   */
  static fromSession(session: OnnxSession, config: VocoderConfig, options: Pick<NeuralVocoderOptions, 'refineIterations'> = {}): NeuralVocoder {
    const refine = options.refineIterations ?? 0;
    try {
      checkRefineIterations(refine);
    } catch (error) {
      session.release();
      throw error;
    }
    const missing = ['real', 'imag'].filter((name) => !session.outputNames.includes(name));
    if (!session.inputNames.includes('mel') || missing.length > 0) {
      session.release();
      throw new ModelBundleError(
        `${session.modelPath}: a vocoder takes "mel" and returns "real" and "imag"; it takes ${session.inputNames.map((n) => `"${n}"`).join(', ')} and returns ${session.outputNames.map((n) => `"${n}"`).join(', ')}`,
        session.modelPath,
      );
    }
    return new NeuralVocoder(session, config, refine);
  }

  /** The network's spectrum for a batch: real and imaginary parts `[B][bins][frames]`. */
  async spectrum(logMel: Float32Array, batch: number, frames: number): Promise<{ real: Float32Array; imag: Float32Array }> {
    checkMel(logMel, this.nMels, frames, this.nMels, batch);
    const { real, imag } = await this.session.run({ mel: { data: logMel, dims: [batch, this.nMels, frames] } });
    const expected = [batch, this.bins, frames].join();
    if (real.dims.join() !== expected || imag.dims.join() !== expected) {
      throw new ModelBundleError(`${this.session.modelPath}: real and imag must be [${expected}], got [${real.dims}] and [${imag.dims}]`, real.dims);
    }
    return { real: real.data, imag: imag.data };
  }

  async melToWaveform(logMel: Float32Array, nMels: number, frames: number, length?: number): Promise<Float32Array> {
    checkMel(logMel, nMels, frames, this.nMels);
    const { real, imag } = await this.spectrum(logMel, 1, frames);
    return this.synthesise({ real, imag, bins: this.bins, frames }, length ?? this.hopLength * frames);
  }

  async vocode(mel: Float32Array, batch: number, frames: number): Promise<Float32Array[]> {
    const { real, imag } = await this.spectrum(mel, batch, frames);
    const size = this.bins * frames;
    return Array.from({ length: batch }, (_, b) =>
      this.synthesise({ real: real.subarray(b * size, (b + 1) * size), imag: imag.subarray(b * size, (b + 1) * size), bins: this.bins, frames }, this.hopLength * frames),
    );
  }

  release(): void {
    this.session.release();
  }

  private synthesise(spec: ComplexSpectrogram, length: number): Float32Array {
    if (this.refineIterations === 0) return this.stft.inverse(spec, length);
    return refineWithGriffinLim(this.stft, spec, length, this.refineIterations);
  }
}

/**
 * Fast Griffin-Lim (Perraudin et al. 2013, in torchaudio's form) that keeps `spec`'s magnitude and starts from its
 * phase: rebuilt = STFT(iSTFT(S)); angles = rebuilt − m/(1+m)·previous; S = |S₀|·angles/|angles|.
 */
function refineWithGriffinLim(stft: Stft, spec: ComplexSpectrogram, length: number, iterations: number, momentum = 0.99): Float32Array {
  const n = spec.real.length;
  const magnitude = new Float32Array(n);
  for (let i = 0; i < n; i++) magnitude[i] = Math.hypot(spec.real[i], spec.imag[i]);
  const current: ComplexSpectrogram = { real: Float32Array.from(spec.real), imag: Float32Array.from(spec.imag), bins: spec.bins, frames: spec.frames };
  const previous = { real: new Float32Array(n), imag: new Float32Array(n) };
  const coefficient = momentum / (1 + momentum);
  for (let it = 0; it < iterations; it++) {
    // The centred forward STFT of the full-length signal gives the same frame count.
    const rebuilt = stft.forward(stft.inverse(current, stft.inverseLength(spec.frames)));
    for (let i = 0; i < n; i++) {
      const re = rebuilt.real[i] - (it > 0 ? coefficient * previous.real[i] : 0);
      const im = rebuilt.imag[i] - (it > 0 ? coefficient * previous.imag[i] : 0);
      const norm = Math.hypot(re, im) + 1e-16;
      previous.real[i] = rebuilt.real[i];
      previous.imag[i] = rebuilt.imag[i];
      current.real[i] = (magnitude[i] * re) / norm;
      current.imag[i] = (magnitude[i] * im) / norm;
    }
  }
  return stft.inverse(current, length);
}

function checkRefineIterations(refine: number): void {
  if (!Number.isInteger(refine) || refine < 0) throw new InvalidArgumentError(`refineIterations must be a non-negative integer, got ${refine}`, refine);
}

// Node-only modules, loaded on first use so that browser builds, which share this module, do not bundle them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = () => require('node:fs') as typeof import('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodePath = () => require('node:path') as typeof import('node:path');

/** Model-free vocoder: mel pseudo-inverse, then fast Griffin-Lim. */
export class GriffinLimVocoder implements Vocoder {
  readonly kind = 'griffin-lim' as const;
  readonly sampleRate: Hertz;
  readonly hopLength: number;
  readonly nMels: number;
  private readonly audio: LogMelOptions;
  private readonly filterbank: MelFilterbank;
  private readonly iterations: number;
  private readonly momentum: number;
  private readonly seed: number;

  constructor(options: GriffinLimVocoderOptions = {}) {
    this.audio = { ...AUDIOLDM_LOG_MEL, ...options.audio };
    this.iterations = options.iterations ?? 32;
    this.momentum = options.momentum ?? 0.99;
    this.seed = options.seed ?? 0;
    if (!Number.isInteger(this.iterations) || this.iterations < 0) throw new InvalidArgumentError(`iterations must be a non-negative integer, got ${this.iterations}`, this.iterations);
    this.sampleRate = this.audio.sampleRate;
    this.hopLength = this.audio.hopLength;
    this.nMels = this.audio.nMels;
    const a = this.audio;
    this.filterbank = melFilterbank({ sampleRate: a.sampleRate, nFft: a.nFft, nMels: a.nMels, fMin: a.fMin, fMax: a.fMax, scale: a.melScale, norm: a.melNorm });
  }

  async melToWaveform(logMel: Float32Array, nMels: number, frames: number, length?: number): Promise<Float32Array> {
    checkMel(logMel, nMels, frames, this.nMels);
    const linear = new Float32Array(logMel.length);
    for (let i = 0; i < linear.length; i++) linear[i] = Math.exp(logMel[i]);
    const magnitude = melToLinear(linear, frames, this.filterbank);
    const a = this.audio;
    const target = length ?? this.hopLength * frames;
    // Griffin-Lim's STFT must see the same frame count: a centred STFT of L samples has ⌊L / hop⌋ + 1 frames.
    const runLength = Math.floor(target / a.hopLength) + 1 === frames ? target : (frames - 1) * a.hopLength;
    const wave = griffinLim(magnitude, {
      nFft: a.nFft, hopLength: a.hopLength, winLength: a.winLength, window: 'hann', center: true,
      iterations: this.iterations, momentum: this.momentum, seed: this.seed, length: runLength,
    });
    if (wave.length === target) return wave;
    const out = new Float32Array(target);
    out.set(wave.subarray(0, Math.min(target, wave.length)));
    return out;
  }

  async vocode(mel: Float32Array, batch: number, frames: number): Promise<Float32Array[]> {
    checkMel(mel, this.nMels, frames, this.nMels, batch);
    const size = this.nMels * frames;
    const out: Float32Array[] = [];
    for (let b = 0; b < batch; b++) out.push(await this.melToWaveform(mel.subarray(b * size, (b + 1) * size), this.nMels, frames));
    return out;
  }

  release(): void {
    // nothing native to free
  }
}

/** A vocoder by kind: the bundle's neural one, or Griffin-Lim with the bundle-independent AudioLDM front end. */
export async function createVocoder(kind: VocoderKind, bundleDir: string, options: NeuralVocoderOptions & GriffinLimVocoderOptions = {}): Promise<Vocoder> {
  if (kind === 'neural') return NeuralVocoder.fromBundle(bundleDir, options);
  if (kind === 'griffin-lim') return new GriffinLimVocoder(options);
  throw new InvalidArgumentError(`unknown vocoder "${String(kind)}"; choose neural or griffin-lim`, kind);
}
