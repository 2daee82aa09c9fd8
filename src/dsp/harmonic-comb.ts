/**
 * A pitch guide: pulls a sound toward a known fundamental by weighting its STFT magnitude with a comb of
 * Gaussian peaks at the harmonics h·f0 (floor elsewhere and below 0.75·f0), then restoring a consistent phase
 * with Griffin-Lim iterations (Griffin & Lim 1984) that start from the sound's own phase. The same operation in
 * PyTorch is training/foley_train/pitch_guide.py, which writes the reference fixture.
 */
import { InvalidArgumentError } from '../utils/errors';
import { definedOnly } from '../utils/options';
import type { Hertz } from '../types/units';
import { Stft, type ComplexSpectrogram } from './stft';

export interface HarmonicCombOptions {
  sampleRate: Hertz;
  /** STFT of the guide (the bundle's analysis STFT: 1024 / 160 / 1024 at 16 kHz). */
  nFft: number;
  hopLength: number;
  winLength?: number;
  /** Gain between the harmonics, in (0, 1]. Default 0.05 (−26 dB). */
  floor?: number;
  /** Standard deviation of each harmonic's peak, in cents of that harmonic (at least one bin). Default 35. */
  widthCents?: number;
  /** Griffin-Lim iterations after the weighting. Default 8. */
  iterations?: number;
}

const DEFAULTS = { floor: 0.05, widthCents: 35, iterations: 8 };

/** The comb gain per one-sided bin for fundamental `f0` (Float64Array of nFft/2 + 1 values in [floor, 1]). */
export function harmonicCombMask(f0: Hertz, options: HarmonicCombOptions): Float64Array {
  const floor = options.floor ?? DEFAULTS.floor;
  const widthCents = options.widthCents ?? DEFAULTS.widthCents;
  if (!(f0 > 0 && f0 < options.sampleRate / 2)) throw new InvalidArgumentError(`f0 must be within (0, ${options.sampleRate / 2}) Hz, got ${f0}`, f0);
  if (!(floor > 0 && floor <= 1)) throw new InvalidArgumentError(`floor must be within (0, 1], got ${floor}`, floor);
  if (!(widthCents > 0)) throw new InvalidArgumentError(`widthCents must be positive, got ${widthCents}`, widthCents);
  const bins = Math.floor(options.nFft / 2) + 1;
  const binHz = options.sampleRate / options.nFft;
  const spread = 2 ** (widthCents / 1200) - 1;
  const mask = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    const f = k * binHz;
    if (f < 0.75 * f0) {
      mask[k] = floor;
      continue;
    }
    const h = Math.max(1, Math.round(f / f0));
    const sigma = Math.max(h * f0 * spread, binHz);
    mask[k] = floor + (1 - floor) * Math.exp(-0.5 * ((f - h * f0) / sigma) ** 2);
  }
  return mask;
}

/**
 * A reusable pitch guide for one STFT configuration (the plan and buffers are kept; not re-entrant).
 *
 * @example
 * const guide = new HarmonicComb({ sampleRate: 16000, nFft: 1024, hopLength: 160 });
 * const tuned = guide.apply(samples, 261.63);   // a new Float32Array, same length
 */
export class HarmonicComb {
  readonly options: Required<HarmonicCombOptions>;
  private readonly stft: Stft;

  constructor(options: HarmonicCombOptions) {
    this.options = { ...DEFAULTS, winLength: options.nFft, ...definedOnly(options) } as Required<HarmonicCombOptions>;
    const iterations = this.options.iterations;
    if (!Number.isInteger(iterations) || iterations < 0 || iterations > 1000) throw new InvalidArgumentError(`iterations must be an integer within [0, 1000], got ${iterations}`, iterations);
    this.stft = new Stft({ nFft: options.nFft, hopLength: options.hopLength, winLength: this.options.winLength, window: 'hann', center: true, padMode: 'reflect' });
  }

  /** `samples` guided toward `f0`: a new array of the same length. */
  apply(samples: Float32Array, f0: Hertz): Float32Array {
    const mask = harmonicCombMask(f0, this.options);
    const spec = this.stft.forward(samples);
    const { bins, frames } = spec;
    const target = new Float32Array(bins * frames);
    for (let k = 0; k < bins; k++) {
      for (let t = 0; t < frames; t++) {
        const i = k * frames + t;
        target[i] = Math.hypot(spec.real[i], spec.imag[i]) * mask[k];
      }
    }
    setMagnitude(spec, target);
    let out = this.stft.inverse(spec, samples.length);
    for (let n = 0; n < this.options.iterations; n++) {
      const again = this.stft.forward(out, spec);
      setMagnitude(again, target);
      out = this.stft.inverse(again, samples.length, out);
    }
    return out;
  }
}

/** Keeps each bin's phase and sets its magnitude (a zero bin gets phase 0, as torch.angle(0) = 0). */
function setMagnitude(spec: ComplexSpectrogram, magnitude: Float32Array): void {
  for (let i = 0; i < magnitude.length; i++) {
    const re = spec.real[i];
    const im = spec.imag[i];
    const norm = Math.hypot(re, im);
    if (norm > 0) {
      spec.real[i] = (magnitude[i] * re) / norm;
      spec.imag[i] = (magnitude[i] * im) / norm;
    } else {
      spec.real[i] = magnitude[i];
      spec.imag[i] = 0;
    }
  }
}
