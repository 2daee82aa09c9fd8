/** WAV files on disk (Node only): read, and write atomically without overwriting unless asked. */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputPathError, WavFormatError } from '../utils/errors';
import type { Hertz } from '../types/units';
import { RawAudio } from './raw-audio';
import type { EncodeWavOptions } from './wav';

export interface WriteWavOptions extends EncodeWavOptions {
  /** Replace an existing file at the path; default false (an existing file is an OutputPathError). */
  force?: boolean;
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return (error as Error).message;
}

/** Reads a WAV file as RawAudio; WavFormatError (naming the path) when it cannot be read or decoded. */
export async function readWav(path: string): Promise<RawAudio> {
  const bytes = await readWavBytes(path);
  try {
    return RawAudio.fromWav(bytes);
  } catch (error) {
    if (error instanceof WavFormatError) throw new WavFormatError(`${path}: ${error.message}`, error.value);
    throw error;
  }
}

/** The bytes of a file, or a WavFormatError that names the path and why it could not be read. */
export async function readWavBytes(path: string): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    return await readFile(path);
  } catch (error) {
    throw new WavFormatError(`cannot read ${path}: ${reason(error)}`, path);
  }
}

/**
 * Writes `audio` as a WAV file: encodes first, writes a temporary file in the same folder, then moves it into
 * place, so the path never holds a half-written file. Without `force`, an existing file is never replaced
 * (the move is a hard link, which fails if the path exists, even if it appeared meanwhile).
 */
export async function writeWav(path: string, audio: RawAudio | { channelData: readonly Float32Array[]; sampleRate: Hertz }, options: WriteWavOptions = {}): Promise<void> {
  const force = options.force ?? false;
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new OutputPathError(`cannot write ${path}: it is a folder; name a file`, path);
  if (existing !== undefined && !force) throw new OutputPathError(`${path} exists: pass force (--force) to overwrite it`, path);
  const bytes = new RawAudio(audio.channelData, audio.sampleRate).toWav(options);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (force) {
      await rename(temp, path);
    } else {
      try {
        await link(temp, path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new OutputPathError(`${path} exists: pass force (--force) to overwrite it`, path);
        // Filesystems without hard links: fall back to check-then-rename.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
        if (await lstat(path).then(() => true, () => false)) throw new OutputPathError(`${path} exists: pass force (--force) to overwrite it`, path);
        await rename(temp, path);
      }
    }
  } catch (error) {
    if (error instanceof OutputPathError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const where = code === 'ENOENT' ? `the folder ${dirname(path)} does not exist` : reason(error);
    throw new OutputPathError(`cannot write ${path}: ${where}`, path);
  } finally {
    await rm(temp, { force: true });
  }
}
