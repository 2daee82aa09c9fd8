import type { Argv, CommandModule } from 'yargs';
import { griffinLim } from '../../src/dsp/griffin-lim';
import { LogMel } from '../../src/dsp/log-mel';
import { melToLinear } from '../../src/dsp/mel-inverse';
import { writeWavFile } from '../../src/pipeline/wav-io';
import { InvalidArgumentError } from '../../src/utils/errors';
import { cliIo } from '../index';
import { checkOutputPath, readMonoAt } from '../dsp-io';

interface ResynthArgs {
  file: string;
  output: string;
  iters: number;
  momentum: number;
  seed: number;
  phase: 'random' | 'zero';
  nnls: number;
  force: boolean;
}

/** Mean |log-mel(a) − log-mel(b)| over the frames both have: the vocoder-quality figure of docs/dsp.md. */
export function melL1(front: LogMel, a: Float32Array, b: Float32Array): number {
  const x = front.compute(a);
  const y = front.compute(b);
  const frames = Math.min(x.frames, y.frames);
  let sum = 0;
  for (let m = 0; m < x.nMels; m++) for (let t = 0; t < frames; t++) sum += Math.abs(x.data[m * x.frames + t] - y.data[m * y.frames + t]);
  return sum / (x.nMels * frames);
}

/** `foley resynth FILE.wav -o out.wav`: log-mel → pseudo-inverse → fast Griffin-Lim → WAV (no model). */
export const resynthCommand: CommandModule<object, ResynthArgs> = {
  command: 'resynth <file>',
  describe: 'Resynthesise a WAV from its log-mel with fast Griffin-Lim (the model-free vocoder path)',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'input WAV file (downmixed, resampled to 16 kHz)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'output WAV file (16 kHz mono, 16-bit)' })
      .option('iters', { type: 'number', default: 32, describe: 'Griffin-Lim iterations (0–1000)' })
      .option('momentum', { type: 'number', default: 0.99, describe: 'fast Griffin-Lim momentum in [0, 1); 0 is plain Griffin-Lim' })
      .option('seed', { type: 'number', default: 0, describe: 'seed of the random initial phases' })
      .option('phase', { choices: ['random', 'zero'] as const, default: 'random' as const, describe: 'initial phase of Griffin-Lim' })
      .option('nnls', { type: 'number', default: 100, describe: 'non-negative least-squares iterations refining the mel pseudo-inverse (0: clamped pseudo-inverse only)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite the output file' })
      .example('$0 resynth samples/dog.wav -o dog-gl.wav --iters 64', 'hear what the mel keeps') as Argv<ResynthArgs>,
  handler: async (args) => {
    const io = cliIo();
    // yargs reports a missing -o through main()'s fail handler but may still call us: refuse here too.
    if (typeof args.output !== 'string' || args.output === '') throw new InvalidArgumentError('name the output WAV: -o out.wav', args.output);
    if (!Number.isInteger(args.iters) || args.iters < 0 || args.iters > 1000) {
      throw new InvalidArgumentError(`--iters must be an integer from 0 to 1000, got ${args.iters}`, args.iters);
    }
    if (!(args.momentum >= 0 && args.momentum < 1)) throw new InvalidArgumentError(`--momentum must be within [0, 1), got ${args.momentum}`, args.momentum);
    if (!Number.isInteger(args.nnls) || args.nnls < 0 || args.nnls > 10000) throw new InvalidArgumentError(`--nnls must be an integer from 0 to 10000, got ${args.nnls}`, args.nnls);
    if (!Number.isSafeInteger(args.seed)) throw new InvalidArgumentError(`--seed must be an integer, got ${args.seed}`, args.seed);
    const output = checkOutputPath(args.output, args.file, args.force, '--output');
    const front = new LogMel();
    const o = front.options;

    // 1. Read at 16 kHz mono. 2. Log-mel, as the models produce it.
    const samples = await readMonoAt(args.file, o.sampleRate);
    const { data, frames } = front.compute(samples);
    const started = process.hrtime.bigint();

    // 3. Undo the log and the mel filters (clamped pseudo-inverse refined by NNLS: mel-L1 1.0 → 0.4 in docs/dsp.md).
    const mel = data.map(Math.exp);
    const magnitude = melToLinear(mel, frames, front.filterbank, { nnlsIterations: args.nnls });
    const waveform = griffinLim(magnitude, {
      nFft: o.nFft, hopLength: o.hopLength, winLength: o.winLength, iterations: args.iters, momentum: args.momentum, seed: args.seed, initialPhase: args.phase, length: samples.length,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    // 5. Keep the level but never clip; write atomically.
    let peak = 0;
    for (const v of waveform) peak = Math.max(peak, Math.abs(v));
    if (peak > 1) for (let i = 0; i < waveform.length; i++) waveform[i] /= peak;
    await writeWavFile(output, waveform, o.sampleRate, { format: 'pcm16', force: args.force });
    const duration = samples.length / o.sampleRate;
    io.stdout.write(`wrote ${args.output} (${duration.toFixed(2)} s, ${args.iters} Griffin-Lim iterations in ${seconds.toFixed(2)} s, mel-L1 ${melL1(front, samples, waveform).toFixed(3)} vs input)\n`);
  },
};
