/**
 * The pipeline's seam to the other parts of foley (schedulers registry, vocoder, DSP, audio I/O). Everything the
 * pipeline needs from them goes through these few functions, so that each can be swapped in one place.
 *
 * INTERIM: while src/schedulers/registry, src/models/vocoder, src/dsp and src/audio are being written, the
 * functions marked INTERIM below are minimal local stand-ins; each is replaced by a call into those modules.
 */
import { renameSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import wav from 'node-wav';
import { logMel, logMelOptionsFromConfig } from '../dsp/log-mel';
import { resolveSchedulerName, schedulerFromConfig, schedulerNames as registrySchedulerNames } from '../schedulers/registry';
import type { Scheduler } from '../schedulers/scheduler';
import { InvalidArgumentError, OutputPathError, WavFormatError } from '../utils/errors';
import type { AudioConfig } from './model-index';

export type WavSampleFormat = 'pcm16' | 'pcm24' | 'float32';
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

/** Input audio → mono samples at `sampleRate` (INTERIM: resampling comes from src/audio), and its log-mel. */
export const inputToMel = {
  samples(audio: InputAudio, sampleRate: number): Float32Array {
    if (audio.sampleRate !== sampleRate) throw new InvalidArgumentError(`input audio must be ${sampleRate} Hz for now, got ${audio.sampleRate}`, audio.sampleRate);
    return audio.data;
  },
  /** AudioLDM log-mel of the bundle's front end (src/dsp): [n_mels, floor(N / hop) + 1]. */
  logMel(samples: Float32Array, config: AudioConfig): { mel: Float32Array; frames: number } {
    const { data, frames } = logMel(samples, logMelOptionsFromConfig(config));
    return { mel: data, frames };
  },
};

/**
 * INTERIM: linear fades, peak normalisation, and loudness as ungated mean-square level (-0.691 + 10·log10(mean x²),
 * BS.1770 without K-weighting or gating); src/audio's BS.1770 loudness replaces it.
 */
export function postprocess(samples: Float32Array, sampleRate: number, options: { fadeSeconds: number; normalize: { kind: string; peakDb?: number; lufs?: number } }): Float32Array {
  const out = Float32Array.from(samples);
  const fade = Math.min(Math.round(options.fadeSeconds * sampleRate), Math.floor(out.length / 2));
  for (let i = 0; i < fade; i++) {
    const g = i / fade;
    out[i] *= g;
    out[out.length - 1 - i] *= g;
  }
  if (options.normalize.kind === 'peak') {
    let peak = 0;
    for (const v of out) peak = Math.max(peak, Math.abs(v));
    if (peak > 0) {
      const gain = 10 ** ((options.normalize.peakDb ?? -1) / 20) / peak;
      for (let i = 0; i < out.length; i++) out[i] *= gain;
    }
  }
  if (options.normalize.kind === 'loudness' && options.normalize.lufs !== undefined) {
    const meanSquare = out.reduce((sum, v) => sum + v * v, 0) / Math.max(1, out.length);
    if (meanSquare > 0) {
      const level = -0.691 + 10 * Math.log10(meanSquare);
      const gain = 10 ** ((options.normalize.lufs - level) / 20);
      for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, out[i] * gain));
    }
  }
  return out;
}

const WAV_OPTIONS: Record<WavSampleFormat, { bitDepth: number; float: boolean }> = {
  pcm16: { bitDepth: 16, float: false },
  pcm24: { bitDepth: 24, float: false },
  float32: { bitDepth: 32, float: true },
};

/** INTERIM: mono WAV bytes. */
export function encodeWavBuffer(samples: Float32Array, sampleRate: number, format: WavSampleFormat): Buffer {
  return wav.encode([samples], { sampleRate, ...WAV_OPTIONS[format] });
}

/** INTERIM: writes a WAV atomically (temp file + rename); refuses to overwrite without `force`. */
export async function writeWavFile(path: string, samples: Float32Array, sampleRate: number, options: { format: WavSampleFormat; force: boolean }): Promise<void> {
  if (existsSync(path) && !options.force) throw new OutputPathError(`${path} exists: pass --force to overwrite it`, path);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, encodeWavBuffer(samples, sampleRate, options.format));
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new OutputPathError(`cannot write ${path}: ${(error as Error).message}`, path);
  }
}

/** INTERIM: reads a WAV file as mono (channels averaged). */
export async function readWavFile(path: string): Promise<InputAudio> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new WavFormatError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, path);
  }
  // An exact-size copy: node-wav misreads pooled Buffers (toolchain.md §6).
  const decoded = wav.decode(Buffer.from(Uint8Array.prototype.slice.call(bytes))) as { sampleRate: number; channelData: Float32Array[] } | undefined;
  if (decoded === undefined || decoded.channelData.length === 0) throw new WavFormatError(`${path}: not a WAV file with audio`, path);
  const { channelData } = decoded;
  const data = new Float32Array(channelData[0].length);
  for (const channel of channelData) for (let i = 0; i < data.length; i++) data[i] += channel[i] / channelData.length;
  return { data, sampleRate: decoded.sampleRate };
}
