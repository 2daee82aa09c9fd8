/** Levels and gain: sample peak and peak normalisation. */
import { InvalidArgumentError } from '../utils/errors';
import type { Decibels } from '../types/units';
import { checkChannels } from './mix';

/** Largest |sample| over all channels (linear). */
export function peakAmplitude(channels: readonly Float32Array[]): number {
  checkChannels(channels);
  let peak = 0;
  for (const channel of channels) {
    for (let i = 0; i < channel.length; i++) {
      const v = Math.abs(channel[i]);
      if (v > peak) peak = v;
    }
  }
  return peak;
}

/** Sample peak in dBFS (0 dBFS = full scale 1.0); -Infinity for silence. */
export function peakDb(channels: readonly Float32Array[]): Decibels {
  return 20 * Math.log10(peakAmplitude(channels));
}

/** Multiplies every sample by `gainDb` decibels; returns new arrays. */
export function applyGain(channels: readonly Float32Array[], gainDb: Decibels): Float32Array[] {
  if (!Number.isFinite(gainDb)) throw new InvalidArgumentError(`gain must be a finite number of dB, got ${gainDb}`, gainDb);
  checkChannels(channels);
  const gain = 10 ** (gainDb / 20);
  return channels.map((channel) => channel.map((v) => v * gain));
}

/**
 * Scales all channels by one gain so the sample peak lands on `targetDb` dBFS (default -1). Silence is
 * returned unchanged. Returns new arrays.
 */
export function normalizePeak(channels: readonly Float32Array[], targetDb: Decibels = -1): Float32Array[] {
  if (!Number.isFinite(targetDb)) throw new InvalidArgumentError(`target peak must be a finite number of dBFS, got ${targetDb}`, targetDb);
  const peak = peakAmplitude(channels);
  if (peak === 0) return channels.map((channel) => Float32Array.from(channel));
  const gain = 10 ** (targetDb / 20) / peak;
  return channels.map((channel) => channel.map((v) => v * gain));
}
