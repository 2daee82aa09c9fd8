// File input and output for the DSP commands (mel, resynth).
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readWavFile } from '../src/pipeline/wav-io';
import { FoleyError, InvalidArgumentError, OutputPathError, WavFormatError } from '../src/utils/errors';

/**
 * Reads `file` as mono samples at `sampleRate`. INTERIM: src/audio (decoder, downmix, resampler) is not in the
 * tree yet; until it is, this goes through the pipeline's interim reader, and other rates are refused with the
 * command that converts them.
 */
export async function readMonoAt(file: string, sampleRate: number): Promise<Float32Array> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new InvalidArgumentError(`input file not found: ${file}`, file);
  const audio = await readWavFile(file).catch((error: unknown) => {
    if (error instanceof FoleyError) throw error;
    throw new WavFormatError(`${file}: not a readable WAV file (${(error as Error).message})`, file);
  });
  if (audio.sampleRate !== sampleRate) {
    throw new InvalidArgumentError(`${file} is ${audio.sampleRate} Hz; ${sampleRate} Hz needed for now (convert with: sox IN.wav -r ${sampleRate} OUT.wav)`, audio.sampleRate);
  }
  if (audio.data.length === 0) throw new WavFormatError(`${file} holds no samples`, file);
  return audio.data;
}

/** Refuses an output that exists (without --force), equals the input, or has no folder. */
export function checkOutputPath(output: string, input: string, force: boolean, flag: string): string {
  const path = resolve(output);
  if (path === resolve(input)) throw new OutputPathError(`${flag} must differ from the input file (${output})`, output);
  if (existsSync(path) && !force) throw new OutputPathError(`${output} exists: pass --force to overwrite it`, output);
  if (existsSync(path) && statSync(path).isDirectory()) throw new OutputPathError(`${output} is a folder; ${flag} needs a file name`, output);
  if (!existsSync(dirname(path))) throw new OutputPathError(`the folder of ${output} does not exist: ${dirname(output)}`, output);
  return path;
}

/** Writes `bytes` to a temporary file beside `path`, then renames it over: never a half-written file. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new OutputPathError(`cannot write ${path}: ${(error as Error).message}`, path);
  }
}
