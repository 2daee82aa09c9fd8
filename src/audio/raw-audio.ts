/** RawAudio: multi-channel float samples with their sample rate, and the sample-level operations on them. */
import { InvalidArgumentError } from '../utils/errors';
import type { Decibels, Hertz, LUFS, Seconds } from '../types/units';
import { decodeWav, encodeWav, type EncodeWavOptions, type WavFormatInfo } from './wav';
import { checkChannels, downmix } from './mix';
import { resampleChannels, type ResamplerOptions } from './resample';
import { normalizePeak, peakDb } from './gain';
import { integratedLoudness, normalizeLoudness, type LoudnessOptions } from './loudness';
import { fadeIn, fadeOut, type FadeOptions } from './fade';
import { trimSilence, type TrimSilenceOptions } from './trim';

/**
 * Audio as one Float32Array per channel (full scale ±1) at `sampleRate`. The arrays are owned, not copied:
 * do not change them after handing them over. Every operation returns a new RawAudio.
 */
export class RawAudio {
  readonly channelData: readonly Float32Array[];
  readonly sampleRate: Hertz;
  /** The WAV format the audio was decoded from, when it came from a WAV. */
  readonly source: WavFormatInfo | undefined;

  constructor(channelData: Float32Array | readonly Float32Array[], sampleRate: Hertz, source?: WavFormatInfo) {
    const channels = channelData instanceof Float32Array ? [channelData] : [...channelData];
    checkChannels(channels);
    if (!Number.isFinite(sampleRate) || sampleRate <= 0) throw new InvalidArgumentError(`sampleRate must be a positive number of Hz, got ${sampleRate}`, sampleRate);
    this.channelData = channels;
    this.sampleRate = sampleRate;
    this.source = source;
  }

  /** Decodes WAV bytes (see decodeWav). */
  static fromWav(bytes: Uint8Array): RawAudio {
    const decoded = decodeWav(bytes);
    return new RawAudio(decoded.channelData, decoded.sampleRate, decoded.format);
  }

  get numberOfChannels(): number {
    return this.channelData.length;
  }

  /** Frames (samples per channel). */
  get length(): number {
    return this.channelData[0].length;
  }

  get duration(): Seconds {
    return this.length / this.sampleRate;
  }

  /** The mono downmix (mean of channels) as samples. */
  toMono(): Float32Array {
    return downmix(this.channelData);
  }

  /** The mono downmix as RawAudio. */
  mono(): RawAudio {
    return new RawAudio([this.toMono()], this.sampleRate);
  }

  /** WAV bytes (default 16-bit PCM). */
  toWav(options: EncodeWavOptions = {}): Uint8Array {
    return encodeWav(this.channelData, this.sampleRate, options);
  }

  /** Band-limited resampling to `sampleRate` (integer rates; see Resampler). */
  resample(sampleRate: Hertz, options: ResamplerOptions = {}): RawAudio {
    if (sampleRate === this.sampleRate) return this;
    return new RawAudio(resampleChannels(this.channelData, this.sampleRate, sampleRate, options), sampleRate);
  }

  /** Sample peak in dBFS. */
  peakDb(): Decibels {
    return peakDb(this.channelData);
  }

  /** Integrated loudness, ITU-R BS.1770-4 (LUFS). */
  loudness(options: LoudnessOptions = {}): LUFS {
    return integratedLoudness(this.channelData, this.sampleRate, options);
  }

  normalizePeak(targetDb: Decibels = -1): RawAudio {
    return new RawAudio(normalizePeak(this.channelData, targetDb), this.sampleRate);
  }

  normalizeLoudness(target: LUFS = -23, options: LoudnessOptions & { maxPeakDb?: Decibels } = {}): RawAudio {
    return new RawAudio(normalizeLoudness(this.channelData, this.sampleRate, target, options), this.sampleRate);
  }

  fadeIn(options: FadeOptions): RawAudio {
    return new RawAudio(fadeIn(this.channelData, this.sampleRate, options), this.sampleRate);
  }

  fadeOut(options: FadeOptions): RawAudio {
    return new RawAudio(fadeOut(this.channelData, this.sampleRate, options), this.sampleRate);
  }

  trimSilence(options: TrimSilenceOptions = {}): RawAudio {
    return new RawAudio(trimSilence(this.channelData, this.sampleRate, options), this.sampleRate);
  }
}
