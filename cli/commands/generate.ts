import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { AudioDiffusionPipeline, DEFAULT_BUNDLE, type GenerateOptions, type Normalization } from '../../src/pipeline/audio-diffusion-pipeline';
import { checkSchedulerName, encodeWavBuffer, type WavSampleFormat } from '../../src/pipeline/deps';
import { writeWavFile } from '../../src/pipeline/wav-io';
import type { GenerationResult } from '../../src/pipeline/result';
import { formatCents, type PitchCheck } from '../../src/pipeline/prompted-note';
import { InvalidArgumentError, OutputPathError } from '../../src/utils/errors';
import { cliIo, type CliIo } from '../index';
import { createProgressReporter } from '../progress';

/** Options every generating command shares. */
export interface CommonArgs {
  output?: string;
  steps?: number;
  guidance?: number;
  guidanceStart?: number;
  guidanceStop?: number;
  scheduler?: string;
  seed?: number;
  negative?: string;
  format: WavSampleFormat;
  loudness?: number;
  json: boolean;
  force: boolean;
  bundle?: string;
  vocoder: 'neural' | 'griffin-lim';
  verbose: boolean;
}

/** Adds the shared options to a command's builder. */
export function withCommonOptions<T>(yargs: Argv<T>): Argv<T & CommonArgs> {
  return yargs
    .option('output', { alias: 'o', type: 'string', describe: 'output file, a folder (ending in /), or - for stdout' })
    .option('steps', { type: 'number', describe: 'denoising steps (default: the bundle\'s)' })
    .option('guidance', { type: 'number', describe: 'classifier-free guidance scale (default: the bundle\'s)' })
    .option('guidance-start', { type: 'number', describe: 'first guided fraction of the steps, 0-1 (default: the bundle\'s, 0)' })
    .option('guidance-stop', { type: 'number', describe: 'guidance ends at this fraction of the steps, 0-1; later steps run unguided (default: the bundle\'s)' })
    .option('scheduler', { type: 'string', describe: 'scheduler name or alias (ddim, dpm++2m, euler, unipc, ...)' })
    .option('seed', { type: 'number', describe: 'seed (random if absent; printed with --json)' })
    .option('negative', { type: 'string', describe: 'negative prompt: what the sound should not be' })
    .option('format', { choices: ['pcm16', 'pcm24', 'float32'] as const, default: 'pcm16' as WavSampleFormat, describe: 'WAV sample format' })
    .option('loudness', { type: 'number', describe: 'normalise to this integrated loudness in LUFS (e.g. -16) instead of a -1 dBFS peak' })
    .option('json', { type: 'boolean', default: false, describe: 'print a machine-readable summary on stdout' })
    .option('force', { type: 'boolean', default: false, describe: 'overwrite existing output files' })
    .option('bundle', { type: 'string', describe: 'model bundle folder (default: models/foley-small)' })
    .option('vocoder', { choices: ['neural', 'griffin-lim'] as const, default: 'neural' as const, describe: 'the bundle\'s neural vocoder, or model-free Griffin-Lim' })
    .option('verbose', { type: 'boolean', default: false, describe: 'progress lines even when stderr is not a terminal' }) as Argv<T & CommonArgs>;
}

