/**
 * FFT plans: fft.js (radix-4, power-of-two sizes) underneath, Bluestein's chirp-z algorithm for every other size.
 *
 * Arrays are interleaved complex (`[re0, im0, re1, im1, ...]`) Float64Arrays owned by the caller; a plan keeps
 * its twiddles and scratch buffers, so transforms allocate nothing. A plan is not re-entrant (shared scratch):
 * use one per concurrent user.
 *
 * Conventions (as numpy / torch.fft): forward `X[k] = Σ x[n]·e^(−2πi·kn/N)`, inverse scaled by 1/N.
 */
import FFT from 'fft.js';
import { InvalidArgumentError } from '../utils/errors';

/** fft.js's instance, typed for what we use. */
interface FftJs {
  transform(out: ArrayLike<number>, data: ArrayLike<number>): void;
  inverseTransform(out: ArrayLike<number>, data: ArrayLike<number>): void;
  realTransform(out: ArrayLike<number>, data: ArrayLike<number>): void;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** A complex transform of one size: fft.js when it can, Bluestein otherwise. */
class ComplexKernel {
  readonly size: number;
  private readonly direct?: FftJs;
  // Bluestein: chirp w[n] = e^(−iπn²/N), FFT of its conjugate's circular extension, scratch of the padded size.
  private readonly padded?: FftJs;
  private readonly chirp?: Float64Array;
  private readonly chirpSpectrum?: Float64Array;
  private readonly workA?: Float64Array;
  private readonly workB?: Float64Array;

  constructor(size: number) {
    this.size = size;
    if (size === 1) return;
    if (isPowerOfTwo(size)) {
      this.direct = new FFT(size) as FftJs;
      return;
    }
    const m = nextPowerOfTwo(2 * size - 1);
    this.padded = new FFT(m) as FftJs;
    this.chirp = new Float64Array(2 * size);
    for (let n = 0; n < size; n++) {
      // n² mod 2N keeps the angle argument small, so the chirp stays accurate for large N.
      const angle = (Math.PI * ((n * n) % (2 * size))) / size;
      this.chirp[2 * n] = Math.cos(angle);
      this.chirp[2 * n + 1] = -Math.sin(angle);
    }
    const b = new Float64Array(2 * m);
    for (let n = 0; n < size; n++) {
      b[2 * n] = this.chirp[2 * n];
      b[2 * n + 1] = -this.chirp[2 * n + 1];
      if (n > 0) {
        b[2 * (m - n)] = this.chirp[2 * n];
        b[2 * (m - n) + 1] = -this.chirp[2 * n + 1];
      }
    }
    this.chirpSpectrum = new Float64Array(2 * m);
    this.padded.transform(this.chirpSpectrum, b);
    this.workA = new Float64Array(2 * m);
    this.workB = new Float64Array(2 * m);
  }

  /** Unscaled forward transform (`out` may not alias `input` on the fft.js path). */
  forward(out: Float64Array, input: Float64Array): void {
    if (this.size === 1) {
      out[0] = input[0];
      out[1] = input[1];
    } else if (this.direct !== undefined) {
      this.direct.transform(out, input);
    } else {
      this.bluestein(out, input);
    }
  }

