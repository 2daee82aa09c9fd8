/**
 * Short-time Fourier transform and its inverse, with torch.stft / torch.istft conventions: frames centred on
 * `t·hop` (the signal padded by ⌊nFft/2⌋ each side, reflect padding by default), a window of `winLength`
 * zero-padded to `nFft` in the middle, one-sided spectra, no normalisation.
 *
 * Layout: spectrograms are row-major `[bin][frame]` Float32Arrays (`data[k·frames + t]`), the layout of
 * torch's `(freq, time)` output and of the mel pipeline. Complex spectrograms keep real and imaginary parts in
 * two such arrays. The `*Interleaved` methods are the hot-path form: frame-major Float64Arrays with interleaved
 * complex bins (`spec[t·2·bins + 2k]` = re, `+ 1` = im), no conversion, into caller-owned buffers.
 *
 * Frames: `1 + ⌊(N + 2·⌊nFft/2⌋ − nFft) / hop⌋` when centred (`⌊N/hop⌋ + 1` for even nFft), else
 * `1 + ⌊(N − nFft)/hop⌋`.
 */
import { InvalidArgumentError } from '../utils/errors';
import { FftPlan } from './fft';
import { createWindow, type WindowType } from './windows';

export type PadMode = 'reflect' | 'constant';

export interface StftOptions {
  /** FFT size. */
  nFft: number;
  /** Samples between frames; default ⌊nFft / 4⌋. */
  hopLength?: number;
  /** Window length (≤ nFft, zero-padded to nFft in the middle); default nFft. */
  winLength?: number;
  /** A window name (periodic) or the window's values (length winLength); default 'hann'. */
  window?: WindowType | ArrayLike<number>;
  /** Centre frames on t·hop by padding ⌊nFft/2⌋ each side; default true. */
  center?: boolean;
  /** Padding when centred; default 'reflect'. */
  padMode?: PadMode;
}

/** A real spectrogram, row-major `[bin][frame]`. */
export interface Spectrogram {
  data: Float32Array;
  bins: number;
  frames: number;
}

/** A complex spectrogram, real and imaginary parts each row-major `[bin][frame]`. */
export interface ComplexSpectrogram {
  real: Float32Array;
  imag: Float32Array;
  bins: number;
  frames: number;
}

/** Frames per block when converting between frame-major spectra and the [bin][frame] layout. */
const BLOCK = 16;