/** Checks the shared numeric options before anything loads, with messages that say what to do. */
export function checkCommonArgs(args: CommonArgs): void {
  if (args.steps !== undefined && (!Number.isInteger(args.steps) || args.steps < 1 || args.steps > 1000)) {
    throw new InvalidArgumentError(`--steps must be an integer from 1 to 1000, got ${args.steps}`, args.steps);
  }
  if (args.guidance !== undefined && !(args.guidance >= 0 && args.guidance <= 50)) {
    throw new InvalidArgumentError(`--guidance must be within [0, 50], got ${args.guidance}`, args.guidance);
  }
  for (const [flag, value] of [['--guidance-start', args.guidanceStart], ['--guidance-stop', args.guidanceStop]] as const) {
    if (value !== undefined && !(value >= 0 && value <= 1)) {
      throw new InvalidArgumentError(`${flag} must be a fraction of the denoising steps within [0, 1], got ${value}`, value);
    }
  }
  if (args.guidanceStart !== undefined && args.guidanceStop !== undefined && !(args.guidanceStart < args.guidanceStop)) {
    throw new InvalidArgumentError(`--guidance-start (${args.guidanceStart}) must be below --guidance-stop (${args.guidanceStop})`, args.guidanceStart);
  }
  if (args.seed !== undefined && (!Number.isSafeInteger(args.seed) || args.seed < 0)) {
    throw new InvalidArgumentError(`--seed must be a non-negative integer, got ${args.seed}`, args.seed);
  }
  if (args.loudness !== undefined && !(args.loudness >= -70 && args.loudness <= 0)) {
    throw new InvalidArgumentError(`--loudness must be within [-70, 0] LUFS, got ${args.loudness}`, args.loudness);
  }
  if (args.scheduler !== undefined) checkSchedulerName(args.scheduler);
  if (args.json && args.output === '-') {
    throw new InvalidArgumentError('--json and -o - both write to stdout: write the WAV to a file, or drop --json', args.output);
  }
}

/** Pipeline options from the shared CLI options. */
export function pipelineOptions(args: CommonArgs): GenerateOptions {
  const normalize: Normalization = args.loudness === undefined ? { kind: 'peak', peakDb: -1 } : { kind: 'loudness', lufs: args.loudness };
  return {
    numInferenceSteps: args.steps,
    guidanceScale: args.guidance,
    guidanceStart: args.guidanceStart,
    guidanceStop: args.guidanceStop,
    scheduler: args.scheduler,
    seed: args.seed,
    negativePrompt: args.negative,
    normalize,
  };
}

