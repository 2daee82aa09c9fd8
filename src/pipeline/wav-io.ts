/** WAV files for the CLI and Node callers of the pipeline (Node only: the browser build never imports this). */
import { readWav, writeWav } from '../audio/wav-file';
import { downmix } from '../audio/mix';
import type { InputAudio, WavSampleFormat } from './deps';

/** Writes a mono WAV atomically (temp file + rename); refuses to overwrite without `force` (OutputPathError). */
export async function writeWavFile(path: string, samples: Float32Array, sampleRate: number, options: { format: WavSampleFormat; force: boolean }): Promise<void> {
  await writeWav(path, { channelData: [samples], sampleRate }, { format: options.format, force: options.force });
}

/** Reads a WAV file (any format src/audio decodes) as mono, channels averaged; WavFormatError naming the path. */
export async function readWavFile(path: string): Promise<InputAudio> {
  const audio = await readWav(path);
  return { data: downmix(audio.channelData), sampleRate: audio.sampleRate };
}