  private bluestein(out: Float64Array, input: Float64Array): void {
    const n = this.size;
    const chirp = this.chirp!;
    const a = this.workA!;
    const spectrum = this.workB!;
    const kernel = this.chirpSpectrum!;
    a.fill(0);
    for (let i = 0; i < n; i++) {
      const xr = input[2 * i];
      const xi = input[2 * i + 1];
      const wr = chirp[2 * i];
      const wi = chirp[2 * i + 1];
      a[2 * i] = xr * wr - xi * wi;
      a[2 * i + 1] = xr * wi + xi * wr;
    }
    this.padded!.transform(spectrum, a);
    for (let i = 0; i < spectrum.length; i += 2) {
      const ar = spectrum[i];
      const ai = spectrum[i + 1];
      const br = kernel[i];
      const bi = kernel[i + 1];
      spectrum[i] = ar * br - ai * bi;
      spectrum[i + 1] = ar * bi + ai * br;
    }
    this.padded!.inverseTransform(a, spectrum);
    for (let k = 0; k < n; k++) {
      const cr = a[2 * k];
      const ci = a[2 * k + 1];
      const wr = chirp[2 * k];
      const wi = chirp[2 * k + 1];
      out[2 * k] = cr * wr - ci * wi;
      out[2 * k + 1] = cr * wi + ci * wr;
    }
  }
}

/**
 * A precomputed FFT of one size (any integer ≥ 1).
 *
 * @example
 * const plan = new FftPlan(1024);
 * const spectrum = plan.createComplexArray(plan.bins);   // bins 0..N/2, interleaved
 * plan.realForward(frame, spectrum);                       // frame: 1024 reals
 * plan.realInverse(spectrum, frame);                       // back, scaled by 1/N
 */
export class FftPlan {
  /** Transform length N. */
  readonly size: number;
  /** Bins of a real signal's one-sided spectrum: ⌊N/2⌋ + 1. */
  readonly bins: number;
  private readonly kernel: ComplexKernel;
  private readonly realDirect?: FftJs;
  // Real transforms of even N go through one complex transform of N/2 (two reals packed per complex sample).
  private readonly half?: ComplexKernel;
  private readonly twiddle?: Float64Array;
  private readonly halfIn: Float64Array;
  private readonly halfOut: Float64Array;
  private readonly scratchIn: Float64Array;
  private readonly scratchOut: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1 || size > 1 << 26) {
      throw new InvalidArgumentError(`FFT size must be an integer within [1, 2^26], got: ${size}`, size);
    }
    this.size = size;
    this.bins = Math.floor(size / 2) + 1;
    this.kernel = new ComplexKernel(size);
    if (isPowerOfTwo(size)) this.realDirect = new FFT(size) as FftJs;
    if (size % 2 === 0 && size >= 4) {
      const h = size / 2;
      this.half = new ComplexKernel(h);
      this.twiddle = new Float64Array(2 * h);
      for (let k = 0; k < h; k++) {
        this.twiddle[2 * k] = Math.cos((2 * Math.PI * k) / size);
        this.twiddle[2 * k + 1] = -Math.sin((2 * Math.PI * k) / size);
      }
      this.halfIn = new Float64Array(2 * h);
      this.halfOut = new Float64Array(2 * h);
    } else {
      this.halfIn = new Float64Array(0);
      this.halfOut = new Float64Array(0);
    }
    this.scratchIn = new Float64Array(2 * size);
    this.scratchOut = new Float64Array(2 * size);
  }

  /** A zeroed interleaved complex array of `length` complex values (default N). */
  createComplexArray(length = this.size): Float64Array {
    return new Float64Array(2 * length);
  }

  /** Complex forward transform of N interleaved values; `out` must not alias `input`. */
  forward(input: Float64Array, out: Float64Array): void {
    this.kernel.forward(out, input);
  }

  /** Complex inverse transform, scaled by 1/N; `out` must not alias `input`. */
  inverse(input: Float64Array, out: Float64Array): void {
    const n = this.size;
    // ifft(X) = conj(fft(conj(X))) / N.
    const conj = this.scratchIn;
    for (let i = 0; i < 2 * n; i += 2) {
      conj[i] = input[i];
      conj[i + 1] = -input[i + 1];
    }
    this.kernel.forward(out, conj);
    const scale = 1 / n;
    for (let i = 0; i < 2 * n; i += 2) {
      out[i] *= scale;
      out[i + 1] = -out[i + 1] * scale;
    }
  }

  /**
   * Forward transform of N reals into the one-sided spectrum: `out` holds `bins` interleaved complex values
   * (2·bins numbers from `outOffset`).
   */
  realForward(input: ArrayLike<number>, out: Float64Array, outOffset = 0): void {
    const n = this.size;
    if (this.half !== undefined) {
      const h = n / 2;
      const z = this.halfIn;
      for (let i = 0; i < n; i++) z[i] = input[i];
      const spectrum = this.halfOut;
      this.half.forward(spectrum, z);
      // Z = E + iO with E, O the spectra of even and odd samples; X[k] = E[k] + W^k·O[k].
      const tw = this.twiddle!;
      out[outOffset] = spectrum[0] + spectrum[1];
      out[outOffset + 1] = 0;
      out[outOffset + 2 * h] = spectrum[0] - spectrum[1];
      out[outOffset + 2 * h + 1] = 0;
      for (let k = 1; k < h; k++) {
        const zr = spectrum[2 * k];
        const zi = spectrum[2 * k + 1];
        const cr = spectrum[2 * (h - k)];
        const ci = -spectrum[2 * (h - k) + 1];
        const er = 0.5 * (zr + cr);
        const ei = 0.5 * (zi + ci);
        // O = (Z − conj(Z[h−k])) / 2i
        const or = 0.5 * (zi - ci);
        const oi = -0.5 * (zr - cr);
        const wr = tw[2 * k];
        const wi = tw[2 * k + 1];
        out[outOffset + 2 * k] = er + (or * wr - oi * wi);
        out[outOffset + 2 * k + 1] = ei + (or * wi + oi * wr);
      }
      return;
    }
    const full = this.scratchIn;
    for (let i = 0; i < n; i++) {
      full[2 * i] = input[i];
      full[2 * i + 1] = 0;
    }
    this.kernel.forward(this.scratchOut, full);
    for (let i = 0; i < 2 * this.bins; i++) out[outOffset + i] = this.scratchOut[i];
  }

  /**
   * Inverse of `realForward`, scaled by 1/N: reads `bins` interleaved complex values, writes N reals. As numpy's
   * irfft, the imaginary parts of the DC bin (and of the Nyquist bin for even N) are ignored.
   */
  realInverse(spectrum: Float64Array, out: Float64Array | Float32Array, inOffset = 0): void {
    const n = this.size;
    if (this.half !== undefined) {
      const h = n / 2;
      const tw = this.twiddle!;
      const z = this.halfIn;
      const dc = spectrum[inOffset];
      const nyquist = spectrum[inOffset + 2 * h];
      z[0] = 0.5 * (dc + nyquist);
      z[1] = 0.5 * (dc - nyquist);
      for (let k = 1; k < h; k++) {
        const xr = spectrum[inOffset + 2 * k];
        const xi = spectrum[inOffset + 2 * k + 1];
        // X[k + h] = conj(X[h − k]) for a real signal.
        const yr = spectrum[inOffset + 2 * (h - k)];
        const yi = -spectrum[inOffset + 2 * (h - k) + 1];
        const er = 0.5 * (xr + yr);
        const ei = 0.5 * (xi + yi);
        // O = (X[k] − X[k + h]) / (2·W^k), 1/W^k = conj(W^k).
        const dr = 0.5 * (xr - yr);
        const di = 0.5 * (xi - yi);
        const wr = tw[2 * k];
        const wi = -tw[2 * k + 1];
        const or = dr * wr - di * wi;
        const oi = dr * wi + di * wr;
        // Z = E + iO
        z[2 * k] = er - oi;
        z[2 * k + 1] = ei + or;
      }
      // ifft of size h via conjugation; even samples are Re z, odd samples Im z (the ½ above makes it 1/N overall).
      for (let i = 1; i < 2 * h; i += 2) z[i] = -z[i];
      const zt = this.halfOut;
      this.half.forward(zt, z);
      const scale = 1 / h;
      for (let i = 0; i < h; i++) {
        out[2 * i] = zt[2 * i] * scale;
        out[2 * i + 1] = -zt[2 * i + 1] * scale;
      }
      return;
    }
    const full = this.scratchIn;
    full[0] = spectrum[inOffset];
    full[1] = 0;
    for (let k = 1; k < this.bins; k++) {
      full[2 * k] = spectrum[inOffset + 2 * k];
      full[2 * k + 1] = spectrum[inOffset + 2 * k + 1];
      full[2 * (n - k)] = spectrum[inOffset + 2 * k];
      full[2 * (n - k) + 1] = -spectrum[inOffset + 2 * k + 1];
    }
    if (n % 2 === 0) full[2 * (n / 2) + 1] = 0;
    const time = this.scratchOut;
    this.inverse(full, time);
    for (let i = 0; i < n; i++) out[i] = time[2 * i];
  }

  /** fft.js's own real transform, for benchmarking the packed path against it (power-of-two sizes only). */
  realForwardFftJs(input: ArrayLike<number>, out: Float64Array): void {
    if (this.realDirect === undefined) throw new InvalidArgumentError(`fft.js needs a power-of-two size, got: ${this.size}`, this.size);
    this.realDirect.realTransform(out, input);
  }
}