/** Index into a signal of length n mirrored without repeating the edge sample (numpy/torch 'reflect'). */
function reflectIndex(j: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let i = j % period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

/**
 * A precomputed STFT configuration: FFT plan, window, scratch buffers. Not re-entrant (shared scratch).
 *
 * @example
 * const stft = new Stft({ nFft: 1024, hopLength: 160 });
 * const spec = stft.forward(samples);                  // { real, imag, bins: 513, frames }
 * const back = stft.inverse(spec, samples.length);     // ≈ samples
 */
export class Stft {
  readonly nFft: number;
  readonly hopLength: number;
  readonly winLength: number;
  readonly center: boolean;
  readonly padMode: PadMode;
  /** One-sided bins, ⌊nFft/2⌋ + 1. */
  readonly bins: number;
  /** The window zero-padded to nFft. */
  readonly window: Float64Array;
  readonly plan: FftPlan;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;
  private padded = new Float64Array(0);
  private ola = new Float64Array(0);
  private envelope = new Float64Array(0);
  private envelopeKey = '';
  private block = new Float64Array(0);

  constructor(options: StftOptions) {
    const { nFft } = options;
    if (!Number.isInteger(nFft) || nFft < 1) throw new InvalidArgumentError(`nFft must be a positive integer, got: ${nFft}`, nFft);
    this.nFft = nFft;
    this.hopLength = options.hopLength ?? Math.max(1, Math.floor(nFft / 4));
    this.winLength = options.winLength ?? nFft;
    this.center = options.center ?? true;
    this.padMode = options.padMode ?? 'reflect';
    if (!Number.isInteger(this.hopLength) || this.hopLength < 1) {
      throw new InvalidArgumentError(`hopLength must be a positive integer, got: ${this.hopLength}`, this.hopLength);
    }
    if (!Number.isInteger(this.winLength) || this.winLength < 1 || this.winLength > nFft) {
      throw new InvalidArgumentError(`winLength must be an integer within [1, nFft = ${nFft}], got: ${this.winLength}`, this.winLength);
    }
    if (this.padMode !== 'reflect' && this.padMode !== 'constant') {
      throw new InvalidArgumentError(`padMode must be 'reflect' or 'constant', got: ${String(this.padMode)}`, this.padMode);
    }
    const source = options.window ?? 'hann';
    const values = typeof source === 'string' ? createWindow(source, this.winLength) : source;
    if (values.length !== this.winLength) {
      throw new InvalidArgumentError(`window has ${values.length} values; winLength is ${this.winLength}`, values.length);
    }
    this.window = new Float64Array(nFft);
    const left = Math.floor((nFft - this.winLength) / 2);
    for (let i = 0; i < this.winLength; i++) this.window[left + i] = values[i];
    this.bins = Math.floor(nFft / 2) + 1;
    this.plan = new FftPlan(nFft);
    this.frame = new Float64Array(nFft);
    this.spectrum = new Float64Array(2 * this.bins);
  }

  /** Frames for a signal of `samples` samples. */
  frameCount(samples: number): number {
    const padded = this.center ? samples + 2 * Math.floor(this.nFft / 2) : samples;
    return padded < this.nFft ? 0 : 1 + Math.floor((padded - this.nFft) / this.hopLength);
  }

  /**
   * The signal as the frames see it (centre padding applied), in an internal buffer reused by the next call.
   * Reflection continues past the ends for signals shorter than the padding (torch rejects those).
   */
  padSignal(signal: ArrayLike<number>): Float64Array {
    const n = signal.length;
    if (n === 0) throw new InvalidArgumentError('cannot take the STFT of an empty signal', n);
    const pad = this.center ? Math.floor(this.nFft / 2) : 0;
    const length = n + 2 * pad;
    if (this.padded.length !== length) this.padded = new Float64Array(length);
    const out = this.padded;
    for (let i = 0; i < n; i++) out[pad + i] = signal[i];
    for (let i = 0; i < pad; i++) {
      if (this.padMode === 'reflect') {
        out[pad - 1 - i] = signal[reflectIndex(-1 - i, n)];
        out[pad + n + i] = signal[reflectIndex(n + i, n)];
      } else {
        out[pad - 1 - i] = 0;
        out[pad + n + i] = 0;
      }
    }
    return out;
  }

  /** One frame's spectrum from a padded signal: `bins` interleaved complex values into `out` (or internal scratch). */
  analyseFrame(padded: Float64Array, frameIndex: number, out: Float64Array = this.spectrum, outOffset = 0): Float64Array {
    const frame = this.frame;
    const window = this.window;
    const start = frameIndex * this.hopLength;
    for (let n = 0; n < this.nFft; n++) frame[n] = padded[start + n] * window[n];
    this.plan.realForward(frame, out, outOffset);
    return out;
  }

  private requireFrames(signal: ArrayLike<number>): number {
    const frames = this.frameCount(signal.length);
    if (frames === 0) {
      throw new InvalidArgumentError(`signal of ${signal.length} samples is shorter than one frame (nFft ${this.nFft}, center false)`, signal.length);
    }
    return frames;
  }

  /** Complex STFT, frame-major interleaved, into `out` (frames · 2 · bins values); returns the frame count. */
  forwardInterleaved(signal: ArrayLike<number>, out: Float64Array): number {
    const frames = this.requireFrames(signal);
    const stride = 2 * this.bins;
    if (out.length < frames * stride) throw new InvalidArgumentError(`output holds ${out.length} values; ${frames * stride} needed`, out.length);
    const padded = this.padSignal(signal);
    for (let t = 0; t < frames; t++) this.analyseFrame(padded, t, out, t * stride);
    return frames;
  }

  /** Complex STFT as `[bin][frame]` real and imaginary parts (reusing `out` when its shape fits). */
  forward(signal: ArrayLike<number>, out?: ComplexSpectrogram): ComplexSpectrogram {
    const frames = this.requireFrames(signal);
    const bins = this.bins;
    const result = out !== undefined && out.real.length === bins * frames && out.imag.length === bins * frames
      ? { real: out.real, imag: out.imag, bins, frames }
      : { real: new Float32Array(bins * frames), imag: new Float32Array(bins * frames), bins, frames };
    const padded = this.padSignal(signal);
    // Frames go through a block buffer so the [bin][frame] writes are runs of BLOCK, not single strided values.
    const block = this.blockBuffer();
    const stride = 2 * bins;
    for (let t0 = 0; t0 < frames; t0 += BLOCK) {
      const count = Math.min(BLOCK, frames - t0);
      for (let j = 0; j < count; j++) this.analyseFrame(padded, t0 + j, block, j * stride);
      for (let k = 0; k < bins; k++) {
        const row = k * frames + t0;
        for (let j = 0; j < count; j++) {
          result.real[row + j] = block[j * stride + 2 * k];
          result.imag[row + j] = block[j * stride + 2 * k + 1];
        }
      }
    }
    return result;
  }

  private blockBuffer(): Float64Array {
    if (this.block.length !== BLOCK * 2 * this.bins) this.block = new Float64Array(BLOCK * 2 * this.bins);
    return this.block;
  }

  /** |STFT|^power (power 1: magnitude, 2: power) as `[bin][frame]`. */
  magnitude(signal: ArrayLike<number>, power = 1, out?: Spectrogram): Spectrogram {
    const frames = this.requireFrames(signal);
    const bins = this.bins;
    const data = out !== undefined && out.data.length === bins * frames ? out.data : new Float32Array(bins * frames);
    const padded = this.padSignal(signal);
    const block = this.blockBuffer();
    const stride = 2 * bins;
    for (let t0 = 0; t0 < frames; t0 += BLOCK) {
      const count = Math.min(BLOCK, frames - t0);
      for (let j = 0; j < count; j++) this.analyseFrame(padded, t0 + j, block, j * stride);
      for (let k = 0; k < bins; k++) {
        const row = k * frames + t0;
        for (let j = 0; j < count; j++) {
          const re = block[j * stride + 2 * k];
          const im = block[j * stride + 2 * k + 1];
          const p = re * re + im * im;
          data[row + j] = power === 2 ? p : power === 1 ? Math.sqrt(p) : Math.pow(p, power / 2);
        }
      }
    }
    return { data, bins, frames };
  }

  /** Default output length of the inverse: (frames − 1)·hop, or frames' full span when not centred. */
  inverseLength(frames: number): number {
    const full = this.nFft + this.hopLength * (frames - 1);
    return this.center ? full - 2 * Math.floor(this.nFft / 2) : full;
  }

  /** Σ window² over the frames, cached per frame count. */
  private windowEnvelope(frames: number): Float64Array {
    const key = `${frames}`;
    if (this.envelopeKey === key) return this.envelope;
    const full = this.nFft + this.hopLength * (frames - 1);
    const envelope = new Float64Array(full);
    for (let t = 0; t < frames; t++) {
      const start = t * this.hopLength;
      for (let n = 0; n < this.nFft; n++) envelope[start + n] += this.window[n] * this.window[n];
    }
    this.envelope = envelope;
    this.envelopeKey = key;
    return envelope;
  }

  /**
   * Inverse STFT of a frame-major interleaved spectrum: inverse FFT per frame, window, overlap-add, divide by the
   * window-sum-square envelope (where it exceeds 1e-11; torch raises instead), drop the centre padding, then cut
   * or zero-pad to `length` (default `inverseLength(frames)`).
   */
  inverseInterleaved(spec: Float64Array, frames: number, length: number = this.inverseLength(frames), out?: Float32Array | Float64Array): Float32Array | Float64Array {
    const stride = 2 * this.bins;
    if (spec.length < frames * stride) throw new InvalidArgumentError(`spectrum holds ${spec.length} values; ${frames} frames need ${frames * stride}`, spec.length);
    return this.overlapAdd(frames, length, out, (t, frame) => this.plan.realInverse(spec, frame, t * stride));
  }

  /** Inverse STFT of a `[bin][frame]` complex spectrogram (see `inverseInterleaved`). */
  inverse(spec: ComplexSpectrogram, length?: number, out?: Float32Array): Float32Array {
    const { bins, frames } = spec;
    if (bins !== this.bins) throw new InvalidArgumentError(`spectrogram has ${bins} bins; nFft ${this.nFft} needs ${this.bins}`, bins);
    if (spec.real.length !== bins * frames || spec.imag.length !== bins * frames) {
      throw new InvalidArgumentError(`spectrogram parts must hold ${bins} × ${frames} values, got ${spec.real.length} and ${spec.imag.length}`, spec.real.length);
    }
    const stride = 2 * bins;
    const block = this.blockBuffer();
    const size = length ?? this.inverseLength(frames);
    // Gather BLOCK frames at a time (contiguous runs per bin), then invert each from the block.
    return this.overlapAdd(frames, size, out ?? new Float32Array(size), (t, frame) => {
      const j = t % BLOCK;
      if (j === 0) {
        const count = Math.min(BLOCK, frames - t);
        for (let k = 0; k < bins; k++) {
          const row = k * frames + t;
          for (let i = 0; i < count; i++) {
            block[i * stride + 2 * k] = spec.real[row + i];
            block[i * stride + 2 * k + 1] = spec.imag[row + i];
          }
        }
      }
      this.plan.realInverse(block, frame, j * stride);
    }) as Float32Array;
  }

  private overlapAdd(frames: number, length: number, out: Float32Array | Float64Array | undefined, inverseFrame: (t: number, frame: Float64Array) => void): Float32Array | Float64Array {
    if (!Number.isInteger(frames) || frames < 1) throw new InvalidArgumentError(`frames must be a positive integer, got: ${frames}`, frames);
    if (!Number.isInteger(length) || length < 0) throw new InvalidArgumentError(`length must be a non-negative integer, got: ${length}`, length);
    const full = this.nFft + this.hopLength * (frames - 1);
    if (this.ola.length !== full) this.ola = new Float64Array(full);
    const ola = this.ola;
    ola.fill(0);
    const frame = this.frame;
    const window = this.window;
    for (let t = 0; t < frames; t++) {
      inverseFrame(t, frame);
      const start = t * this.hopLength;
      for (let n = 0; n < this.nFft; n++) ola[start + n] += frame[n] * window[n];
    }
    const envelope = this.windowEnvelope(frames);
    const result = out !== undefined && out.length === length ? out : new Float32Array(length);
    const offset = this.center ? Math.floor(this.nFft / 2) : 0;
    const available = Math.max(0, Math.min(length, full - offset));
    for (let i = 0; i < available; i++) {
      const e = envelope[offset + i];
      result[i] = e > 1e-11 ? ola[offset + i] / e : 0;
    }
    for (let i = available; i < length; i++) result[i] = 0;
    return result;
  }
}

/** One-shot complex STFT (builds a plan; keep a `Stft` for repeated use). */
export function stft(signal: ArrayLike<number>, options: StftOptions): ComplexSpectrogram {
  return new Stft(options).forward(signal);
}

/** One-shot inverse STFT. */
export function istft(spec: ComplexSpectrogram, options: StftOptions & { length?: number }): Float32Array {
  return new Stft(options).inverse(spec, options.length);
}
