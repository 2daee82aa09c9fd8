import type { Argv, CommandModule } from 'yargs';
import { readWavFile } from '../../src/pipeline/wav-io';
import { InvalidArgumentError } from '../../src/utils/errors';
import { cliIo } from '../index';
import { createProgressReporter } from '../progress';
import { checkCommonArgs, loadPipeline, pipelineOptions, planOutputs, slugify, withCommonOptions, writeResults, type CommonArgs } from './generate';

interface InpaintArgs extends CommonArgs {
  input: string;
  prompt: string;
  start: number;
  end: number;
}

export const inpaintCommand: CommandModule<object, InpaintArgs> = {
  command: 'inpaint <input> <prompt>',
  describe: 'regenerate the region --start..--end of a WAV file (or continue it past its end)',
  builder: (yargs) =>
    withCommonOptions(yargs)
      .positional('input', { type: 'string', demandOption: true, describe: 'WAV file' })
      .positional('prompt', { type: 'string', demandOption: true, describe: 'what the region should sound like' })
      .option('start', { type: 'number', demandOption: true, describe: 'region start, seconds' })
      .option('end', { type: 'number', demandOption: true, describe: 'region end, seconds (past the end of the input: continuation)' })
      .example('$0 inpaint rain.wav "thunder" --start 1 --end 2 -o rain-thunder.wav', '')
      .example('$0 inpaint rain.wav "rain on a tin roof" --start 2 --end 6 -o longer.wav', 'continue a 2 s clip to 6 s') as Argv<InpaintArgs>,
  handler: async (args) => {
    const io = cliIo();
    if (args.prompt.trim().length === 0) throw new InvalidArgumentError('the prompt is empty: describe the sound you want');
    if (!(args.start >= 0) || !(args.end > args.start)) {
      throw new InvalidArgumentError(`--start and --end must satisfy 0 <= start < end, got ${args.start}..${args.end}`, [args.start, args.end]);
    }
    checkCommonArgs(args);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 32);
    const outputs = planOutputs(args.output, [`${slugify(args.prompt)}-inpaint-${seed}`], args.force);
    const input = await readWavFile(args.input);
    const pipeline = await loadPipeline(args, io);
    const reporter = createProgressReporter(io, { verbose: args.verbose });
    try {
      const result = await pipeline.inpaint(input, args.prompt, { ...pipelineOptions(args), seed, start: args.start, end: args.end, onProgress: reporter.onProgress });
      reporter.stop();
      await writeResults(result, outputs, args, io, { input: args.input, prompt: args.prompt, start: args.start, end: args.end });
    } finally {
      reporter.stop();
      await pipeline.dispose();
    }
  },
};
