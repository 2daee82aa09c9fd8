import type { Argv, CommandModule } from 'yargs';
import { readWavFile } from '../../src/pipeline/wav-io';
import { InvalidArgumentError } from '../../src/utils/errors';
import { cliIo } from '../index';
import { createProgressReporter } from '../progress';
import { checkCommonArgs, loadPipeline, pipelineOptions, planOutputs, slugify, withCommonOptions, writeResults, type CommonArgs } from './generate';

interface VaryArgs extends CommonArgs {
  input: string;
  prompt: string;
  strength: number;
}

export const varyCommand: CommandModule<object, VaryArgs> = {
  command: 'vary <input> <prompt>',
  describe: 'make a variation of a WAV file guided by a prompt (SDEdit)',
  builder: (yargs) =>
    withCommonOptions(yargs)
      .positional('input', { type: 'string', demandOption: true, describe: 'WAV file to vary' })
      .positional('prompt', { type: 'string', demandOption: true, describe: 'what the result should sound like' })
      .option('strength', { type: 'number', default: 0.5, describe: 'how much to change, 0.01–1 (1 ignores the input)' })
      .example('$0 vary snare.wav "a tight snare drum hit" --strength 0.3 -o snare-var.wav', '') as Argv<VaryArgs>,
  handler: async (args) => {
    const io = cliIo();
    if (args.prompt.trim().length === 0) throw new InvalidArgumentError('the prompt is empty: describe the sound you want');
    if (!(args.strength >= 0.01 && args.strength <= 1)) throw new InvalidArgumentError(`--strength must be within [0.01, 1], got ${args.strength}`, args.strength);
    checkCommonArgs(args);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 32);
    const outputs = planOutputs(args.output, [`${slugify(args.prompt)}-vary-${seed}`], args.force);
    const input = await readWavFile(args.input);
    const pipeline = await loadPipeline(args, io);
    const reporter = createProgressReporter(io, { verbose: args.verbose });
    try {
      const result = await pipeline.vary(input, args.prompt, { ...pipelineOptions(args), seed, strength: args.strength, onProgress: reporter.onProgress });
      reporter.stop();
      await writeResults(result, outputs, args, io, { input: args.input, prompt: args.prompt, strength: args.strength });
    } finally {
      reporter.stop();
      await pipeline.dispose();
    }
  },
};
