import type { Argv, CommandModule } from 'yargs';
import { InvalidArgumentError } from '../../src/utils/errors';
import { cliIo } from '../index';
import { createProgressReporter } from '../progress';
import { checkCommonArgs, loadPipeline, pipelineOptions, planOutputs, slugify, withCommonOptions, writeResults, type CommonArgs } from './generate';

interface InterpolateArgs extends CommonArgs {
  promptA: string;
  promptB?: string;
  seedB?: number;
  count: number;
  duration?: number;
}

export const interpolateCommand: CommandModule<object, InterpolateArgs> = {
  command: 'interpolate <promptA> [promptB]',
  describe: 'morph from one prompt (or seed) to another in --count clips',
  builder: (yargs) =>
    withCommonOptions(yargs)
      .positional('promptA', { type: 'string', demandOption: true, describe: 'the start prompt' })
      .positional('promptB', { type: 'string', describe: 'the end prompt (default: promptA, to morph between seeds)' })
      .option('seed-b', { type: 'number', describe: 'seed of the end clip (default: --seed)' })
      .option('count', { type: 'number', default: 5, describe: 'clips, both ends included (2–64)' })
      .option('duration', { alias: 'd', type: 'number', describe: 'seconds per clip' })
      .example('$0 interpolate "a soft cello note, g2" "a loud trumpet note, g4" --count 5 -o morph/', '')
      .example('$0 interpolate "glass breaking" --seed 1 --seed-b 2 -o seeds/', 'morph between two seeds') as Argv<InterpolateArgs>,
  handler: async (args) => {
    const io = cliIo();
    if (args.promptA.trim().length === 0 || (args.promptB !== undefined && args.promptB.trim().length === 0)) {
      throw new InvalidArgumentError('a prompt is empty: describe the sounds to morph between');
    }
    if (!Number.isInteger(args.count) || args.count < 2 || args.count > 64) throw new InvalidArgumentError(`--count must be an integer from 2 to 64, got ${args.count}`, args.count);
    if (args.duration !== undefined && !(args.duration > 0 && args.duration <= 600)) throw new InvalidArgumentError(`--duration must be within (0, 600] seconds, got ${args.duration}`, args.duration);
    if (args.seedB !== undefined && (!Number.isSafeInteger(args.seedB) || args.seedB < 0)) throw new InvalidArgumentError(`--seed-b must be a non-negative integer, got ${args.seedB}`, args.seedB);
    checkCommonArgs(args);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 32);
    const slug = slugify(`${args.promptA} to ${args.promptB ?? args.promptA}`);
    const outputs = planOutputs(args.output, Array.from({ length: args.count }, (_, i) => `${slug}-${seed}-${i + 1}`), args.force);
    const pipeline = await loadPipeline(args, io);
    const reporter = createProgressReporter(io, { verbose: args.verbose });
    try {
      const result = await pipeline.interpolate({ prompt: args.promptA, seed }, { prompt: args.promptB, seed: args.seedB ?? seed }, {
        ...pipelineOptions(args), durationSeconds: args.duration, steps: args.count, onProgress: reporter.onProgress,
      });
      reporter.stop();
      await writeResults(result, outputs, args, io, { promptA: args.promptA, promptB: args.promptB ?? args.promptA });
    } finally {
      reporter.stop();
      await pipeline.dispose();
    }
  },
};
