/**
 * Fundamental-frequency estimation by subharmonic summation (Hermes 1988, "Measurement of pitch by subharmonic
 * summation", JASA 83(1)): the salience of a candidate f0 is the weighted sum of the spectrum's peak magnitudes
 * at its harmonics, Σₕ wʰ⁻¹ · |X(h·f0)|, maximised over a log-frequency grid. Working in the frequency domain
 * keeps it independent of the evaluator's time-domain YIN (training/foley_train/eval/f0.py), so ranking by it
 * does not simply copy the judge.
 */
import { InvalidArgumentError } from '../utils/errors';
import { definedOnly } from '../utils/options';
import type { Hertz } from '../types/units';
import { FftPlan } from './fft';
import { hannWindow } from './windows';

export interface PitchEstimatorOptions {
  sampleRate: Hertz;
  /** Analysis window in samples (Hann). Default 4096: 256 ms at 16 kHz, enough periods of a 30 Hz note. */
  windowLength?: number;
  /** FFT length (zero-padded window); power of two ≥ windowLength. Default 2 · windowLength. */
  fftSize?: number;
  /** Frame hop in samples. Default windowLength / 4. */
  hopLength?: number;
  /** Lowest f0 considered. Default 30 Hz (below B0). */
  minFrequency?: Hertz;
  /** Highest f0 considered. Default 2200 Hz (above C7). */
  maxFrequency?: Hertz;
  /** Harmonics summed per candidate. Default 8. */
  harmonics?: number;
  /** Weight ratio between successive harmonics (Hermes' h). Default 0.84. */
  harmonicDecay?: number;
  /** Candidate grid spacing in cents; each harmonic's peak is searched within ± half a step of h·f0. Default 5. */
  gridCents?: number;
  /** Frames quieter than the loudest by more than this many dB are skipped. Default 30. */
  silenceDb?: number;
  /**
   * A frame is pitched when its best salience exceeds this multiple of the mean salience over the grid
   * (white noise gives about 1.3–1.6, a harmonic tone 3 or more). Default 2.2.
   */
  minPeakiness?: number;
  /** The clip has a pitch when at least this share of its non-silent frames are pitched. Default 0.3. */
  minPitchedShare?: number;
}

export interface PitchEstimate {
  /** Median f0 of the pitched frames. */
  frequency: Hertz;
  /** Pitched frames / non-silent frames. */
  pitchedShare: number;
  /** Frames that were pitched. */
  pitchedFrames: number;
}

const DEFAULTS = {
  windowLength: 4096, minFrequency: 30, maxFrequency: 2200, harmonics: 8, harmonicDecay: 0.84, gridCents: 5, silenceDb: 30, minPeakiness: 2.2, minPitchedShare: 0.3,
};

/** Cents from `reference` to `frequency` (positive: sharp). */
export function centsBetween(frequency: Hertz, reference: Hertz): number {
  return 1200 * Math.log2(frequency / reference);
}

/** Equal-tempered frequency of a MIDI note (A4 = 69 = 440 Hz). */
export function midiToHz(midi: number): Hertz {
  return 440 * 2 ** ((midi - 69) / 12);
}

/**
 * A reusable subharmonic-summation pitch estimator (fft.js style: the plan, window, candidate grid and the
 * bin ranges of every candidate's harmonics are computed once; `estimate` reuses its buffers).
 *
 * @example
 * const estimator = new PitchEstimator({ sampleRate: 16000 });
 * const pitch = estimator.estimate(samples);   // undefined for silence, noise, unpitched clips
 * if (pitch !== undefined) console.log(centsBetween(pitch.frequency, midiToHz(60)));
 */
export class PitchEstimator {
  readonly sampleRate: Hertz;
  readonly windowLength: number;
  readonly fftSize: number;
  readonly hopLength: number;
  /** Candidate f0 values (log grid). */
  readonly grid: Float64Array;
  private readonly options: Required<Omit<PitchEstimatorOptions, 'fftSize' | 'hopLength'>>;
  private readonly plan: FftPlan;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly magnitude: Float64Array;
  /** For candidate c and harmonic h, the bin range [lo, hi] at index 2·(c·H + h); lo > hi when above Nyquist. */
  private readonly ranges: Int32Array;
  private readonly weights: Float64Array;
  private readonly salience: Float64Array;

