/**
 * Analysis windows, as torch.hann_window / hamming_window / blackman_window (and scipy.signal.get_window):
 * `periodic` (the default, for spectral analysis: an N + 1 symmetric window without its last sample) or
 * symmetric (for filter design). Values in float64.
 */
import { InvalidArgumentError } from '../utils/errors';

export type WindowType = 'hann' | 'hamming' | 'blackman' | 'rectangular';

export interface WindowOptions {
  /** Periodic (DFT-even) window; default true. */
  periodic?: boolean;
}

export const WINDOW_TYPES: readonly WindowType[] = ['hann', 'hamming', 'blackman', 'rectangular'];

/** Generalised cosine window Σ (−1)^j·a_j·cos(2πjn/M), M = N (periodic) or N − 1 (symmetric). */
function cosineWindow(length: number, coefficients: readonly number[], periodic: boolean): Float64Array {
  if (!Number.isInteger(length) || length < 0) {
    throw new InvalidArgumentError(`window length must be a non-negative integer, got: ${length}`, length);
  }
  const out = new Float64Array(length);
  if (length === 1) {
    out[0] = 1;
    return out;
  }
  const denominator = periodic ? length : length - 1;
  for (let n = 0; n < length; n++) {
    let value = 0;
    for (let j = 0; j < coefficients.length; j++) {
      value += (j % 2 === 0 ? 1 : -1) * coefficients[j] * Math.cos((2 * Math.PI * j * n) / denominator);
    }
    out[n] = value;
  }
  return out;
}

/** Hann window: 0.5 − 0.5·cos(2πn/M). */
export function hannWindow(length: number, options: WindowOptions = {}): Float64Array {
  return cosineWindow(length, [0.5, 0.5], options.periodic ?? true);
}

/** Hamming window: 0.54 − 0.46·cos(2πn/M). */
export function hammingWindow(length: number, options: WindowOptions = {}): Float64Array {
  return cosineWindow(length, [0.54, 0.46], options.periodic ?? true);
}

/** Blackman window: 0.42 − 0.5·cos(2πn/M) + 0.08·cos(4πn/M). */
export function blackmanWindow(length: number, options: WindowOptions = {}): Float64Array {
  return cosineWindow(length, [0.42, 0.5, 0.08], options.periodic ?? true);
}

/** A window by name. */
export function createWindow(type: WindowType, length: number, options: WindowOptions = {}): Float64Array {
  switch (type) {
    case 'hann':
      return hannWindow(length, options);
    case 'hamming':
      return hammingWindow(length, options);
    case 'blackman':
      return blackmanWindow(length, options);
    case 'rectangular':
      return new Float64Array(length).fill(1);
    default:
      throw new InvalidArgumentError(`unknown window "${String(type)}"; choose one of: ${WINDOW_TYPES.join(', ')}`, type);
  }
}
