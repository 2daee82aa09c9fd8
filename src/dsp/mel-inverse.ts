/**
 * Mel → linear-frequency magnitude. The filterbank M (nMels × bins, wide) has no inverse; we take the
 * minimum-norm least-squares solution x = pinv(M)·y = Mᵀ(M·Mᵀ)⁻¹·y, clamped at 0 (magnitudes are
 * non-negative), optionally refined by projected-gradient non-negative least squares (min ‖Mx − y‖², x ≥ 0).
 */
import { InvalidArgumentError } from '../utils/errors';
import type { MelFilterbank } from './mel';
import type { Spectrogram } from './stft';

export interface MelInverseOptions {
  /** Projected-gradient NNLS iterations after the clamped pseudo-inverse; default 0. */
  nnlsIterations?: number;
}

/** Solves (A + εI)·X = B in place for symmetric positive-definite A (n × n), B with `columns` columns. */
function choleskySolve(a: Float64Array, n: number, b: Float64Array, columns: number): void {
  // Relative ridge: filters that share no bins make M·Mᵀ singular only when a filter is empty.
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  const ridge = 1e-10 * (trace / n || 1);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, ridge)) : sum / l[j * n + j];
    }
  }
  for (let c = 0; c < columns; c++) {
    for (let i = 0; i < n; i++) {
      let sum = b[i * columns + c];
      for (let k = 0; k < i; k++) sum -= l[i * n + k] * b[k * columns + c];
      b[i * columns + c] = sum / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = b[i * columns + c];
      for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * b[k * columns + c];
      b[i * columns + c] = sum / l[i * n + i];
    }
  }
}

/**
 * Linear magnitudes `[bin][frame]` from a linear-amplitude mel spectrogram `[mel][frame]` (exp of a log-mel).
 */
export function melToLinear(mel: Float32Array, frames: number, filterbank: MelFilterbank, options: MelInverseOptions = {}): Spectrogram {
  const { nMels, bins, weights, start, end } = filterbank;
  if (mel.length !== nMels * frames) {
    throw new InvalidArgumentError(`mel holds ${mel.length} values; ${nMels} mels × ${frames} frames need ${nMels * frames}`, mel.length);
  }
  const iterations = options.nnlsIterations ?? 0;
  if (!Number.isInteger(iterations) || iterations < 0) throw new InvalidArgumentError(`nnlsIterations must be a non-negative integer, got: ${iterations}`, iterations);

  // G = M·Mᵀ (banded: only overlapping filters), then Z = G⁻¹·Y, X = Mᵀ·Z.
  const gram = new Float64Array(nMels * nMels);
  for (let i = 0; i < nMels; i++) {
    for (let j = i; j < nMels; j++) {
      let sum = 0;
      const from = Math.max(start[i], start[j]);
      const to = Math.min(end[i], end[j]);
      for (let k = from; k < to; k++) sum += weights[i * bins + k] * weights[j * bins + k];
      gram[i * nMels + j] = sum;
      gram[j * nMels + i] = sum;
    }
  }
  const z = Float64Array.from(mel);
  choleskySolve(gram, nMels, z, frames);
  const x = new Float64Array(bins * frames);
  for (let m = 0; m < nMels; m++) {
    for (let k = start[m]; k < end[m]; k++) {
      const w = weights[m * bins + k];
      for (let t = 0; t < frames; t++) x[k * frames + t] += w * z[m * frames + t];
    }
  }
  for (let i = 0; i < x.length; i++) if (x[i] < 0) x[i] = 0;

  if (iterations > 0) {
    // Step 1/L with L = λmax(MᵀM) = λmax(G), by power iteration.
    let v = new Float64Array(nMels).fill(1);
    let lambda = 1;
    for (let it = 0; it < 50; it++) {
      const w = new Float64Array(nMels);
      for (let i = 0; i < nMels; i++) for (let j = 0; j < nMels; j++) w[i] += gram[i * nMels + j] * v[j];
      let norm = 0;
      for (let i = 0; i < nMels; i++) norm += w[i] * w[i];
      lambda = Math.sqrt(norm);
      if (lambda === 0) break;
      for (let i = 0; i < nMels; i++) w[i] /= lambda;
      v = w;
    }
    const step = lambda > 0 ? 1 / lambda : 0;
    const residual = new Float64Array(nMels * frames);
    for (let it = 0; it < iterations; it++) {
      residual.fill(0);
      for (let m = 0; m < nMels; m++) {
        for (let k = start[m]; k < end[m]; k++) {
          const w = weights[m * bins + k];
          for (let t = 0; t < frames; t++) residual[m * frames + t] += w * x[k * frames + t];
        }
        for (let t = 0; t < frames; t++) residual[m * frames + t] -= mel[m * frames + t];
      }
      for (let m = 0; m < nMels; m++) {
        for (let k = start[m]; k < end[m]; k++) {
          const w = weights[m * bins + k] * step;
          for (let t = 0; t < frames; t++) x[k * frames + t] -= w * residual[m * frames + t];
        }
      }
      for (let i = 0; i < x.length; i++) if (x[i] < 0) x[i] = 0;
    }
  }
  return { data: Float32Array.from(x), bins, frames };
}