/** A file-name-safe slug of a prompt: lowercase words joined by dashes, at most 48 characters. */
export function slugify(prompt: string): string {
  const slug = prompt.normalize('NFKD').toLowerCase().replace(/[^a-z0-9#]+/g, '-').replace(/#/g, 's').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
  return slug.length > 0 ? slug : 'sound';
}

/**
 * Where each of `count` waveforms goes: stdout (`-`), a folder (named `<slug>-<seed>[-k].wav`), or a file
 * (`name-k.wav` when there are several). Checks, before any work, that the folder is writable and that no
 * file would be overwritten without --force.
 */
export function planOutputs(output: string | undefined, names: string[], force: boolean): string[] {
  if (output === '-') {
    if (names.length !== 1) throw new InvalidArgumentError(`-o - writes one WAV to stdout, but this makes ${names.length}: give a folder instead`, output);
    return ['-'];
  }
  const target = output ?? '.';
  const isDir = target.endsWith('/') || target.endsWith('\\') || (existsSync(target) && statSync(target).isDirectory());
  let files: string[];
  if (isDir) {
    files = names.map((name) => resolve(target, `${name}.wav`));
  } else {
    const ext = extname(target) || '.wav';
    const stem = join(dirname(target), basename(target, extname(target)));
    files = names.length === 1 ? [resolve(`${stem}${ext}`)] : names.map((_, k) => resolve(`${stem}-${k + 1}${ext}`));
  }
  const folder = dirname(files[0]);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new OutputPathError(`output folder ${folder} does not exist: create it first (mkdir -p ${folder})`, folder);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new OutputPathError(`cannot write to ${folder}: choose another -o path`, folder);
  }
  for (const file of files) {
    if (existsSync(file) && !force) throw new OutputPathError(`${file} exists: pass --force to overwrite it, or choose another -o path`, file);
  }
  return files;
}

/** Loads the bundle named by --bundle (or the default one) with load progress. */
export async function loadPipeline(args: CommonArgs, io: CliIo): Promise<AudioDiffusionPipeline> {
  const reporter = createProgressReporter(io, { verbose: args.verbose });
  try {
    return await AudioDiffusionPipeline.fromPretrained(args.bundle ?? DEFAULT_BUNDLE, { onProgress: reporter.onProgress, vocoder: args.vocoder });
  } finally {
    reporter.stop();
  }
}

/** Writes every waveform of `result` to its planned output, then prints the --json summary. */
export async function writeResults(result: GenerationResult, outputs: string[], args: CommonArgs, io: CliIo, extra: Record<string, unknown> = {}): Promise<void> {
  for (let k = 0; k < result.audios.length; k++) {
    const audio = result.audios[k];
    if (outputs[k] === '-') {
      await new Promise<void>((done, fail) => io.stdout.write(encodeWavBuffer(audio.data, audio.sampleRate, args.format), (e) => (e ? fail(e) : done())));
    } else {
      await writeWavFile(outputs[k], audio.data, audio.sampleRate, { format: args.format, force: args.force });
      if (!args.json) {
        const stream = result.audios.length > 1 ? `, stream ${audio.stream}` : '';
        const candidate = audio.candidate > 0 ? `, candidate ${audio.candidate}` : '';
        const score = audio.score === undefined ? '' : `, score ${audio.score.toFixed(3)}`;
        const classProbability = audio.classProbability === undefined ? '' : `, class ${(100 * audio.classProbability).toFixed(0)} %`;
        io.stderr.write(`wrote ${outputs[k]} (${audio.durationSeconds.toFixed(2)} s, seed ${audio.seed}${stream}${candidate}${score}${classProbability}${describePitch(audio.pitch)})\n`);
      }
    }
  }
  if (args.json) {
    const summary = {
      files: outputs,
      seed: result.seed,
      ...(result.seedB === undefined ? {} : { seedB: result.seedB }),
      // score: the bundle scorer's cosine similarity to the prompt, null when the bundle has no scorer; pitch: the
      // estimated pitch against the prompted note, null when the prompt names none; classProbability: the class
      // reader's probability that the sound is the class the prompt asks for, null unless candidates were ranked by it.
      waveforms: result.audios.map((a, k) => ({ file: outputs[k], prompt: a.prompt, seed: a.seed, stream: a.stream, candidate: a.candidate, score: a.score ?? null, classProbability: a.classProbability ?? null, pitch: a.pitch ?? null, durationSeconds: a.durationSeconds })),
      sampleRate: result.sampleRate,
      durationSeconds: result.durationSeconds,
      unknownWords: result.unknownWords,
      weakClasses: result.weakClasses,
      reranked: result.reranked,
      timings: result.timings,
      ...extra,
    };
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  }
}

/** ", c3 asked, 133.2 Hz (+31 cents, in tune)" for the wrote line; "" when the prompt names no note. */
function describePitch(pitch: PitchCheck | undefined): string {
  if (pitch === undefined) return '';
  const declined = ', left as generated: the pitch guide would change its sound class';
  if (pitch.estimated === undefined) return `, ${pitch.note} asked, no clear pitch${pitch.guided ? ' after the pitch guide' : pitch.guideDeclined ? declined : ''}`;
  const how = pitch.guided ? ', pitch-guided' : pitch.guideDeclined ? declined : '';
  return `, ${pitch.note} asked, ${pitch.estimated.toFixed(1)} Hz (${formatCents(pitch.centsOff!)}, ${pitch.inTune ? 'in tune' : 'off'}${how})`;
}

interface GenerateArgs extends CommonArgs {
  prompt: string;
  duration?: number;
  n: number;
  candidates?: number;
  pitchRank: boolean;
  'pitch-rank': boolean;
  classRank: boolean;
  'class-rank': boolean;
  pitchGuide: boolean;
  'pitch-guide': boolean;
  classGuard: boolean;
  'class-guard': boolean;
  loop: boolean;
}

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate <prompt>',
  describe: 'make a sound from a text prompt',
  builder: (yargs) =>
    withCommonOptions(yargs)
      .positional('prompt', { type: 'string', demandOption: true, describe: 'what the sound is, e.g. "a soft cello note, g2"' })
      .option('duration', { alias: 'd', type: 'number', describe: 'seconds of audio (default: the bundle\'s)' })
      .option('n', { type: 'number', default: 1, describe: 'waveforms to make (one seed stream each; ranked best first when the bundle has a scorer)' })
      .option('candidates', { type: 'number', describe: 'best-of-N: denoise N candidates per waveform and keep the best: in tune with a prompted note (after the pitch guide) first, then the class reader\'s pick, then the scorer\'s (1-16; needs a bundle with a scorer; default: the bundle\'s, 4 for foley-small; 1 is fastest)' })
      .option('pitch-rank', { type: 'boolean', default: true, describe: 'with --candidates > 1 and a prompt naming one note (e.g. "c4"), prefer the candidates within ±50 cents of it (--no-pitch-rank: the scorer alone)' })
      .option('class-rank', { type: 'boolean', default: true, describe: 'with --candidates > 1 and a bundle with a class reader, keep the candidate most likely to be the sound class the prompt asks for (after pitch, before the scorer; --no-class-rank: pitch, then the scorer)' })
      .option('pitch-guide', { type: 'boolean', default: true, describe: 'pull a sound that misses the prompted note toward it (a comb at its harmonics; notes below the vocoder\'s pitch floor, E3, rebuilt from their harmonics; --no-pitch-guide: leave it as generated)' })
      .option('class-guard', { type: 'boolean', default: true, describe: 'with a bundle class reader, undo the pitch guide where it would make the sound less like the class the prompt asks for (more than 1 nat; --no-class-guard: always keep the guided sound)' })
      .option('loop', { type: 'boolean', default: false, describe: 'make a seamless loop (length on a 40 ms grid)' })
      .example('$0 generate "a tight snare drum hit" -o snare.wav --seed 7', '')
      .example('$0 generate "rain on a tin roof" -d 10 --loop -o loops/', '')
      .example('$0 generate "a dog barking" --candidates 4 -o dog.wav', '') as Argv<GenerateArgs>,
  handler: async (args) => {
    const io = cliIo();
    if (args.prompt.trim().length === 0) throw new InvalidArgumentError('the prompt is empty: describe the sound, e.g. foley generate "a soft cello note, g2"');
    if (args.duration !== undefined && !(args.duration > 0 && args.duration <= 600)) {
      throw new InvalidArgumentError(`--duration must be within (0, 600] seconds, got ${args.duration}`, args.duration);
    }
    if (!Number.isInteger(args.n) || args.n < 1 || args.n > 64) throw new InvalidArgumentError(`-n must be an integer from 1 to 64, got ${args.n}`, args.n);
    if (args.candidates !== undefined && (!Number.isInteger(args.candidates) || args.candidates < 1 || args.candidates > 16)) {
      throw new InvalidArgumentError(`--candidates must be an integer from 1 to 16, got ${args.candidates}`, args.candidates);
    }
    if (args.candidates !== undefined && args.n * args.candidates > 64) {
      throw new InvalidArgumentError(`-n × --candidates must be at most 64 (the latents denoised in one call), got ${args.n} × ${args.candidates}`, args.candidates);
    }
    checkCommonArgs(args);
    const seed = args.seed ?? Math.floor(Math.random() * 2 ** 32);
    const slug = slugify(args.prompt);
    const names = Array.from({ length: args.n }, (_, k) => (args.n > 1 ? `${slug}-${seed}-${k + 1}` : `${slug}-${seed}`));
    const outputs = planOutputs(args.output, names, args.force);
    const pipeline = await loadPipeline(args, io);
    const reporter = createProgressReporter(io, { verbose: args.verbose });
    try {
      const result = await pipeline.generate(args.prompt, {
        ...pipelineOptions(args),
        seed,
        durationSeconds: args.duration,
        numWaveformsPerPrompt: args.n,
        candidates: args.candidates,
        rankByPitch: args.pitchRank,
        rankByClass: args.classRank,
        pitchGuide: args.pitchGuide,
        classGuard: args.classGuard,
        loop: args.loop,
        onProgress: reporter.onProgress,
      });
      reporter.stop();
      await writeResults(result, outputs, args, io, { prompt: args.prompt, loop: args.loop, candidates: result.candidates });
    } finally {
      reporter.stop();
      await pipeline.dispose();
    }
  },
};
