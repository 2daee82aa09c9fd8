import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_BUNDLE } from '../../src/pipeline/audio-diffusion-pipeline';
import { findWeakClasses, WEAK_CLASS_DEFAULTS } from '../../src/pipeline/class-reliability';
import { defaultGuidanceInterval, readBundle } from '../../src/pipeline/model-index';
import { ModelBundleError } from '../../src/utils/errors';
import { cliIo } from '../index';

interface ModelsArgs {
  name?: string;
  card: boolean;
  vocabulary: boolean;
  dir?: string;
  json: boolean;
}

/** Bundle folders (with model_index.json) directly under `root`. */
export function listBundles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'model_index.json')))
    .map((entry) => entry.name)
    .sort();
}

export const modelsCommand: CommandModule<object, ModelsArgs> = {
  command: 'models [name]',
  describe: 'list model bundles, or show one bundle\'s card and vocabulary',
  builder: (yargs) =>
    yargs
      .positional('name', { type: 'string', describe: 'a bundle name under the models folder, or a bundle path' })
      .option('card', { type: 'boolean', default: false, describe: 'print the model card (README.md)' })
      .option('vocabulary', { type: 'boolean', default: false, describe: 'print the words and sound classes the model knows' })
      .option('dir', { type: 'string', describe: 'models folder (default: the package\'s models/)' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example('$0 models', 'list bundles')
      .example('$0 models foley-small --vocabulary', 'what the model knows') as Argv<ModelsArgs>,
  handler: (args) => {
    const io = cliIo();
    const root = resolve(args.dir ?? dirname(DEFAULT_BUNDLE));
    if (args.name === undefined) {
      const names = listBundles(root);
      if (args.json) {
        io.stdout.write(`${JSON.stringify(names.map((name) => ({ name, path: join(root, name) })), null, 2)}\n`);
        return;
      }
      if (names.length === 0) {
        io.stderr.write(`no model bundles in ${root}\n`);
        return;
      }
      for (const name of names) {
        let line = name;
        try {
          const bundle = readBundle(join(root, name));
          line += `  ${bundle.index.audio.sample_rate} Hz, ${bundle.vocabulary.classes.length} classes, ${bundle.vocabulary.words.length} words`;
        } catch (error) {
          line += `  (invalid: ${(error as Error).message})`;
        }
        io.stdout.write(`${line}\n`);
      }
      return;
    }
    const path = existsSync(join(root, args.name)) ? join(root, args.name) : resolve(args.name);
    if (!existsSync(path)) {
      throw new ModelBundleError(`no bundle "${args.name}" in ${root}: "foley models" lists the bundles there`, args.name);
    }
    const bundle = readBundle(path);
    if (args.json) {
      const { classAccuracy, ...vocabulary } = bundle.vocabulary;
      const accuracy = classAccuracy === undefined ? {} : { classAccuracy: Object.fromEntries(classAccuracy) };
      io.stdout.write(`${JSON.stringify({ name: bundle.index.name, path, defaults: bundle.index.defaults, audio: bundle.index.audio, ...vocabulary, ...accuracy }, null, 2)}\n`);
      return;
    }
    if (args.card) {
      if (bundle.files.modelCard === undefined) throw new ModelBundleError(`${path}: no model card (README.md) in this bundle`, path);
      io.stdout.write(readFileSync(bundle.files.modelCard, 'utf8'));
    }
    if (args.vocabulary) {
      const { classes, classAccuracy } = bundle.vocabulary;
      // With a measurement, each class carries "right/clips" of its validation clips (vocabulary.json's class_accuracy).
      const shown = classes.map((name) => {
        const row = classAccuracy?.get(name);
        return row === undefined ? name : `${name} ${row.right}/${row.clips}`;
      });
      io.stdout.write(`classes (${classes.length}${classAccuracy === undefined ? '' : '; right/clips: validation clips heard as the class they were asked for'}): ${shown.join(', ')}\n`);
      if (classAccuracy !== undefined) {
        const weak = findWeakClasses(classes, classAccuracy);
        io.stdout.write(`weak classes (${weak.length}; under ${WEAK_CLASS_DEFAULTS.maxShare * 100}% right over at least ${WEAK_CLASS_DEFAULTS.minClips} clips, a prompt naming one gets a warning): ${weak.map((w) => w.className).join(', ')}\n`);
      }
      io.stdout.write(`words (${bundle.vocabulary.words.length}): ${bundle.vocabulary.words.join(' ')}\n`);
    }
    if (!args.card && !args.vocabulary) {
      const { defaults, audio } = bundle.index;
      io.stdout.write(`${bundle.index.name} (${path})\n`);
      io.stdout.write(`  audio: ${audio.sample_rate} Hz, ${audio.n_mels} mel bands, hop ${audio.hop_length}\n`);
      const { start, stop } = defaultGuidanceInterval(defaults);
      const interval = defaults.guidance_start === undefined && defaults.guidance_stop === undefined ? '' : ` over steps ${start}–${stop}`;
      io.stdout.write(`  defaults: ${defaults.num_inference_steps} steps, guidance ${defaults.guidance_scale}${interval}, ${defaults.scheduler}, ${defaults.duration_seconds} s\n`);
      io.stdout.write(`  ${bundle.vocabulary.classes.length} sound classes, ${bundle.vocabulary.words.length} words (--vocabulary lists them; --card shows the model card)\n`);
    }
  },
};
