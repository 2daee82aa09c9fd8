import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { AudioDiffusionPipeline, DEFAULT_BUNDLE } from '../../src/pipeline/audio-diffusion-pipeline';
import { readWavFile } from '../../src/pipeline/wav-io';
import { InvalidArgumentError, ModelBundleError } from '../../src/utils/errors';
import { cliIo } from '../index';
import { createProgressReporter } from '../progress';

interface ScoreArgs {
  file: string;
  prompts: string[];
  bundle?: string;
  json: boolean;
  verbose: boolean;
}

/** One prompt's score: the scorer's cosine similarity in [-1, 1] between the file and the prompt. */
export interface PromptScore {
  prompt: string;
  score: number;
}

/** What `foley score --json` prints: the scores best first, and the best prompt. */
export interface ScoreSummary {
  file: string;
  scores: PromptScore[];
  best: string;
}

/** At most this many prompts per call (the scorer's batch, as `generate`'s latents per call). */
const MAX_PROMPTS = 64;

/** `foley score FILE.wav "PROMPT" ["PROMPT" ...]`: how well a recording matches each prompt, best first. */
export const scoreCommand: CommandModule<object, ScoreArgs> = {
  command: 'score <file> <prompts..>',
  describe: 'Score how well a WAV file matches each prompt with the bundle\'s text–audio scorer (cosine similarity in [-1, 1], higher = a better match), best first',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('file', { type: 'string', demandOption: true, describe: 'WAV file (any format foley reads; downmixed and resampled to the model rate)' })
      .positional('prompts', { type: 'string', array: true, demandOption: true, describe: 'one or more descriptions to score the file against' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object: {file, scores: [{prompt, score}], best}' })
      .option('bundle', { alias: 'model', type: 'string', describe: 'model bundle folder with a scorer (default: models/foley-small)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'print which model files load' })
      .example('$0 score cello.wav "a sustained cello note, eb3" "a tight snare drum hit"', 'which description fits best')
      .example('$0 score dog.wav "a dog barking" --json', 'the score as JSON') as Argv<ScoreArgs>,
  handler: async (args) => {
    const io = cliIo();
    // yargs' fail handler in cli/index.ts records a missing positional but still runs the handler: leave it.
    if (typeof args.file !== 'string' || !Array.isArray(args.prompts) || args.prompts.length === 0) return;
    // 1. Check the prompts and read the file before loading any model, so bad input fails fast.
    const prompts = args.prompts.map(String);
    prompts.forEach((prompt, i) => {
      if (prompt.trim().length === 0) throw new InvalidArgumentError(`prompt ${i + 1} is empty: describe a sound, e.g. foley score ${args.file} "a soft cello note, g2"`, prompt);
    });
    if (prompts.length > MAX_PROMPTS) throw new InvalidArgumentError(`at most ${MAX_PROMPTS} prompts per call, got ${prompts.length}: split them over several calls`, prompts.length);
    const audio = await readWavFile(args.file);

    // 2. Load the bundle (Griffin-Lim: scoring never vocodes, so the neural vocoder is not opened).
    const bundleDir = resolve(args.bundle ?? DEFAULT_BUNDLE);
    const reporter = createProgressReporter(io, { verbose: args.verbose });
    let pipeline: AudioDiffusionPipeline;
    try {
      pipeline = await AudioDiffusionPipeline.fromPretrained(bundleDir, { onProgress: reporter.onProgress, vocoder: 'griffin-lim' });
    } finally {
      reporter.stop();
    }
    try {
      if (!pipeline.hasScorer) {
        throw new ModelBundleError(`the bundle ${bundleDir} has no scorer, so it cannot score audio: use a bundle whose model_index.json names a "scorer" component (docs/bundle-format.md), e.g. the shipped models/foley-small (the default without --bundle)`, bundleDir);
      }
      // 3. Name prompt words the model does not know: it ignores them, and they do not count towards the score.
      const unknown = [...new Set(prompts.flatMap((prompt) => pipeline.tokenizer.tokenize(prompt).unknownWords))];
      if (unknown.length > 0) {
        io.stderr.write(`foley: warning: the model does not know ${unknown.map((w) => `"${w}"`).join(', ')} (ignored as <unk>); "foley models --vocabulary" lists the words it knows\n`);
      }
      // 4. Score, then order best first (a stable sort: ties keep the order given).
      const values = await pipeline.scoreAudio(audio, prompts);
      const scores: PromptScore[] = prompts.map((prompt, i) => ({ prompt, score: values[i] })).sort((a, b) => b.score - a.score);
      if (args.json) {
        const summary: ScoreSummary = { file: args.file, scores, best: scores[0].prompt };
        io.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      const lines = [`${args.file}: cosine similarity to each prompt, in [-1, 1] (higher = a better match), best first`, `${'score'.padStart(7)}  prompt`];
      for (const { prompt, score } of scores) lines.push(`${score.toFixed(3).padStart(7)}  ${prompt}`);
      io.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await pipeline.dispose();
    }
  },
};
