/** Silence trimming. */
import { InvalidArgumentError } from '../utils/errors';
import type { Decibels, Hertz, Seconds } from '../types/units';
import { checkChannels } from './mix';

export interface TrimSilenceOptions {
  /** A sample is silent when |x| is at or below this level in dBFS, in every channel; default -60. */
  thresholdDb?: Decibels;
  /** Trim the start and/or the end; both default true. */
  start?: boolean;
  end?: boolean;
  /** Silence kept on each trimmed side, in seconds; default 0. */
  margin?: Seconds;
}

/** Where the audible part lies: frames [start, end). `start === end` when everything is silent. */
export function findSound(channels: readonly Float32Array[], thresholdDb: Decibels = -60): { start: number; end: number } {
  const length = checkChannels(channels);
  if (!Number.isFinite(thresholdDb)) throw new InvalidArgumentError(`thresholdDb must be a finite number of dBFS, got ${thresholdDb}`, thresholdDb);
  const threshold = 10 ** (thresholdDb / 20);
  const loud = (i: number): boolean => channels.some((channel) => Math.abs(channel[i]) > threshold);
  let start = 0;
  while (start < length && !loud(start)) start++;
  if (start === length) return { start: 0, end: 0 };
  let end = length;
  while (end > start && !loud(end - 1)) end--;
  return { start, end };
}

/**
 * Cuts leading and trailing silence: samples whose magnitude stays at or under `thresholdDb` in every channel.
 * Returns new arrays (empty when everything is silent).
 */
export function trimSilence(channels: readonly Float32Array[], sampleRate: Hertz, options: TrimSilenceOptions = {}): Float32Array[] {
  const length = checkChannels(channels);
  const margin = options.margin ?? 0;
  if (!(margin >= 0) || !Number.isFinite(margin)) throw new InvalidArgumentError(`margin must be a finite number of seconds >= 0, got ${margin}`, margin);
  const { start, end } = findSound(channels, options.thresholdDb ?? -60);
  if (start === end) return channels.map(() => new Float32Array(0));
  const keep = Math.round(margin * sampleRate);
  const from = (options.start ?? true) ? Math.max(0, start - keep) : 0;
  const to = (options.end ?? true) ? Math.min(length, end + keep) : length;
  return channels.map((channel) => channel.slice(from, to));
}
