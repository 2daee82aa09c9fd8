/**
 * The pipeline's seam to the other parts of foley (schedulers registry, DSP, sample-level audio). Everything the
 * pipeline needs from them goes through these few functions, so that each can be swapped in one place. Pure:
 * no file system and no native modules, so the browser build bundles the same code (file I/O for the CLI is in
 * `wav-io.ts`).
 */
import { logMel, logMelOptionsFromConfig } from '../dsp/log-mel';
import { resolveSchedulerName, schedulerFromConfig, schedulerNames as registrySchedulerNames } from '../schedulers/registry';
import type { Scheduler } from '../schedulers/scheduler';
import { encodeWav, type WavSampleFormat } from '../audio/wav';
import { resample } from '../audio/resample';
import { fadeIn, fadeOut } from '../audio/fade';
import { normalizePeak } from '../audio/gain';
import { normalizeLoudness } from '../audio/loudness';
import type { AudioConfig } from './model-index';

export type { WavSampleFormat };
export type PipelineScheduler = Scheduler;

/** Mono audio handed to vary/inpaint. */
export interface InputAudio {
  data: Float32Array;
  sampleRate: number;
}

/** Scheduler names and aliases `--scheduler` accepts (src/schedulers/registry). */
export function schedulerNames(): string[] {
  return registrySchedulerNames();
}

/** Throws SchedulerConfigError (exit code 2) naming the choices when `name` is not a scheduler. */
export function checkSchedulerName(name: string): void {
  resolveSchedulerName(name);
}

/**
 * A fresh scheduler from the bundle's scheduler_config.json: `choice` is a class name or alias (built from the
 * bundle's config, diffusers' `from_config`), or a config object merged over the bundle's.
 */
export function createScheduler(bundleConfig: Record<string, unknown>, choice: string | Record<string, unknown>): PipelineScheduler {
  const quiet = { onWarning: () => undefined };
  if (typeof choice === 'string') return schedulerFromConfig(bundleConfig, { ...quiet, name: choice });
  return schedulerFromConfig({ ...bundleConfig, ...choice }, quiet);
}

/** Input audio → mono samples at the bundle's rate (band-limited resampling from src/audio), and its log-mel. */
export const inputToMel = {
  samples(audio: InputAudio, sampleRate: number): Float32Array {
    if (audio.sampleRate === sampleRate) return audio.data;
    return resample(audio.data, audio.sampleRate, sampleRate);
  },
  /** AudioLDM log-mel of the bundle's front end (src/dsp): [n_mels, floor(N / hop) + 1]. */
  logMel(samples: Float32Array, config: AudioConfig): { mel: Float32Array; frames: number } {
    const { data, frames } = logMel(samples, logMelOptionsFromConfig(config));
    return { mel: data, frames };
  },
};

/** A copy of mono `samples` scaled so the sample peak lands on `peakDb` dBFS (silence unchanged; src/audio/gain). */
export function levelPeak(samples: Float32Array, peakDb: number): Float32Array {
  return normalizePeak([samples], peakDb)[0];
}

/**
 * Fades (linear, in and out), then peak normalisation or BS.1770 integrated-loudness normalisation (src/audio;
 * the loudness path keeps the peak at or under -1 dBFS, so a quiet target never clips).
 */
export function postprocess(samples: Float32Array, sampleRate: number, options: { fadeSeconds: number; normalize: { kind: string; peakDb?: number; lufs?: number } }): Float32Array {
  let channels: Float32Array[] = [samples];
  const fade = Math.min(options.fadeSeconds, samples.length / 2 / sampleRate);
  if (fade > 0) {
    channels = fadeIn(channels, sampleRate, { duration: fade });
    channels = fadeOut(channels, sampleRate, { duration: fade });
  }
  if (options.normalize.kind === 'peak') channels = normalizePeak(channels, options.normalize.peakDb ?? -1);
  if (options.normalize.kind === 'loudness' && options.normalize.lufs !== undefined) {
    // Peak-normalise first: raw model output can sit below BS.1770's -70 LUFS absolute gate, which would read as silence.
    channels = normalizeLoudness(normalizePeak(channels, -1), sampleRate, options.normalize.lufs, { maxPeakDb: -1 });
  }
  return channels[0] === samples ? Float32Array.from(samples) : channels[0];
}

/** Mono WAV bytes (src/audio's encoder). */
export function encodeWavBuffer(samples: Float32Array, sampleRate: number, format: WavSampleFormat): Buffer {
  const bytes = encodeWav([samples], sampleRate, { format });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
