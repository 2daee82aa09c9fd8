/** Element-wise latent helpers (all buffers row-major [B, C, F, frames]). */

/**
 * Spherical linear interpolation (Shoemake 1985) between two noise tensors: keeps the norm of Gaussian noise
 * that a plain lerp would shrink. Falls back to lerp when the vectors are nearly parallel.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const cos = dot / Math.sqrt(na * nb);
  const out = new Float32Array(a.length);
  if (!(Math.abs(cos) < 0.9995)) {
    for (let i = 0; i < a.length; i++) out[i] = a[i] + t * (b[i] - a[i]);
    return out;
  }
  const theta = Math.acos(cos);
  const wa = Math.sin((1 - t) * theta) / Math.sin(theta);
  const wb = Math.sin(t * theta) / Math.sin(theta);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
  return out;
}

export function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + t * (b[i] - a[i]);
  return out;
}

/**
 * Circular view along time: `out[.., j] = x[.., (j + offset) mod period]` for j < outFrames, where x has
 * `period` frames. Used to roll loop latents and to pad them with wrap-around.
 */
export function circularFrames(x: Float32Array, rows: number, period: number, outFrames: number, offset: number): Float32Array {
  const out = new Float32Array(rows * outFrames);
  const shift = ((offset % period) + period) % period;
  for (let r = 0; r < rows; r++) {
    const src = r * period;
    const dst = r * outFrames;
    for (let j = 0; j < outFrames; j++) out[dst + j] = x[src + ((j + shift) % period)];
  }
  return out;
}

/** Inverse of `circularFrames` for the first `period` frames: `out[.., i] = y[.., (i - offset) mod period]`. */
export function uncircularFrames(y: Float32Array, rows: number, period: number, yFrames: number, offset: number): Float32Array {
  const out = new Float32Array(rows * period);
  const shift = ((offset % period) + period) % period;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < period; i++) out[r * period + i] = y[r * yFrames + ((i - shift + period) % period)];
  }
  return out;
}

/** Pads (with `fill`) or crops the last axis of a [rows, frames] buffer to `outFrames`. */
export function fitFrames(x: Float32Array, rows: number, frames: number, outFrames: number, fill: number): Float32Array {
  const out = new Float32Array(rows * outFrames).fill(fill);
  const n = Math.min(frames, outFrames);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * frames, r * frames + n), r * outFrames);
  return out;
}

/** Copies frames [start, end) of every row of a [rows, frames] buffer. */
export function sliceFrames(x: Float32Array, rows: number, frames: number, start: number, end: number): Float32Array {
  const width = end - start;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * frames + start, r * frames + end), r * width);
  return out;
}
