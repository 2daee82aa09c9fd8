import type { WeakClass } from './class-reliability';
import type { Hertz, Seconds } from '../types/units';
import { encodeWavBuffer, type WavSampleFormat } from './deps';
import type { PitchCheck } from './prompted-note';

/** Seconds spent in each stage of one call. */
export interface StageTimings {
  encode: Seconds;
  denoise: Seconds;
  decode: Seconds;
  vocode: Seconds;
  /** Scoring the denoised latents, checking the pitch of prompted notes and keeping the best candidates. */
  rank: Seconds;
  postprocess: Seconds;
  total: Seconds;
}

/** One generated waveform (mono float32 in [-1, 1]). */
export class GeneratedAudio {
  constructor(
    readonly data: Float32Array,
    readonly sampleRate: Hertz,
    readonly prompt: string,
    /**
     * The call's seed. For a single prompt the noise of this waveform is `new Rng(seed).fork(stream)` (with
     * several prompts, prompt p's streams are numbered from p · numWaveformsPerPrompt); a kept candidate
     * j ≥ 1 is `.fork(stream).fork(candidate)` (AudioDiffusionPipeline documents the scheme).
     */
    readonly seed: number,
    /** Index of this waveform among those of its prompt, before re-ranking: the noise stream it came from. */
    readonly stream: number,
    /** Index of this waveform in the call's output (after re-ranking, when there was one). */
    readonly index: number,
    /**
     * The bundle scorer's cosine similarity in [-1, 1] between this waveform's latents and its prompt (higher =
     * a better match); undefined when the bundle has no scorer.
     */
    readonly score?: number,
    /** Which of the `candidates` noise streams of its waveform was kept (0: the plain stream). */
    readonly candidate: number = 0,
    /**
     * When the prompt names one note ("c4", "f#2"; not a chord): the estimated pitch against it. Candidates in
     * tune (within ±50 cents) rank before those that are not (`GenerateOptions.rankByPitch`).
     */
    readonly pitch?: PitchCheck,
    /**
     * The class reader's probability that this sound is the class its prompt names (`GenerateOptions.rankByClass`);
     * undefined when candidates were not ranked by class.
     */
    readonly classProbability?: number,
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
  /**
   * Sound classes the prompts name that the model rendered right in under half of its measured validation clips
   * (vocabulary.json's class_accuracy; also sent as `weak-class` warnings). Empty when none, or when the bundle
   * has no such measurement.
   */
  weakClasses: WeakClass[];
  /**
   * True when the bundle's scorer ordered each prompt's waveforms best first (numWaveformsPerPrompt > 1) or
   * picked the best of several candidates; false: they are in seed-stream order.
   */
  reranked: boolean;
  /** Candidates denoised per waveform (best-of-N; `GenerateOptions.candidates` or the bundle's default); 1 elsewhere. */
  candidates: number;
  durationSeconds: Seconds;
  timings: StageTimings;
}
