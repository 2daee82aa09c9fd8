/**
 * Griffin-Lim phase reconstruction (Griffin & Lim, "Signal estimation from modified short-time Fourier
 * transform", IEEE TASSP 1984) with the fast momentum variant (Perraudin, Balazs & Søndergaard, "A fast
 * Griffin-Lim algorithm", WASPAA 2013), in torchaudio.functional.griffinlim's form:
 *   rebuilt = STFT(iSTFT(|S|·angles));  angles = rebuilt − momentum/(1 + momentum)·previous;  angles /= |angles|.
 * momentum 0 is the plain algorithm. From the same initial phase the result matches torchaudio's loop
 * (test/dsp/griffin-lim.test.ts; with `initialPhase: 'zero'` it is torchaudio's `rand_init=False`).
 */
import { InvalidArgumentError } from '../utils/errors';
import { Rng } from '../utils/random';
import { Stft, type Spectrogram, type StftOptions } from './stft';

export interface GriffinLimOptions extends StftOptions {
  /** Iterations; default 32. */
  iterations?: number;
  /** Momentum in [0, 1); 0 is plain Griffin-Lim; default 0.99 (torchaudio's and librosa's default). */
  momentum?: number;
  /**
   * 'random' (uniform phases from `seed`, the default), 'zero', or the phases themselves in radians, `[bin][frame]`
   * (e.g. from a phase-predicting network or a previous run).
   */
  initialPhase?: 'random' | 'zero' | Float32Array | Float64Array;
  /** Seed of the random initial phases; default 0. */
  seed?: number;
  /**
   * Exponent applied to the magnitudes first; default 1. Above 1 sharpens (Tacotron used 1.2–1.5). For a power
   * spectrogram pass 0.5 (torchaudio's `power=2`).
   */
  magnitudePower?: number;
  /** Output length in samples; default (frames − 1)·hop. */
  length?: number;
  /** Called after each iteration (1-based) with the total; for progress bars. */
  onIteration?: (iteration: number, total: number) => void;
}

/** A waveform whose STFT magnitude approximates `magnitude` (`[bin][frame]`, as `Stft.magnitude`). */
export function griffinLim(magnitude: Spectrogram, options: GriffinLimOptions): Float32Array {
  const iterations = options.iterations ?? 32;
  const momentum = options.momentum ?? 0.99;
  const power = options.magnitudePower ?? 1;
  if (!Number.isInteger(iterations) || iterations < 0) throw new InvalidArgumentError(`iterations must be a non-negative integer, got: ${iterations}`, iterations);
  if (!(momentum >= 0 && momentum < 1)) throw new InvalidArgumentError(`momentum must be within [0, 1), got: ${momentum}`, momentum);
  if (!(power > 0)) throw new InvalidArgumentError(`magnitudePower must be positive, got: ${power}`, power);
  const stft = new Stft({ ...options, center: options.center ?? true });
  const { bins, frames } = magnitude;
  if (bins !== stft.bins) throw new InvalidArgumentError(`magnitude has ${bins} bins; nFft ${stft.nFft} needs ${stft.bins}`, bins);
  if (magnitude.data.length !== bins * frames) throw new InvalidArgumentError(`magnitude holds ${magnitude.data.length} values, not ${bins} × ${frames}`, magnitude.data.length);
  const length = options.length ?? stft.inverseLength(frames);
  if (stft.frameCount(length) !== frames) {
    throw new InvalidArgumentError(`length ${length} gives ${stft.frameCount(length)} frames; the magnitude has ${frames}`, length);
  }

  const stride = 2 * bins;
  const size = frames * stride;
  // Frame-major magnitudes, so every pass walks memory in order.
  const mag = new Float64Array(frames * bins);
  for (let k = 0; k < bins; k++) {
    for (let t = 0; t < frames; t++) {
      const v = magnitude.data[k * frames + t];
      mag[t * bins + k] = power === 1 ? v : Math.pow(v, power);
    }
  }
  const angles = new Float64Array(size);
  const initial = options.initialPhase ?? 'random';
  if (typeof initial !== 'string') {
    if (initial.length !== bins * frames) throw new InvalidArgumentError(`initialPhase holds ${initial.length} values; ${bins} × ${frames} needed`, initial.length);
    for (let k = 0; k < bins; k++) {
      for (let t = 0; t < frames; t++) {
        const phase = initial[k * frames + t];
        angles[t * stride + 2 * k] = Math.cos(phase);
        angles[t * stride + 2 * k + 1] = Math.sin(phase);
      }
    }
  } else if (initial === 'zero') {
    for (let i = 0; i < size; i += 2) angles[i] = 1;
  } else if (initial === 'random') {
    const rng = new Rng(options.seed ?? 0);
    for (let i = 0; i < size; i += 2) {
      const phase = 2 * Math.PI * rng.nextFloat();
      angles[i] = Math.cos(phase);
      angles[i + 1] = Math.sin(phase);
    }
  } else {
    throw new InvalidArgumentError(`initialPhase must be 'random', 'zero' or an array of phases, got: ${String(initial)}`, initial);
  }
  const spec = new Float64Array(size);
  let rebuilt = new Float64Array(size);
  let previous = new Float64Array(size);
  const signal = new Float64Array(length);
  const factor = momentum / (1 + momentum);

  const applyMagnitude = () => {
    for (let t = 0; t < frames; t++) {
      for (let k = 0; k < bins; k++) {
        const m = mag[t * bins + k];
        const i = t * stride + 2 * k;
        spec[i] = m * angles[i];
        spec[i + 1] = m * angles[i + 1];
      }
    }
  };

  for (let iteration = 1; iteration <= iterations; iteration++) {
    applyMagnitude();
    stft.inverseInterleaved(spec, frames, length, signal);
    stft.forwardInterleaved(signal, rebuilt);
    for (let i = 0; i < size; i += 2) {
      const re = rebuilt[i] - factor * previous[i];
      const im = rebuilt[i + 1] - factor * previous[i + 1];
      const scale = 1 / (Math.sqrt(re * re + im * im) + 1e-16);
      angles[i] = re * scale;
      angles[i + 1] = im * scale;
    }
    const swap = previous;
    previous = rebuilt;
    rebuilt = swap;
    options.onIteration?.(iteration, iterations);
  }
  applyMagnitude();
  return stft.inverseInterleaved(spec, frames, length, new Float32Array(length)) as Float32Array;
}
