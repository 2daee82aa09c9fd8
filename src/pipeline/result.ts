import type { Hertz, Seconds } from '../types/units';
import { encodeWavBuffer, type WavSampleFormat } from './deps';

/** Seconds spent in each stage of one call. */
export interface StageTimings {
  encode: Seconds;
  denoise: Seconds;
  decode: Seconds;
  vocode: Seconds;
  postprocess: Seconds;
  total: Seconds;
}

/** One generated waveform (mono float32 in [-1, 1]). */
export class GeneratedAudio {
  constructor(
    readonly data: Float32Array,
    readonly sampleRate: Hertz,
    readonly prompt: string,
    /** The call's seed; the noise of this waveform is `new Rng(seed).fork(stream)`. */
    readonly seed: number,
    /** Index of this waveform among those of its prompt. */
    readonly stream: number,
    /** Index of this waveform in the call's output. */
    readonly index: number,
  ) {}

  get durationSeconds(): Seconds {
    return this.data.length / this.sampleRate;
  }

  /** A WAV file: `pcm16` (default), `pcm24` or `float32`. */
  toWav(options: { format?: WavSampleFormat } = {}): Buffer {
    return encodeWavBuffer(this.data, this.sampleRate, options.format ?? 'pcm16');
  }

  /** Channel data for Web Audio: `ctx.createBuffer(1, n, sampleRate).copyToChannel(channels[0], 0)`. */
  toChannelData(): Float32Array[] {
    return [this.data];
  }
}

/** What generate / vary / inpaint / interpolate return. */
export interface GenerationResult {
  audios: GeneratedAudio[];
  /** The first waveform (shortcut for `audios[0].data`). */
  audio: Float32Array;
  sampleRate: Hertz;
  /** The seed actually used (random when none was given). */
  seed: number;
  /** Interpolation: the seed of the B end. */
  seedB?: number;
  /** Prompt words the model does not know (also sent as a `warning` progress event). */
  unknownWords: string[];
  /** True when waveforms were re-ranked by a scorer; false: they are in seed-stream order. */
  reranked: boolean;
  durationSeconds: Seconds;
  timings: StageTimings;
}
