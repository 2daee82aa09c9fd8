import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { LogMel } from '../../src/dsp/log-mel';
import { createVocoder, type VocoderKind } from '../../src/models/vocoder';
import { DEFAULT_BUNDLE } from '../../src/pipeline/audio-diffusion-pipeline';
import { readWavFile, writeWavFile } from '../../src/pipeline/wav-io';
import { FoleyError, InvalidArgumentError, OutputPathError, WavFormatError } from '../../src/utils/errors';
import { cliIo } from '../index';

interface VocodeArgs {
  file: string;
  output: string;
  vocoder: VocoderKind;
  bundle?: string;
  force: boolean;
  iterations: number;
}

/**
 * Mono samples at the model rate. src/audio's resampler is not in the tree yet: until it is, other rates are
 * refused with the command that converts them.
 */
function toModelRate(samples: Float32Array, rate: number, modelRate: number): Float32Array {
  if (rate === modelRate) return samples;
  throw new InvalidArgumentError(`input is ${rate} Hz; foley vocode needs ${modelRate} Hz for now (convert with: sox IN.wav -r ${modelRate} OUT.wav)`, rate);
}

/** `foley vocode FILE.wav -o out.wav`: analyse to log-mel, resynthesise with a vocoder, write a 16 kHz WAV. */
export const vocodeCommand: CommandModule<object, VocodeArgs> = {
  command: 'vocode <file>',
  describe: 'Resynthesise a WAV file from its log-mel spectrogram (tests a vocoder by ear)',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'input WAV file (any rate, mono or stereo)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'output WAV file (16 kHz mono, 16-bit)' })
      .option('vocoder', { choices: ['neural', 'griffin-lim'] as const, default: 'neural' as VocoderKind, describe: 'the bundle\'s neural vocoder or model-free Griffin-Lim' })
      .option('bundle', { type: 'string', describe: 'model bundle folder (default: models/foley-small)' })
      .option('iterations', { type: 'number', default: 32, describe: 'Griffin-Lim iterations (--vocoder griffin-lim)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite the output file' }) as Argv<VocodeArgs>,
  handler: async (args) => {
    const io = cliIo();
    const input = resolve(args.file);
    const output = resolve(args.output);
    if (!existsSync(input) || !statSync(input).isFile()) throw new InvalidArgumentError(`input file not found: ${args.file}`, args.file);
    if (input === output) throw new OutputPathError(`the output must differ from the input (${args.output})`, args.output);
    if (existsSync(output) && !args.force) throw new OutputPathError(`${args.output} exists: pass --force to overwrite it`, args.output);
    if (!existsSync(dirname(output))) throw new OutputPathError(`the output folder does not exist: ${dirname(args.output)}`, args.output);
    if (!Number.isInteger(args.iterations) || args.iterations < 0 || args.iterations > 1000) {
      throw new InvalidArgumentError(`--iterations must be an integer from 0 to 1000, got ${args.iterations}`, args.iterations);
    }

    // 1. Read, downmix and resample to the model rate.
    const front = new LogMel();
    const audio = await readWavFile(input).catch((error: unknown) => {
      if (error instanceof FoleyError) throw error;
      throw new WavFormatError(`${args.file}: not a readable WAV file (${(error as Error).message})`, args.file);
    });
    const samples = toModelRate(audio.data, audio.sampleRate, front.options.sampleRate);
    if (samples.length < front.options.hopLength) throw new InvalidArgumentError(`${args.file} is too short to vocode (${samples.length} samples at ${front.options.sampleRate} Hz)`, samples.length);

    // 2. Analyse to log-mel, 3. resynthesise.
    const { data, nMels, frames } = front.compute(samples);
    const vocoder = await createVocoder(args.vocoder, resolve(args.bundle ?? DEFAULT_BUNDLE), { iterations: args.iterations });
    const started = process.hrtime.bigint();
    let waveform: Float32Array;
    try {
      waveform = await vocoder.melToWaveform(data, nMels, frames, samples.length);
    } finally {
      vocoder.release();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    // 4. Keep the level, but never clip: scale down only if the resynthesis overshoots full scale.
    let peak = 0;
    for (const v of waveform) peak = Math.max(peak, Math.abs(v));
    if (peak > 1) for (let i = 0; i < waveform.length; i++) waveform[i] /= peak;

    // 5. Write atomically.
    await writeWavFile(output, waveform, front.options.sampleRate, { format: 'pcm16', force: args.force });
    const duration = samples.length / front.options.sampleRate;
    io.stdout.write(`wrote ${args.output} (${duration.toFixed(2)} s, ${args.vocoder} vocoder, ${(duration / Math.max(seconds, 1e-6)).toFixed(0)}x real time)\n`);
  },
};