  constructor(options: PitchEstimatorOptions) {
    const o = { ...DEFAULTS, ...definedOnly(options), sampleRate: options.sampleRate };
    if (!(o.sampleRate > 0)) throw new InvalidArgumentError(`sampleRate must be positive, got ${o.sampleRate}`, o.sampleRate);
    if (!(o.minFrequency > 0 && o.minFrequency < o.maxFrequency && o.maxFrequency < o.sampleRate / 2)) {
      throw new InvalidArgumentError(`need 0 < minFrequency < maxFrequency < sampleRate / 2, got ${o.minFrequency} and ${o.maxFrequency} at ${o.sampleRate} Hz`, [o.minFrequency, o.maxFrequency]);
    }
    if (!Number.isInteger(o.harmonics) || o.harmonics < 1) throw new InvalidArgumentError(`harmonics must be a positive integer, got ${o.harmonics}`, o.harmonics);
    this.sampleRate = o.sampleRate;
    this.windowLength = o.windowLength;
    this.fftSize = options.fftSize ?? 2 * o.windowLength;
    this.hopLength = options.hopLength ?? Math.max(1, Math.floor(o.windowLength / 4));
    if (!Number.isInteger(this.windowLength) || this.windowLength < 16 || this.fftSize < this.windowLength || (this.fftSize & (this.fftSize - 1)) !== 0) {
      throw new InvalidArgumentError(`windowLength must be an integer ≥ 16 and fftSize a power of two ≥ it, got ${this.windowLength} and ${this.fftSize}`, [this.windowLength, this.fftSize]);
    }
    this.options = o;
    this.plan = new FftPlan(this.fftSize);
    this.window = hannWindow(this.windowLength, { periodic: true });
    this.frame = new Float64Array(this.fftSize);
    this.spectrum = this.plan.createComplexArray(this.plan.bins);
    this.magnitude = new Float64Array(this.plan.bins);

    const count = Math.floor((1200 * Math.log2(o.maxFrequency / o.minFrequency)) / o.gridCents) + 1;
    this.grid = Float64Array.from({ length: count }, (_, c) => o.minFrequency * 2 ** ((c * o.gridCents) / 1200));
    const H = o.harmonics;
    const binHz = this.sampleRate / this.fftSize;
    const tolerance = 2 ** (o.gridCents / 2 / 1200);
    this.ranges = new Int32Array(2 * count * H);
    for (let c = 0; c < count; c++) {
      for (let h = 0; h < H; h++) {
        const f = this.grid[c] * (h + 1);
        // At least the nearest bin, and never into the neighbouring harmonics (±half the f0 spacing).
        const lo = Math.max(f / tolerance, f - this.grid[c] / 2);
        const hi = Math.min(f * tolerance, f + this.grid[c] / 2);
        const i = 2 * (c * H + h);
        this.ranges[i] = Math.min(Math.ceil(lo / binHz), Math.round(f / binHz));
        this.ranges[i + 1] = Math.min(Math.max(Math.floor(hi / binHz), Math.round(f / binHz)), this.plan.bins - 1);
        if (f >= this.sampleRate / 2) this.ranges[i] = this.ranges[i + 1] + 1;
      }
    }
    this.weights = Float64Array.from({ length: H }, (_, h) => o.harmonicDecay ** h);
    this.salience = new Float64Array(count);
  }

  /** Frames analysed for `length` samples (the last window is zero-padded; one frame for short clips). */
  frameCount(length: number): number {
    return Math.max(1, Math.ceil(Math.max(0, length - this.windowLength) / this.hopLength) + 1);
  }

  /**
   * Per-frame f0 (NaN where the frame is silent or unpitched). `out` is caller-owned (length `frameCount`).
   */
  track(samples: ArrayLike<number>, out: Float64Array = new Float64Array(this.frameCount(samples.length))): Float64Array {
    const frames = this.frameCount(samples.length);
    if (out.length < frames) throw new InvalidArgumentError(`out must hold ${frames} frames, got ${out.length}`, out.length);
    this.trackFrames(samples, this.frameEnergies(samples), out);
    return out;
  }

