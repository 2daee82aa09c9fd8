/**
 * The log-mel spectrogram foley's models see, AudioLDM's front end by default (haoheliu/AudioLDM
 * `audio/stft.py`, `TacotronSTFT`): 16 kHz, centred STFT with reflect padding, n_fft 1024, hop 160, periodic
 * Hann window of 1024, the **magnitude** spectrum through 64 Slaney-scale, Slaney-normalised mel filters over
 * 0–8000 Hz, then ln(max(x, 1e-5)). Output: row-major `[mel][frame]`, frames = ⌊N / hop⌋ + 1.
 *
 * This is the one function the pipeline (VAE encoder input) and the vocoders use.
 */
import { InvalidArgumentError } from '../utils/errors';
import type { Hertz } from '../types/units';
import { melFilterbank, type MelFilterbank, type MelNorm, type MelScale } from './mel';
import { Stft } from './stft';

export interface LogMelOptions {
  sampleRate: Hertz;
  nFft: number;
  hopLength: number;
  winLength: number;
  nMels: number;
  fMin: Hertz;
  fMax: Hertz;
  melScale: MelScale;
  melNorm: MelNorm;
  /** Floor before the natural log. */
  logFloor: number;
  /** Spectrum exponent before the mel filters: 1 magnitude (AudioLDM), 2 power. */
  power: number;
}

/** AudioLDM's 16 kHz configuration (audioldm-and-peers.md §1). */
export const AUDIOLDM_LOG_MEL: Readonly<LogMelOptions> = Object.freeze({
  sampleRate: 16000,
  nFft: 1024,
  hopLength: 160,
  winLength: 1024,
  nMels: 64,
  fMin: 0,
  fMax: 8000,
  melScale: 'slaney',
  melNorm: 'slaney',
  logFloor: 1e-5,
  power: 1,
});

/** The `audio` block of a bundle's model_index.json (snake_case keys, docs/bundle-format.md). */
export interface SnakeCaseMelConfig {
  sample_rate: number;
  n_fft: number;
  hop_length: number;
  win_length: number;
  n_mels: number;
  f_min: number;
  f_max: number;
  mel_scale: string;
  mel_norm: string;
  log_floor: number;
}

/** LogMelOptions from a bundle's `audio` config block. */
export function logMelOptionsFromConfig(config: SnakeCaseMelConfig): LogMelOptions {
  const melScale = config.mel_scale;
  const melNorm = config.mel_norm === 'null' ? 'none' : config.mel_norm;
  if (melScale !== 'slaney' && melScale !== 'htk') throw new InvalidArgumentError(`audio.mel_scale must be 'slaney' or 'htk', got: ${melScale}`, melScale);
  if (melNorm !== 'slaney' && melNorm !== 'none') throw new InvalidArgumentError(`audio.mel_norm must be 'slaney' or 'none', got: ${melNorm}`, melNorm);
  return {
    sampleRate: config.sample_rate,
    nFft: config.n_fft,
    hopLength: config.hop_length,
    winLength: config.win_length,
    nMels: config.n_mels,
    fMin: config.f_min,
    fMax: config.f_max,
    melScale,
    melNorm,
    logFloor: config.log_floor,
    power: 1,
  };
}

/** A log-mel spectrogram: `data` row-major `[mel][frame]`. */
export interface LogMelSpectrogram {
  data: Float32Array;
  nMels: number;
  frames: number;
}

/**
 * A reusable log-mel front end (STFT plan, filterbank, scratch). Not re-entrant.
 *
 * @example
 * const logMel = new LogMel();                 // AudioLDM configuration
 * const { data, nMels, frames } = logMel.compute(samples16k);
 */
export class LogMel {
  readonly options: Readonly<LogMelOptions>;
  readonly stft: Stft;
  readonly filterbank: MelFilterbank;
  private readonly spectrum: Float64Array;
  private readonly magnitude: Float64Array;

  constructor(options: Partial<LogMelOptions> = {}) {
    this.options = Object.freeze({ ...AUDIOLDM_LOG_MEL, ...options });
    const o = this.options;
    if (!(o.logFloor > 0)) throw new InvalidArgumentError(`logFloor must be positive, got: ${o.logFloor}`, o.logFloor);
    if (!(o.power > 0)) throw new InvalidArgumentError(`power must be positive, got: ${o.power}`, o.power);
    this.stft = new Stft({ nFft: o.nFft, hopLength: o.hopLength, winLength: o.winLength, window: 'hann', center: true, padMode: 'reflect' });
    this.filterbank = melFilterbank({ sampleRate: o.sampleRate, nFft: o.nFft, nMels: o.nMels, fMin: o.fMin, fMax: o.fMax, scale: o.melScale, norm: o.melNorm });
    this.spectrum = new Float64Array(2 * this.stft.bins);
    this.magnitude = new Float64Array(this.stft.bins);
  }

  /** Frames for `samples` input samples. */
  frameCount(samples: number): number {
    return this.stft.frameCount(samples);
  }

  /** Log-mel of mono samples at `options.sampleRate`, into `out` when it has nMels · frames values. */
  compute(samples: ArrayLike<number>, out?: Float32Array): LogMelSpectrogram {
    return this.run(samples, true, out);
  }

  /** The mel spectrogram before the log (linear amplitude), `[mel][frame]`. */
  computeLinear(samples: ArrayLike<number>, out?: Float32Array): LogMelSpectrogram {
    return this.run(samples, false, out);
  }

  private run(samples: ArrayLike<number>, log: boolean, out?: Float32Array): LogMelSpectrogram {
    const { nMels, weights, start, end, bins } = this.filterbank;
    const frames = this.stft.frameCount(samples.length);
    const data = out !== undefined && out.length === nMels * frames ? out : new Float32Array(nMels * frames);
    const padded = this.stft.padSignal(samples);
    const spectrum = this.spectrum;
    const magnitude = this.magnitude;
    const power = this.options.power;
    const floor = this.options.logFloor;
    for (let t = 0; t < frames; t++) {
      this.stft.analyseFrame(padded, t, spectrum);
      for (let k = 0; k < bins; k++) {
        const p = spectrum[2 * k] * spectrum[2 * k] + spectrum[2 * k + 1] * spectrum[2 * k + 1];
        magnitude[k] = power === 1 ? Math.sqrt(p) : power === 2 ? p : Math.pow(p, power / 2);
      }
      for (let m = 0; m < nMels; m++) {
        let sum = 0;
        const row = m * bins;
        for (let k = start[m]; k < end[m]; k++) sum += weights[row + k] * magnitude[k];
        data[m * frames + t] = log ? Math.log(sum > floor ? sum : floor) : sum;
      }
    }
    return { data, nMels, frames };
  }
}

/** One-shot log-mel (AudioLDM configuration unless overridden); keep a `LogMel` for repeated use. */
export function logMel(samples: ArrayLike<number>, options: Partial<LogMelOptions> = {}): LogMelSpectrogram {
  return new LogMel(options).compute(samples);
}
