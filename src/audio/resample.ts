/**
 * Band-limited resampling between integer sample rates: a Kaiser-windowed sinc low-pass evaluated as a polyphase
 * filter bank (Smith, "Digital Audio Resampling", bandlimited interpolation; Kaiser, "Nonrecursive digital filter
 * design using the I0-sinh window function", 1974).
 *
 * With gcd g, the output advances `M = from / g` input samples every `L = to / g` outputs, so output j uses
 * phase `j·M mod L` of the filter at input position `floor(j·M / L)`. The filter is
 * `h(τ) = r·sinc(r·τ)·kaiser(r·τ / W)` with τ in input samples scaled to the lower of the two rates
 * (`r = rolloff · min(from, to) / from`), cut at ±W zero crossings. Samples outside the signal count as zeros;
 * the output has `ceil(n · to / from)` samples and output sample j sits at time j / to (no delay).
 *
 * Defaults (W = 32 zero crossings, rolloff 0.9, Kaiser β = 10.06): flat within 0.001 dB up to 0.8 × the lower
 * Nyquist frequency, -6 dB at 0.9 ×, and at least 99 dB down from the Nyquist frequency on, so nothing
 * audible aliases. With the same W, rolloff and β, torchaudio's `resample(..., resampling_method="kaiser_window")`
 * computes the same filter.
 */
import { InvalidArgumentError } from '../utils/errors';
import type { Hertz } from '../types/units';

export interface ResamplerOptions {
  /** Zero crossings of the sinc on each side of the centre (filter half-length); default 32. */
  zeroCrossings?: number;
  /** Cut-off as a fraction of the lower rate's Nyquist frequency; default 0.9. */
  rolloff?: number;
  /** Kaiser window shape β; default 10.06 (about 100 dB stop-band). */
  kaiserBeta?: number;
  /**
   * Largest polyphase table (phases × taps) precomputed exactly; beyond it (ratios like 44100 → 44101) the filter
   * is read from a table oversampled 1024× per zero crossing with linear interpolation. Default 4,194,304.
   */
  maxTableSize?: number;
}

const DEFAULTS: Required<ResamplerOptions> = { zeroCrossings: 32, rolloff: 0.9, kaiserBeta: 10.06, maxTableSize: 1 << 22 };
/** Oversampling of the interpolated kernel table, per zero crossing. */
const FINE_STEPS = 1024;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the β used here). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** A precomputed plan resampling from one integer rate to another; `process` is pure and reusable. */
export class Resampler {
  readonly fromRate: Hertz;
  readonly toRate: Hertz;
  readonly options: Readonly<Required<ResamplerOptions>>;
  /** Input step per `phases` outputs (from / gcd) and number of filter phases (to / gcd). */
  private readonly step: number;
  private readonly phases: number;
  /** Taps per phase and the offset of tap 0 relative to floor(j·M / L). */
  private readonly taps: number;
  private readonly firstTap: number;
  /** Exact polyphase table [phase][tap] (float64: no conversions in the inner loop), or undefined when the interpolated kernel is used. */
  private readonly table: Float64Array | undefined;
  /** Kernel sampled every 1/FINE_STEPS zero crossing (interpolated path). */
  private readonly fine: Float64Array | undefined;
  /** Zero crossings per input sample: r = rolloff · min(from, to) / from. */
  private readonly scale: number;

  constructor(fromRate: Hertz, toRate: Hertz, options: ResamplerOptions = {}) {
    for (const [name, rate] of [['fromRate', fromRate], ['toRate', toRate]] as const) {
      if (!Number.isInteger(rate) || rate < 1) throw new InvalidArgumentError(`${name} must be a positive whole number of Hz, got ${rate}`, rate);
    }
    const o = { ...DEFAULTS, ...options };
    if (!Number.isInteger(o.zeroCrossings) || o.zeroCrossings < 1 || o.zeroCrossings > 1024) throw new InvalidArgumentError(`zeroCrossings must be a whole number in [1, 1024], got ${o.zeroCrossings}`, o.zeroCrossings);
    if (!(o.rolloff > 0 && o.rolloff <= 1)) throw new InvalidArgumentError(`rolloff must be within (0, 1], got ${o.rolloff}`, o.rolloff);
    if (!(o.kaiserBeta >= 0 && o.kaiserBeta <= 50)) throw new InvalidArgumentError(`kaiserBeta must be within [0, 50], got ${o.kaiserBeta}`, o.kaiserBeta);
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.options = o;
    const g = gcd(fromRate, toRate);
    this.step = fromRate / g;
    this.phases = toRate / g;
    this.scale = (o.rolloff * Math.min(fromRate, toRate)) / fromRate;
    // Input samples on each side of the centre that the kernel reaches.
    const reach = o.zeroCrossings / this.scale;
    this.firstTap = -Math.floor(reach);
    this.taps = Math.floor(reach) + 1 - this.firstTap + 1;
    if (this.phases * this.taps <= o.maxTableSize) {
      this.table = new Float64Array(this.phases * this.taps);
      for (let p = 0; p < this.phases; p++) {
        const offset = p / this.phases;
        for (let k = 0; k < this.taps; k++) this.table[p * this.taps + k] = this.kernel(this.firstTap + k - offset);
      }
    } else {
      const n = o.zeroCrossings * FINE_STEPS;
      this.fine = new Float64Array(n + 2);
      for (let i = 0; i <= n; i++) this.fine[i] = this.kernel(i / FINE_STEPS / this.scale);
    }
  }

