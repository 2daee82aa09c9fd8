/** Channel mixing. */
import { InvalidArgumentError } from '../utils/errors';

/** Checks that `channels` is non-empty and rectangular; returns the common length. */
export function checkChannels(channels: readonly Float32Array[]): number {
  if (channels.length === 0) throw new InvalidArgumentError('audio needs at least one channel, got none', 0);
  const length = channels[0].length;
  for (let c = 1; c < channels.length; c++) {
    if (channels[c].length !== length) throw new InvalidArgumentError(`all channels must have the same length: channel 0 has ${length} samples, channel ${c} has ${channels[c].length}`, channels[c].length);
  }
  return length;
}

/**
 * Mono downmix: the mean of the channels (equal weights), so a signal present in every channel keeps its level
 * and the sum cannot clip. One channel is returned as a copy.
 */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  const length = checkChannels(channels);
  if (channels.length === 1) return Float32Array.from(channels[0]);
  const sum = new Float64Array(length);
  for (const channel of channels) for (let i = 0; i < length; i++) sum[i] += channel[i];
  const out = new Float32Array(length);
  const scale = 1 / channels.length;
  for (let i = 0; i < length; i++) out[i] = sum[i] * scale;
  return out;
}
