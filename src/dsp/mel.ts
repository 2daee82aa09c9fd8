/**
 * Mel scales and triangular mel filterbanks, as torchaudio.functional.melscale_fbanks (and librosa.filters.mel):
 * Slaney's Auditory Toolbox scale (linear below 1 kHz, logarithmic above) or HTK's 2595·log10(1 + f/700),
 * with Slaney's area normalisation (each triangle scaled by 2 / its width in Hz) or none.
 */
import { InvalidArgumentError } from '../utils/errors';
import type { Hertz } from '../types/units';
import type { Spectrogram } from './stft';

export type MelScale = 'slaney' | 'htk';
export type MelNorm = 'slaney' | 'none';

const SLANEY_HZ_PER_MEL = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_HZ_PER_MEL; // 15
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

/** Hertz → mel. */
export function hzToMel(hz: Hertz, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  if (hz < SLANEY_MIN_LOG_HZ) return hz / SLANEY_HZ_PER_MEL;
  return SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOG_STEP;
}

/** Mel → hertz. */
export function melToHz(mel: number, scale: MelScale = 'slaney'): Hertz {
  if (scale === 'htk') return 700 * (Math.pow(10, mel / 2595) - 1);
  if (mel < SLANEY_MIN_LOG_MEL) return mel * SLANEY_HZ_PER_MEL;
  return SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_MIN_LOG_MEL));
}

export interface MelFilterbankOptions {
  sampleRate: Hertz;
  nFft: number;
  nMels: number;
  /** Lowest edge; default 0. */
  fMin?: Hertz;
  /** Highest edge; default sampleRate / 2. */
  fMax?: Hertz;
  /** Default 'slaney' (librosa's default, AudioLDM's mel). */
  scale?: MelScale;
  /** Default 'slaney'. */
  norm?: MelNorm;
}

/**
 * A mel filterbank: `weights` row-major `[mel][bin]`, plus each filter's non-zero bin range
 * `[start[m], end[m])` so applying it skips the zeros.
 */
export interface MelFilterbank {
  weights: Float32Array;
  nMels: number;
  bins: number;
  start: Int32Array;
  end: Int32Array;
  /** Centre frequency of each filter. */
  centers: Float64Array;
}

/**
 * Triangular filters between mel-spaced edge frequencies over the bins `linspace(0, ⌊sr/2⌋, nFft/2 + 1)`
 * (torchaudio's bin frequencies; librosa uses sr/2, which differs only for odd sample rates).
 */
export function melFilterbank(options: MelFilterbankOptions): MelFilterbank {
  const { sampleRate, nFft, nMels } = options;
  const fMin = options.fMin ?? 0;
  const fMax = options.fMax ?? sampleRate / 2;
  const scale = options.scale ?? 'slaney';
  const norm = options.norm ?? 'slaney';
  if (!(sampleRate > 0)) throw new InvalidArgumentError(`sampleRate must be positive, got: ${sampleRate}`, sampleRate);
  if (!Number.isInteger(nFft) || nFft < 2) throw new InvalidArgumentError(`nFft must be an integer ≥ 2, got: ${nFft}`, nFft);
  if (!Number.isInteger(nMels) || nMels < 1) throw new InvalidArgumentError(`nMels must be a positive integer, got: ${nMels}`, nMels);
  if (!(fMin >= 0 && fMax > fMin)) throw new InvalidArgumentError(`need 0 ≤ fMin < fMax, got: fMin ${fMin}, fMax ${fMax}`, { fMin, fMax });
  if (scale !== 'slaney' && scale !== 'htk') throw new InvalidArgumentError(`mel scale must be 'slaney' or 'htk', got: ${String(scale)}`, scale);
  if (norm !== 'slaney' && norm !== 'none') throw new InvalidArgumentError(`mel norm must be 'slaney' or 'none', got: ${String(norm)}`, norm);

  const bins = Math.floor(nFft / 2) + 1;
  const nyquist = Math.floor(sampleRate / 2);
  const binHz = new Float64Array(bins);
  for (let k = 0; k < bins; k++) binHz[k] = bins === 1 ? 0 : (nyquist * k) / (bins - 1);
  const melMin = hzToMel(fMin, scale);
  const melMax = hzToMel(fMax, scale);
  const edges = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) edges[i] = melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1), scale);

  const weights = new Float32Array(nMels * bins);
  const start = new Int32Array(nMels);
  const end = new Int32Array(nMels);
  const centers = new Float64Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const lower = edges[m];
    const center = edges[m + 1];
    const upper = edges[m + 2];
    centers[m] = center;
    const gain = norm === 'slaney' ? 2 / (upper - lower) : 1;
    let first = -1;
    let last = -1;
    for (let k = 0; k < bins; k++) {
      const rising = (binHz[k] - lower) / (center - lower);
      const falling = (upper - binHz[k]) / (upper - center);
      const w = Math.max(0, Math.min(rising, falling));
      if (w > 0) {
        weights[m * bins + k] = w * gain;
        if (first < 0) first = k;
        last = k;
      }
    }
    start[m] = first < 0 ? 0 : first;
    end[m] = first < 0 ? 0 : last + 1;
  }
  return { weights, nMels, bins, start, end, centers };
}

/** Applies a filterbank to a `[bin][frame]` spectrogram: `[mel][frame]`. */
export function applyMelFilterbank(filterbank: MelFilterbank, spectrogram: Spectrogram, out?: Float32Array): Spectrogram {
  const { nMels, bins, weights, start, end } = filterbank;
  if (spectrogram.bins !== bins) {
    throw new InvalidArgumentError(`spectrogram has ${spectrogram.bins} bins; the filterbank expects ${bins}`, spectrogram.bins);
  }
  const frames = spectrogram.frames;
  const data = out !== undefined && out.length === nMels * frames ? out : new Float32Array(nMels * frames);
  const row = new Float64Array(frames);
  for (let m = 0; m < nMels; m++) {
    row.fill(0);
    for (let k = start[m]; k < end[m]; k++) {
      const w = weights[m * bins + k];
      const offset = k * frames;
      for (let t = 0; t < frames; t++) row[t] += w * spectrogram.data[offset + t];
    }
    data.set(row, m * frames);
  }
  return { data, bins: nMels, frames };
}