  /** The filter at τ input samples from the output instant. */
  private kernel(tau: number): number {
    const { zeroCrossings: w, kaiserBeta: beta } = this.options;
    const x = tau * this.scale;
    if (Math.abs(x) >= w) return 0;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const ratio = x / w;
    return this.scale * sinc * (besselI0(beta * Math.sqrt(1 - ratio * ratio)) / besselI0(beta));
  }

  /** Number of output samples for `inputLength` input samples: ceil(n · to / from). */
  outputLength(inputLength: number): number {
    return Math.ceil((inputLength * this.phases) / this.step);
  }

  /** Resamples one channel. Returns a new array; identity rates return a copy. */
  process(input: ArrayLike<number>): Float32Array {
    const n = input.length;
    if (this.fromRate === this.toRate) return Float32Array.from(input);
    const outLength = this.outputLength(n);
    const out = new Float32Array(outLength);
    const taps = this.taps;
    // Zero padding on both sides, so the inner loop needs no bounds checks.
    const pad = taps + 1;
    const padded = new Float64Array(n + 2 * pad);
    for (let i = 0; i < n; i++) padded[pad + i] = input[i];
    const { step, phases, firstTap } = this;
    const table = this.table;
    if (table !== undefined) {
      let base = 0;
      let phase = 0;
      for (let j = 0; j < outLength; j++) {
        const t = phase * taps;
        const s = pad + base + firstTap;
        // Four partial sums: independent additions pipeline better than one dependent chain.
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        let k = 0;
        for (; k + 3 < taps; k += 4) {
          a0 += padded[s + k] * table[t + k];
          a1 += padded[s + k + 1] * table[t + k + 1];
          a2 += padded[s + k + 2] * table[t + k + 2];
          a3 += padded[s + k + 3] * table[t + k + 3];
        }
        for (; k < taps; k++) a0 += padded[s + k] * table[t + k];
        out[j] = a0 + a1 + (a2 + a3);
        phase += step;
        while (phase >= phases) {
          phase -= phases;
          base += 1;
        }
      }
      return out;
    }
    const fine = this.fine as Float64Array;
    const perSample = this.scale * FINE_STEPS;
    const limit = this.options.zeroCrossings * FINE_STEPS;
    let base = 0;
    let phase = 0;
    for (let j = 0; j < outLength; j++) {
      const offset = phase / phases;
      const s = pad + base + firstTap;
      let acc = 0;
      for (let k = 0; k < taps; k++) {
        const position = Math.abs(firstTap + k - offset) * perSample;
        if (position >= limit) continue;
        const i = Math.floor(position);
        const frac = position - i;
        acc += padded[s + k] * (fine[i] + frac * (fine[i + 1] - fine[i]));
      }
      out[j] = acc;
      phase += step;
      while (phase >= phases) {
        phase -= phases;
        base += 1;
      }
    }
    return out;
  }
}

/** Resamples one channel from `fromRate` to `toRate` (see Resampler for the filter). */
export function resample(input: ArrayLike<number>, fromRate: Hertz, toRate: Hertz, options: ResamplerOptions = {}): Float32Array {
  return new Resampler(fromRate, toRate, options).process(input);
}

/** Resamples every channel with one plan. */
export function resampleChannels(channels: readonly Float32Array[], fromRate: Hertz, toRate: Hertz, options: ResamplerOptions = {}): Float32Array[] {
  const plan = new Resampler(fromRate, toRate, options);
  return channels.map((channel) => plan.process(channel));
}
