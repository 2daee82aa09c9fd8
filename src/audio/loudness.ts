/**
 * Integrated loudness, ITU-R BS.1770-4 (EBU R128): K-weighting (a high-shelf "pre-filter" and the RLB high-pass,
 * two biquads), mean square over 400 ms blocks overlapping by 75 %, channel weights, an absolute gate at
 * -70 LUFS and a relative gate 10 LU below the loudness of the blocks above the absolute gate.
 *
 * The standard tabulates the biquads at 48 kHz only. For any rate they are designed here by the bilinear
 * transform from the analogue shelf and high-pass whose parameters reproduce the 48 kHz table (the derivation
 * libebur128 and pyloudnorm use): shelf f0 = 1681.97 Hz, gain 4.00 dB, Q = 0.7072; high-pass f0 = 38.135 Hz,
 * Q = 0.5003. At 48 kHz this yields the tabulated coefficients to within 1e-8. At other rates the high-pass
 * numerator is scaled to keep 48 kHz's pass-band gain; what remains is the bilinear warping of the shelf's
 * transition: at 16 kHz the response is within 0.06 dB of the 48 kHz table's up to 8 kHz (less at higher rates).
 */
import { InvalidArgumentError } from '../utils/errors';
import type { Decibels, Hertz, LUFS } from '../types/units';

/** Second-order section: y = b0 x + b1 x[-1] + b2 x[-2] - a1 y[-1] - a2 y[-2] (a0 = 1). */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

const SHELF = { f0: 1681.974450955533, gainDb: 3.999843853973347, q: 0.7071752369554196 };
const HIGH_PASS = { f0: 38.13547087602444, q: 0.5003270373238773 };

/** The two K-weighting biquads (pre-filter shelf, then RLB high-pass) for `sampleRate`. */
export function kWeightingFilters(sampleRate: Hertz): [Biquad, Biquad] {
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) throw new InvalidArgumentError(`sampleRate must be a positive number of Hz, got ${sampleRate}`, sampleRate);
  const k = Math.tan((Math.PI * SHELF.f0) / sampleRate);
  const vh = 10 ** (SHELF.gainDb / 20);
  const vb = vh ** 0.4996667741545416;
  const a0 = 1 + k / SHELF.q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / SHELF.q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / SHELF.q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / SHELF.q + k * k) / a0,
  };
  const highPass = rlbHighPass(sampleRate);
  // The tabulated high-pass keeps the numerator [1, -2, 1], which gives it a pass-band gain of +0.043 dB at
  // 48 kHz that grows at lower rates (+0.13 dB at 16 kHz). Scale the numerator so every rate has 48 kHz's gain.
  const reference = rlbHighPass(48000);
  const gain = (1 - highPass.a1 + highPass.a2) / (1 - reference.a1 + reference.a2);
  return [shelf, { ...highPass, b0: gain, b1: -2 * gain, b2: gain }];
}

/** The RLB high-pass by the bilinear transform, numerator [1, -2, 1] as in the standard's table. */
function rlbHighPass(sampleRate: Hertz): Biquad {
  const k = Math.tan((Math.PI * HIGH_PASS.f0) / sampleRate);
  const a0 = 1 + k / HIGH_PASS.q + k * k;
  return { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / HIGH_PASS.q + k * k) / a0 };
}

/**
 * Sums of the squared K-weighted signal over consecutive runs of `hop` samples (the last partial run dropped).
 * The filters run in float64 from zero state.
 */
function kWeightedEnergy(input: Float32Array, filters: readonly Biquad[], hop: number): Float64Array {
  const runs = Math.floor(input.length / hop);
  const out = new Float64Array(runs);
  const [f, g] = filters;
  const { b0: fb0, b1: fb1, b2: fb2, a1: fa1, a2: fa2 } = f;
  const { b0: gb0, b1: gb1, b2: gb2, a1: ga1, a2: ga2 } = g;
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0, z1 = 0, z2 = 0;
  for (let r = 0, i = 0; r < runs; r++) {
    let sum = 0;
    for (const end = i + hop; i < end; i++) {
      const x = input[i];
      const y = fb0 * x + fb1 * x1 + fb2 * x2 - fa1 * y1 - fa2 * y2;
      x2 = x1;
      x1 = x;
      const z = gb0 * y + gb1 * y1 + gb2 * y2 - ga1 * z1 - ga2 * z2;
      y2 = y1;
      y1 = y;
      z2 = z1;
      z1 = z;
      sum += z * z;
    }
    out[r] = sum;
  }
  return out;
}

/**
 * BS.1770 channel weights by channel count: 5 channels are L, R, C, Ls, Rs; 6 are the WAV/SMPTE 5.1 order
 * L, R, C, LFE, Ls, Rs (LFE excluded); surrounds weigh 1.41 (+1.5 dB). Any other count weighs every channel 1.
 */
export function defaultChannelWeights(channels: number): number[] {
  if (channels === 5) return [1, 1, 1, 1.41, 1.41];
  if (channels === 6) return [1, 1, 1, 0, 1.41, 1.41];
  return new Array<number>(channels).fill(1);
}

