/**
 * Harmonic resynthesis at a known fundamental: a sound rebuilt as Σ_h A_h(t)·cos(2π·h·f0·t + φ_h), where A_h(t) is
 * the sound's STFT magnitude at h·f0 (linear between bins, scaled by 2/Σwindow so a sinusoid keeps its amplitude),
 * linear in time between frame centres (a harmonic model in the manner of McAulay & Quatieri 1986, at the known
 * f0), and φ_h = π·h·(h − 1)/H are Schroeder's low-crest-factor phases (Schroeder 1970).
 *
 * Why: below about E3 the vocoder cannot hold a note's phase (the 64-band mel does not resolve the partials, and the
 * periodicity it makes repeats every three hops, 33.3 Hz), so the comb of HarmonicComb has nothing to pull toward;
 * rebuilding the harmonics keeps the spectral envelope over time and makes the waveform periodic at the note. The
 * same operation in PyTorch is `resynthesize` in training/foley_train/pitch_guide.py, which writes the fixture.
 */
import { InvalidArgumentError } from '../utils/errors';
import type { Hertz } from '../types/units';
import { Stft } from './stft';

export interface HarmonicResynthesisOptions {
  sampleRate: Hertz;
  /** STFT the amplitudes are read from (the bundle's analysis STFT: 1024 / 160 / 1024 at 16 kHz). */
  nFft: number;
  hopLength: number;
  winLength?: number;
}

/**
 * A reusable harmonic resynthesis for one STFT configuration (the plan is kept; not re-entrant).
 *
 * @example
 * const rebuild = new HarmonicResynthesis({ sampleRate: 16000, nFft: 1024, hopLength: 160 });
 * const e1 = rebuild.apply(samples, 41.2);   // a new Float32Array, same length, periodic at 41.2 Hz
 */
export class HarmonicResynthesis {
  readonly options: Readonly<Required<HarmonicResynthesisOptions>>;
  private readonly stft: Stft;
  private readonly amplitudeScale: number;

  constructor(options: HarmonicResynthesisOptions) {
    this.options = { winLength: options.nFft, ...options };
    this.stft = new Stft({ nFft: options.nFft, hopLength: options.hopLength, winLength: this.options.winLength, window: 'hann', center: true, padMode: 'reflect' });
    let windowSum = 0;
    for (const w of this.stft.window) windowSum += w;
    this.amplitudeScale = 2 / windowSum;
  }

  /** `samples` rebuilt from their harmonics of `f0`: a new array of the same length. */
  apply(samples: Float32Array, f0: Hertz): Float32Array {
    const { sampleRate, nFft, hopLength } = this.options;
    if (!(f0 > 0 && f0 < sampleRate / 2)) throw new InvalidArgumentError(`f0 must be within (0, ${sampleRate / 2}) Hz, got ${f0}`, f0);
    if (samples.length < hopLength) throw new InvalidArgumentError(`harmonic resynthesis needs at least one hop (${hopLength} samples) of audio, got ${samples.length}`, samples.length);
    const { data: magnitude, bins, frames } = this.stft.magnitude(samples);
    const harmonics = Math.ceil(sampleRate / 2 / f0) - 1; // h·f0 below Nyquist
    const n = samples.length;
    const out = new Float64Array(n);
    const amplitude = new Float64Array(frames);
    for (let h = 1; h <= harmonics; h++) {
      // The magnitude at h·f0, linear between the two bins around it.
      const position = (h * f0 * nFft) / sampleRate;
      const low = Math.floor(position);
      const frac = position - low;
      const high = Math.min(low + 1, bins - 1);
      let loudest = 0;
      for (let t = 0; t < frames; t++) {
        amplitude[t] = (magnitude[low * frames + t] * (1 - frac) + magnitude[high * frames + t] * frac) * this.amplitudeScale;
        loudest = Math.max(loudest, amplitude[t]);
      }
      if (loudest === 0) continue;
      addPartial(out, amplitude, frames, hopLength, (2 * Math.PI * h * f0) / sampleRate, (Math.PI * h * (h - 1)) / harmonics);
    }
    return Float32Array.from(out);
  }
}

/**
 * out[i] += A(i)·cos(ω·i + φ), A linear between frame centres t·hop (held after the last centre). The cosine runs
 * by the Chebyshev recurrence c[i+1] = 2cos ω·c[i] − c[i−1], restarted exactly at each frame centre so rounding
 * cannot build up.
 */
function addPartial(out: Float64Array, amplitude: Float64Array, frames: number, hop: number, omega: number, phase: number): void {
  const twoCos = 2 * Math.cos(omega);
  const last = frames - 1;
  for (let t = 0; t < frames && t * hop < out.length; t++) {
    const start = t * hop;
    const end = t < last ? Math.min(start + hop, out.length) : out.length;
    const a0 = amplitude[t];
    const slope = t < last ? (amplitude[t + 1] - a0) / hop : 0;
    let previous = Math.cos(omega * (start - 1) + phase);
    let current = Math.cos(omega * start + phase);
    for (let i = start; i < end; i++) {
      out[i] += (a0 + slope * (i - start)) * current;
      const next = twoCos * current - previous;
      previous = current;
      current = next;
    }
  }
}
