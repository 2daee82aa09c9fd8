/** Fades in and out. */
import { InvalidArgumentError } from '../utils/errors';
import type { Hertz, Seconds } from '../types/units';
import { checkChannels } from './mix';

/**
 * 'linear': gain rises as t (amplitude); 'equal-power': gain rises as sin(t·π/2), so a fade-out and a fade-in
 * of uncorrelated material crossfade at constant power (cos² + sin² = 1).
 */
export type FadeShape = 'linear' | 'equal-power';

export interface FadeOptions {
  /** Fade length in seconds (clamped to the audio's length). */
  duration: Seconds;
  /** Default 'linear'. */
  shape?: FadeShape;
}

/** Gain at fraction t in [0, 1] of a fade-in. */
function fadeGain(t: number, shape: FadeShape): number {
  return shape === 'linear' ? t : Math.sin((t * Math.PI) / 2);
}

function fade(channels: readonly Float32Array[], sampleRate: Hertz, options: FadeOptions, direction: 'in' | 'out'): Float32Array[] {
  const length = checkChannels(channels);
  const shape = options.shape ?? 'linear';
  if (shape !== 'linear' && shape !== 'equal-power') throw new InvalidArgumentError(`fade shape must be 'linear' or 'equal-power', got ${String(shape)}`, shape);
  if (!(options.duration >= 0) || !Number.isFinite(options.duration)) throw new InvalidArgumentError(`fade duration must be a finite number of seconds >= 0, got ${options.duration}`, options.duration);
  if (!(sampleRate > 0)) throw new InvalidArgumentError(`sampleRate must be positive, got ${sampleRate}`, sampleRate);
  const n = Math.min(length, Math.round(options.duration * sampleRate));
  const gains = new Float32Array(n);
  // Sample i of n gets t = i / n: the first sample of a fade-in is silent, the fade reaches 1 just after it ends.
  for (let i = 0; i < n; i++) gains[i] = fadeGain(i / n, shape);
  return channels.map((channel) => {
    const out = Float32Array.from(channel);
    if (direction === 'in') for (let i = 0; i < n; i++) out[i] *= gains[i];
    else for (let i = 0; i < n; i++) out[length - 1 - i] *= gains[i];
    return out;
  });
}

/** Fades in over `options.duration` seconds from silence; returns new arrays. */
export function fadeIn(channels: readonly Float32Array[], sampleRate: Hertz, options: FadeOptions): Float32Array[] {
  return fade(channels, sampleRate, options, 'in');
}

/** Fades out over the last `options.duration` seconds: the fade-in reversed in time, ending on an exact zero; returns new arrays. */
export function fadeOut(channels: readonly Float32Array[], sampleRate: Hertz, options: FadeOptions): Float32Array[] {
  return fade(channels, sampleRate, options, 'out');
}