export interface LoudnessOptions {
  /** Per-channel weights G_i; default `defaultChannelWeights(channels.length)`. */
  channelWeights?: readonly number[];
}

/** Per-block loudness details, for callers who want more than the integrated value. */
export interface LoudnessMeasurement {
  /** Integrated loudness in LUFS; -Infinity when no block passes the absolute gate (silence, or under 400 ms). */
  integrated: LUFS;
  /** Number of 400 ms blocks, and how many passed both gates. */
  blocks: number;
  gatedBlocks: number;
  /** The relative gate in LUFS (-Infinity when no block passed the absolute gate). */
  relativeGate: LUFS;
}

const ABSOLUTE_GATE = -70;
const RELATIVE_GATE = -10;
const OFFSET = -0.691;

/** Integrated loudness with its gating details (BS.1770-4). */
export function measureLoudness(channels: readonly Float32Array[], sampleRate: Hertz, options: LoudnessOptions = {}): LoudnessMeasurement {
  if (channels.length === 0) throw new InvalidArgumentError('loudness needs at least one channel', channels.length);
  const length = channels[0].length;
  for (const channel of channels) if (channel.length !== length) throw new InvalidArgumentError(`all channels must have the same length (${length}), got ${channel.length}`, channel.length);
  const weights = options.channelWeights ?? defaultChannelWeights(channels.length);
  if (weights.length !== channels.length) throw new InvalidArgumentError(`channelWeights has ${weights.length} entries for ${channels.length} channels`, weights);
  const filters = kWeightingFilters(sampleRate);
  const blockLength = Math.round(0.4 * sampleRate);
  const hop = Math.round(0.1 * sampleRate);
  const blocks = length >= blockLength && blockLength > 0 ? Math.floor((length - blockLength) / hop) + 1 : 0;
  // Blocks are sums of runs: 4 runs of `hop` samples when 400 ms is exactly 4 hops (most rates), else
  // runs of gcd(blockLength, hop) samples.
  let run = hop;
  let b = blockLength;
  while (b !== 0) [run, b] = [b, run % b];
  const runsPerBlock = blockLength / run;
  const runsPerHop = hop / run;
  // Weighted mean square per block, summed over channels: z_j = Σ_i G_i · mean(y_i²) over block j.
  const energy = new Float64Array(blocks);
  channels.forEach((channel, c) => {
    if (weights[c] === 0 || blocks === 0) return;
    const runs = kWeightedEnergy(channel, filters, run);
    for (let j = 0; j < blocks; j++) {
      let sum = 0;
      for (let r = j * runsPerHop, end = r + runsPerBlock; r < end; r++) sum += runs[r];
      energy[j] += (weights[c] * sum) / blockLength;
    }
  });
  const level = (e: number): number => OFFSET + 10 * Math.log10(e);
  const gatedMean = (gate: number): { mean: number; count: number } => {
    let sum = 0;
    let count = 0;
    for (let j = 0; j < blocks; j++) {
      if (level(energy[j]) > gate) {
        sum += energy[j];
        count++;
      }
    }
    return { mean: count > 0 ? sum / count : 0, count };
  };
  const absolute = gatedMean(ABSOLUTE_GATE);
  if (absolute.count === 0) return { integrated: -Infinity, blocks, gatedBlocks: 0, relativeGate: -Infinity };
  const relativeGate = level(absolute.mean) + RELATIVE_GATE;
  const relative = gatedMean(Math.max(ABSOLUTE_GATE, relativeGate));
  return { integrated: level(relative.mean), blocks, gatedBlocks: relative.count, relativeGate };
}

/** Integrated loudness in LUFS (ITU-R BS.1770-4 / EBU R128); -Infinity for silence or under 400 ms. */
export function integratedLoudness(channels: readonly Float32Array[], sampleRate: Hertz, options: LoudnessOptions = {}): LUFS {
  return measureLoudness(channels, sampleRate, options).integrated;
}

/**
 * Scales every channel by one gain so the integrated loudness becomes `target` (default -23 LUFS, EBU R128).
 * With `maxPeakDb`, the gain is lowered if needed so the sample peak stays at or under it (the result is then
 * quieter than `target`). Silence (-Infinity LUFS) is returned unchanged. Returns new arrays.
 */
export function normalizeLoudness(channels: readonly Float32Array[], sampleRate: Hertz, target: LUFS = -23, options: LoudnessOptions & { maxPeakDb?: Decibels } = {}): Float32Array[] {
  if (!Number.isFinite(target)) throw new InvalidArgumentError(`target loudness must be a finite LUFS value, got ${target}`, target);
  const measured = integratedLoudness(channels, sampleRate, options);
  if (measured === -Infinity) return channels.map((channel) => Float32Array.from(channel));
  let gain = 10 ** ((target - measured) / 20);
  if (options.maxPeakDb !== undefined) {
    let peak = 0;
    for (const channel of channels) for (let i = 0; i < channel.length; i++) peak = Math.max(peak, Math.abs(channel[i]));
    const limit = 10 ** (options.maxPeakDb / 20);
    if (peak * gain > limit) gain = limit / peak;
  }
  return channels.map((channel) => channel.map((v) => v * gain));
}