  /** The clip's pitch: the median of its pitched frames, or undefined when too few frames are pitched. */
  estimate(samples: ArrayLike<number>): PitchEstimate | undefined {
    const energies = this.frameEnergies(samples);
    const f0 = new Float64Array(energies.length);
    const nonSilent = this.trackFrames(samples, energies, f0);
    const pitched = Array.from(f0).filter((f) => !Number.isNaN(f)).sort((a, b) => a - b);
    if (nonSilent === 0 || pitched.length === 0) return undefined;
    const share = pitched.length / nonSilent;
    if (share < this.options.minPitchedShare) return undefined;
    const mid = pitched.length >> 1;
    const frequency = pitched.length % 2 === 1 ? pitched[mid] : Math.sqrt(pitched[mid - 1] * pitched[mid]);
    return { frequency, pitchedShare: share, pitchedFrames: pitched.length };
  }

  /** Fills `out` with each frame's f0 (NaN where silent or unpitched); returns the count of non-silent frames. */
  private trackFrames(samples: ArrayLike<number>, energies: Float64Array, out: Float64Array): number {
    const floor = silenceFloor(energies, this.options.silenceDb);
    let nonSilent = 0;
    for (let t = 0; t < energies.length; t++) {
      const audible = floor !== undefined && energies[t] >= floor;
      if (audible) nonSilent += 1;
      out[t] = audible && energies[t] > 0 ? this.frameF0(samples, t * this.hopLength) : Number.NaN;
    }
    return nonSilent;
  }

  /** Σ x² over each frame's window. */
  private frameEnergies(samples: ArrayLike<number>): Float64Array {
    const energies = new Float64Array(this.frameCount(samples.length));
    for (let t = 0; t < energies.length; t++) {
      const start = t * this.hopLength;
      let e = 0;
      for (let i = 0; i < this.windowLength && start + i < samples.length; i++) e += samples[start + i] ** 2;
      energies[t] = e;
    }
    return energies;
  }

  /** f0 of the frame starting at `start`, or NaN when its salience curve has no clear peak. */
  private frameF0(samples: ArrayLike<number>, start: number): number {
    const frame = this.frame;
    frame.fill(0);
    for (let i = 0; i < this.windowLength && start + i < samples.length; i++) frame[i] = samples[start + i] * this.window[i];
    this.plan.realForward(frame, this.spectrum);
    const mag = this.magnitude;
    for (let k = 0; k < mag.length; k++) mag[k] = Math.hypot(this.spectrum[2 * k], this.spectrum[2 * k + 1]);
    const H = this.options.harmonics;
    const sal = this.salience;
    let best = 0;
    let sum = 0;
    for (let c = 0; c < sal.length; c++) {
      let s = 0;
      for (let h = 0; h < H; h++) {
        const i = 2 * (c * H + h);
        let peak = 0;
        for (let k = this.ranges[i]; k <= this.ranges[i + 1]; k++) if (mag[k] > peak) peak = mag[k];
        s += this.weights[h] * peak;
      }
      sal[c] = s;
      sum += s;
      if (s > sal[best]) best = c;
    }
    const mean = sum / sal.length;
    if (!(mean > 0) || sal[best] < this.options.minPeakiness * mean) return Number.NaN;
    // Parabolic refinement on the log grid.
    let offset = 0;
    if (best > 0 && best < sal.length - 1) {
      const a = sal[best - 1];
      const b = sal[best];
      const c = sal[best + 1];
      const denom = a - 2 * b + c;
      if (denom < 0) offset = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom));
    }
    return this.grid[best] * 2 ** ((offset * this.options.gridCents) / 1200);
  }
}

/** Frames below this energy are silent: `silenceDb` under the loudest; undefined when the clip is all zeros. */
function silenceFloor(energies: Float64Array, silenceDb: number): number | undefined {
  let loudest = 0;
  for (const e of energies) loudest = Math.max(loudest, e);
  return loudest > 0 ? loudest * 10 ** (-silenceDb / 10) : undefined;
}
