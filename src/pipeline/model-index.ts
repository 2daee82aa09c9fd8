/**
 * The bundle contract (docs/bundle-format.md): model_index.json schema, config keys, cross-component shapes and
 * ONNX signatures. Pure: the validator reads files through `BundleFiles`, so the same checks run on a folder
 * (`readBundle`, Node) and on a bundle fetched from URLs (`FetchBundleReader`, browser).
 */
import type { ClassReaderConfig } from '../models/class-reader';
import type { ScorerConfig } from '../models/scorer';
import type { OnnxSession } from '../models/session';
import type { BundleReader } from './bundle-reader';
import type { TextEncoderConfig } from '../models/text-encoder';
import type { UNetConfig } from '../models/unet';
import type { VaeConfig } from '../models/vae';
import { ModelBundleError } from '../utils/errors';
import { parseClassAccuracy, type ClassAccuracy } from './class-reliability';

/** The `audio` block of model_index.json: the log-mel front end (keys verbatim). */
export interface AudioConfig {
  sample_rate: number;
  n_fft: number;
  hop_length: number;
  win_length: number;
  n_mels: number;
  f_min: number;
  f_max: number;
  mel_scale: string;
  mel_norm: string;
  log_floor: number;
}

export const ONNX_COMPONENTS = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder', 'vocoder'] as const;
export type OnnxComponentName = (typeof ONNX_COMPONENTS)[number];
export const REQUIRED_COMPONENTS = ['tokenizer', ...ONNX_COMPONENTS, 'scheduler'] as const;
export type ComponentName = (typeof REQUIRED_COMPONENTS)[number] | 'scorer' | 'class_reader';
/** ONNX components a bundle may add (docs/bundle-format.md): the pipeline uses them when present. */
export const OPTIONAL_ONNX_COMPONENTS = ['scorer', 'class_reader'] as const;
export type OptionalOnnxComponentName = (typeof OPTIONAL_ONNX_COMPONENTS)[number];
/** Every ONNX component with a signature contract. */
export type SignedComponentName = OnnxComponentName | OptionalOnnxComponentName;

/** `model_index.json` (keys verbatim, docs/bundle-format.md). */
export interface ModelIndex {
  _class_name: 'AudioDiffusionPipeline';
  _foley_version: string;
  name: string;
  audio: AudioConfig;
  components: Record<(typeof REQUIRED_COMPONENTS)[number], string> & { scorer?: string; class_reader?: string };
  defaults: ModelDefaults;
}

/**
 * `model_index.json` `defaults`. `guidance_start` / `guidance_stop` (optional, 0 and 1 when absent) are the
 * guidance interval as fractions of the denoising steps, as in diffusers' `ClassifierFreeGuidance` guider.
 */
export interface ModelDefaults {
  num_inference_steps: number;
  guidance_scale: number;
  scheduler: string;
  duration_seconds: number;
  guidance_start?: number;
  guidance_stop?: number;
  /** Best-of-N by default (`GenerateOptions.candidates`; optional, 1 when absent; above 1 needs a scorer). */
  candidates?: number;
}

/** A bundle's default guidance interval, with the absent ends filled in (0 and 1: every step guided). */
export function defaultGuidanceInterval(defaults: Pick<ModelDefaults, 'guidance_start' | 'guidance_stop'>): { start: number; stop: number } {
  return { start: defaults.guidance_start ?? 0, stop: defaults.guidance_stop ?? 1 };
}

/** `vocoder/config.json` keys the runtime uses. */
export interface VocoderConfig {
  output_kind: 'stft';
  n_fft: number;
  hop_length: number;
  win_length: number;
  window: 'hann';
  /**
   * Optional: the lowest MIDI note whose pitch survives this vocoder (measured by `foley_train.eval.ceiling`). The
   * pitch guide rebuilds a prompted note below it from its harmonics (src/dsp/harmonic-resynthesis.ts).
   */
  pitch_floor_midi?: number;
}

/** A bundle whose manifest, files and configs passed validation (ONNX signatures are checked when sessions load). */
export interface ValidatedBundle {
  dir: string;
  index: ModelIndex;
  /** Absolute paths (or URLs, for a fetched bundle) of every file the pipeline reads. */
  files: {
    tokenizer: string;
    vocabulary: string;
    schedulerConfig: string;
    modelCard?: string;
    onnx: Record<OnnxComponentName, string> & { scorer?: string; class_reader?: string };
    /** Each ONNX component's config.json. */
    configs: Record<OnnxComponentName, string> & { scorer?: string; class_reader?: string };
  };
  configs: {
    text_encoder: TextEncoderConfig;
    unet: UNetConfig;
    vae_encoder: VaeConfig;
    vae_decoder: VaeConfig;
    vocoder: VocoderConfig;
    scheduler: Record<string, unknown>;
    /** Present when model_index.json names a scorer. */
    scorer?: ScorerConfig;
    /** Present when model_index.json names a class reader. */
    class_reader?: ClassReaderConfig;
  };
  /** `classAccuracy`: per class, how often validation clips were heard as it (absent in bundles without it). */
  vocabulary: { words: string[]; classes: string[]; classAccuracy?: Map<string, ClassAccuracy> };
}

type Kind = 'number' | 'integer' | 'string' | 'boolean' | 'object';

/** Config keys each component must carry, with their types (the table in docs/bundle-format.md). */
const CONFIG_SCHEMA: Record<OnnxComponentName, Record<string, Kind>> = {
  text_encoder: { hidden_size: 'integer', max_length: 'integer' },
  unet: { in_channels: 'integer', freq_bins: 'integer', cross_attention_dim: 'integer', time_multiple: 'integer', prediction_type: 'string' },
  vae_encoder: { latent_channels: 'integer', downsample_freq: 'integer', downsample_time: 'integer', scaling_factor: 'number' },
  vae_decoder: { latent_channels: 'integer', downsample_freq: 'integer', downsample_time: 'integer', scaling_factor: 'number' },
  vocoder: { output_kind: 'string', n_fft: 'integer', hop_length: 'integer', win_length: 'integer', window: 'string' },
};

/** Config keys of the optional components (same table in docs/bundle-format.md). */
const OPTIONAL_CONFIG_SCHEMA: Record<OptionalOnnxComponentName, Record<string, Kind>> = {
  scorer: { in_channels: 'integer', freq_bins: 'integer', hidden_size: 'integer', time_multiple: 'integer', score: 'string' },
  class_reader: { in_channels: 'integer', freq_bins: 'integer', time_multiple: 'integer', caption_word_counts: 'object', min_prompt_posterior: 'number' },
};

const AUDIO_SCHEMA: Record<keyof AudioConfig, Kind> = {
  sample_rate: 'integer', n_fft: 'integer', hop_length: 'integer', win_length: 'integer', n_mels: 'integer',
  f_min: 'number', f_max: 'number', mel_scale: 'string', mel_norm: 'string', log_floor: 'number',
};

/** ONNX signature each component must have: input and output names, dtypes and ranks (docs/bundle-format.md). */
export const ONNX_CONTRACT: Record<SignedComponentName, { inputs: Record<string, [string, number]>; outputs: Record<string, [string, number]> }> = {
  text_encoder: { inputs: { input_ids: ['int64', 2] }, outputs: { text_embeds: ['float32', 2] } },
  unet: {
    inputs: { sample: ['float32', 4], timestep: ['float32', 1], encoder_hidden_states: ['float32', 2] },
    outputs: { out_sample: ['float32', 4] },
  },
  vae_encoder: { inputs: { mel: ['float32', 4] }, outputs: { latent_mean: ['float32', 4] } },
  vae_decoder: { inputs: { latent_sample: ['float32', 4] }, outputs: { mel: ['float32', 4] } },
  vocoder: { inputs: { mel: ['float32', 3] }, outputs: { real: ['float32', 3], imag: ['float32', 3] } },
  scorer: { inputs: { latent: ['float32', 4], text_embeds: ['float32', 2] }, outputs: { score: ['float32', 1] } },
  class_reader: { inputs: { latent: ['float32', 4] }, outputs: { log_probs: ['float32', 2] } },
};

function kindOf(value: unknown): Kind | 'other' {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return 'object';
  return 'other';
}

function checkKeys(file: string, object: Record<string, unknown>, schema: Record<string, Kind>, prefix = ''): void {
  for (const [key, kind] of Object.entries(schema)) {
    const actual = kindOf(object[key]);
    const ok = actual === kind || (kind === 'number' && actual === 'integer');
    if (!ok) {
      const got = object[key] === undefined ? 'it is missing' : `got ${JSON.stringify(object[key])}`;
      throw new ModelBundleError(`${file}: "${prefix}${key}" must be ${kind === 'integer' ? 'an integer' : `a ${kind}`}; ${got}`, object[key]);
    }
  }
}

/** The optional `defaults.guidance_start` / `guidance_stop`: numbers with 0 ≤ start < stop ≤ 1. */
function checkGuidanceInterval(file: string, defaults: Record<string, unknown>): void {
  for (const key of ['guidance_start', 'guidance_stop']) {
    const value = defaults[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) {
      throw new ModelBundleError(`${file}: "defaults.${key}" must be a number from 0 to 1 (a fraction of the denoising steps); got ${JSON.stringify(value)}`, value);
    }
  }
  const { start, stop } = defaultGuidanceInterval(defaults as Pick<ModelDefaults, 'guidance_start' | 'guidance_stop'>);
  if (!(start < stop)) {
    throw new ModelBundleError(`${file}: "defaults.guidance_start" (${start}) must be below "defaults.guidance_stop" (${stop})`, { start, stop });
  }
}

/**
 * Synchronous access to a bundle's files for the validator: a folder on disk (node-bundle.ts) or JSON files a
 * `FetchBundleReader` fetched beforehand.
 */
export interface BundleFiles {
  /** The bundle folder (absolute) or base URL; becomes `ValidatedBundle.dir`. */
  readonly root: string;
  /** Where a bundle-relative path lies (a path or URL), unchecked: for messages and for model_index.json itself. */
  locate(relativePath: string): string;
  /** Where `relativePath` lies after checking that it names a file inside the bundle; ModelBundleError otherwise. */
  file(relativePath: string, describe: string): string;
  /** The JSON object in a file returned by `locate` or `file`; ModelBundleError naming the file otherwise. */
  json(location: string): Record<string, unknown>;
  /** Where an optional file lies, or undefined when the bundle has none (or the reader does not look). */
  optional(relativePath: string): string | undefined;
}

/** `folder/file` inside the bundle (component folders are bundle-relative, '/'-separated on every platform). */
export function componentPath(folder: string, file: string): string {
  return `${folder.replace(/[\\/]+$/, '')}/${file}`;
}

/**
 * Throws unless `relativePath` is a non-empty relative path that stays inside the bundle (no absolute path, no
 * `..`). `indexFile` is where model_index.json lies, for the message.
 */
export function checkInsideBundle(indexFile: string, relativePath: string, describe: string, root: string): void {
  if (typeof relativePath !== 'string' || relativePath.length === 0) {
    throw new ModelBundleError(`${indexFile}: ${describe} must name a folder inside the bundle, got ${JSON.stringify(relativePath)}`, relativePath);
  }
  if (/^([\\/]|[A-Za-z]:|[a-z][a-z0-9+.-]*:\/\/)/i.test(relativePath) || relativePath.split(/[\\/]/).includes('..')) {
    throw new ModelBundleError(`${indexFile}: ${describe} path "${relativePath}" escapes the bundle folder; use a path inside ${root}`, relativePath);
  }
}

/** Parses a JSON object; ModelBundleError naming `file` when it is not one. */
export function parseJsonObject(file: string, text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (kindOf(value) !== 'object') throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ModelBundleError(`${file}: not valid JSON (${(error as Error).message})`, file);
  }
}

/** The files a component folder must hold, by component (besides model_index.json). */
const COMPONENT_FILES = {
  onnx: ['model.onnx', 'config.json'],
  scheduler: ['scheduler_config.json'],
  tokenizer: ['tokenizer.json', 'vocabulary.json'],
} as const;

/**
 * The bundle-relative JSON files the validator reads besides model_index.json, for `components` of a
 * model_index.json (a reader that fetches files must have them before `validateBundle` runs).
 */
export function bundleJsonFiles(components: Record<string, unknown>): string[] {
  const folder = (name: string) => (typeof components[name] === 'string' ? (components[name] as string) : name);
  return [
    ...ONNX_COMPONENTS.map((name) => componentPath(folder(name), 'config.json')),
    ...OPTIONAL_ONNX_COMPONENTS.filter((name) => typeof components[name] === 'string').map((name) => componentPath(folder(name), 'config.json')),
    componentPath(folder('scheduler'), COMPONENT_FILES.scheduler[0]),
    componentPath(folder('tokenizer'), COMPONENT_FILES.tokenizer[1]),
  ];
}

/**
 * Reads and validates a bundle folder: model_index.json schema, every component file present and inside the
 * folder, config keys present and typed, shapes consistent across components. Throws `ModelBundleError`
 * naming the file and the problem. Node only (the browser uses `FetchBundleReader`).
 */
export function readBundle(dir: string): ValidatedBundle {
  return nodeBundle().readBundleFolder(dir);
}

/**
 * Resolves `relativePath` inside a bundle folder and checks that the file exists and really lies inside the bundle
 * folder (no absolute paths, no `..`, no symbolic link leading out). Node only.
 */
export function bundleFile(dir: string, relativePath: string, describe: string): string {
  return nodeBundle().bundleFile(dir, relativePath, describe);
}

/** A bundle folder as a `BundleReader` (Node). */
export function openBundleFolder(dir: string): BundleReader {
  return nodeBundle().openBundleFolder(dir);
}

/** The shipped bundle, `models/foley-small` of the package holding `fromDir` (Node). */
export function shippedBundleDir(fromDir: string): string {
  return nodeBundle().shippedBundleDir(fromDir);
}

/**
 * The Node half (node:fs, node:path), loaded on first use: this module is shared with the browser build, which
 * must not bundle Node modules (vite.config.mts leaves lazy `require`s of Node-only modules out).
 */
function nodeBundle(): typeof import('./node-bundle') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./node-bundle') as typeof import('./node-bundle');
}

/** Validates a bundle read through `files` (see `readBundle`); the same checks for folders and URLs. */
export function validateBundle(files: BundleFiles): ValidatedBundle {
  const root = files.root;
  const indexFile = files.locate('model_index.json');
  const raw = files.json(indexFile);
  if (raw._class_name !== 'AudioDiffusionPipeline') {
    throw new ModelBundleError(`${indexFile}: "_class_name" must be "AudioDiffusionPipeline", got ${JSON.stringify(raw._class_name)}`, raw._class_name);
  }
  checkKeys(indexFile, raw, { name: 'string', audio: 'object', components: 'object', defaults: 'object' });
  checkKeys(indexFile, raw.audio as Record<string, unknown>, AUDIO_SCHEMA, 'audio.');
  checkKeys(indexFile, raw.defaults as Record<string, unknown>,
    { num_inference_steps: 'integer', guidance_scale: 'number', scheduler: 'string', duration_seconds: 'number' }, 'defaults.');
  checkGuidanceInterval(indexFile, raw.defaults as Record<string, unknown>);
  const components = raw.components as Record<string, unknown>;
  for (const name of REQUIRED_COMPONENTS) {
    if (typeof components[name] !== 'string') {
      throw new ModelBundleError(`${indexFile}: "components.${name}" must name the ${name} folder; got ${JSON.stringify(components[name])}`, components[name]);
    }
  }
  const index = raw as unknown as ModelIndex;
  const folder = (name: ComponentName, file: string) => files.file(componentPath(components[name] as string, file), `components.${name}`);

  const onnx = {} as ValidatedBundle['files']['onnx'];
  const configs = {} as Record<OnnxComponentName, Record<string, unknown>>;
  const configFiles = {} as ValidatedBundle['files']['configs'];
  const optionalConfigs: Partial<Record<OptionalOnnxComponentName, Record<string, unknown>>> = {};
  for (const name of ONNX_COMPONENTS) {
    files.file(components[name] as string, `components.${name}`);
    onnx[name] = folder(name, COMPONENT_FILES.onnx[0]);
    configFiles[name] = folder(name, COMPONENT_FILES.onnx[1]);
    configs[name] = files.json(configFiles[name]);
    checkKeys(configFiles[name], configs[name], CONFIG_SCHEMA[name]);
  }
  for (const name of OPTIONAL_ONNX_COMPONENTS) {
    if (components[name] === undefined) continue;
    if (typeof components[name] !== 'string') {
      throw new ModelBundleError(`${indexFile}: "components.${name}" is optional, but when present it must name the ${name} folder; got ${JSON.stringify(components[name])}`, components[name]);
    }
    files.file(components[name] as string, `components.${name}`);
    onnx[name] = folder(name, COMPONENT_FILES.onnx[0]);
    configFiles[name] = folder(name, COMPONENT_FILES.onnx[1]);
    const config = files.json(configFiles[name]);
    checkKeys(configFiles[name], config, OPTIONAL_CONFIG_SCHEMA[name]);
    optionalConfigs[name] = config;
  }
  const candidates = (raw.defaults as Record<string, unknown>).candidates;
  if (candidates !== undefined && !(Number.isInteger(candidates) && (candidates as number) >= 1 && (candidates as number) <= 16)) {
    throw new ModelBundleError(`${indexFile}: "defaults.candidates" must be an integer from 1 to 16 (best-of-N by default); got ${JSON.stringify(candidates)}`, candidates);
  }
  if (typeof candidates === 'number' && candidates > 1 && typeof components.scorer !== 'string') {
    throw new ModelBundleError(`${indexFile}: "defaults.candidates" is ${candidates}, and picking the best of several candidates needs a scorer: name a "scorer" component or set "defaults.candidates" to 1`, candidates);
  }
  const schedulerConfigFile = folder('scheduler', COMPONENT_FILES.scheduler[0]);
  const scheduler = files.json(schedulerConfigFile);
  const tokenizer = folder('tokenizer', COMPONENT_FILES.tokenizer[0]);
  const vocabularyFile = folder('tokenizer', COMPONENT_FILES.tokenizer[1]);
  const vocabularyJson = files.json(vocabularyFile);
  if (!Array.isArray(vocabularyJson.words) || !Array.isArray(vocabularyJson.classes)) {
    throw new ModelBundleError(`${vocabularyFile}: must hold {"words": [...], "classes": [...]}`, vocabularyJson);
  }
  const classAccuracy = parseClassAccuracy(vocabularyFile, vocabularyJson.class_accuracy, vocabularyJson.classes as string[]);

  const validated: ValidatedBundle = {
    dir: root,
    index,
    files: { tokenizer, vocabulary: vocabularyFile, schedulerConfig: schedulerConfigFile, modelCard: files.optional('README.md'), onnx, configs: configFiles },
    configs: {
      text_encoder: configs.text_encoder as unknown as TextEncoderConfig,
      unet: configs.unet as unknown as UNetConfig,
      vae_encoder: configs.vae_encoder as unknown as VaeConfig,
      vae_decoder: configs.vae_decoder as unknown as VaeConfig,
      vocoder: configs.vocoder as unknown as VocoderConfig,
      scheduler,
      ...(optionalConfigs.scorer === undefined ? {} : { scorer: optionalConfigs.scorer as unknown as ScorerConfig }),
      ...(optionalConfigs.class_reader === undefined ? {} : { class_reader: optionalConfigs.class_reader as unknown as ClassReaderConfig }),
    },
    vocabulary: { words: vocabularyJson.words as string[], classes: vocabularyJson.classes as string[], ...(classAccuracy === undefined ? {} : { classAccuracy }) },
  };
  checkConsistency(validated, (name) => configFiles[name]);
  if (validated.configs.scorer !== undefined && configFiles.scorer !== undefined) checkScorer(validated, validated.configs.scorer, configFiles.scorer, (name) => configFiles[name]);
  if (validated.configs.class_reader !== undefined && configFiles.class_reader !== undefined) checkClassReader(validated, validated.configs.class_reader, configFiles.class_reader, (name) => configFiles[name]);
  return validated;
}

/** Cross-component shape agreement: the latent grid, embedding size and STFT settings must line up. */
function checkConsistency(bundle: ValidatedBundle, configFile: (name: OnnxComponentName) => string): void {
  const { audio } = bundle.index;
  const { text_encoder, unet, vae_encoder, vae_decoder, vocoder } = bundle.configs;
  const problems: [string, string][] = [];
  if (unet.cross_attention_dim !== text_encoder.hidden_size) {
    problems.push([configFile('unet'), `cross_attention_dim ${unet.cross_attention_dim} differs from text_encoder hidden_size ${text_encoder.hidden_size}`]);
  }
  for (const [name, vae] of [['vae_encoder', vae_encoder], ['vae_decoder', vae_decoder]] as const) {
    if (vae.latent_channels !== unet.in_channels) problems.push([configFile(name), `latent_channels ${vae.latent_channels} differs from unet in_channels ${unet.in_channels}`]);
    if (audio.n_mels % vae.downsample_freq !== 0 || audio.n_mels / vae.downsample_freq !== unet.freq_bins) {
      problems.push([configFile(name), `n_mels ${audio.n_mels} / downsample_freq ${vae.downsample_freq} must equal unet freq_bins ${unet.freq_bins}`]);
    }
    if (!(vae.scaling_factor > 0)) problems.push([configFile(name), `scaling_factor must be > 0, got ${vae.scaling_factor}`]);
  }
  if (vae_encoder.scaling_factor !== vae_decoder.scaling_factor || vae_encoder.downsample_time !== vae_decoder.downsample_time) {
    problems.push([configFile('vae_decoder'), 'scaling_factor and downsample_time must equal the encoder\'s']);
  }
  if (!['epsilon', 'v_prediction', 'sample'].includes(unet.prediction_type)) {
    problems.push([configFile('unet'), `prediction_type must be "epsilon", "v_prediction" or "sample", got "${unet.prediction_type}"`]);
  }
  if (vocoder.output_kind !== 'stft') problems.push([configFile('vocoder'), `output_kind must be "stft", got "${vocoder.output_kind}"`]);
  if (vocoder.hop_length !== audio.hop_length || vocoder.n_fft !== audio.n_fft || vocoder.win_length !== audio.win_length) {
    problems.push([configFile('vocoder'), `n_fft/hop_length/win_length ${vocoder.n_fft}/${vocoder.hop_length}/${vocoder.win_length} differ from model_index audio ${audio.n_fft}/${audio.hop_length}/${audio.win_length}`]);
  }
  const floor = vocoder.pitch_floor_midi;
  if (floor !== undefined && !(Number.isInteger(floor) && floor >= 0 && floor <= 127)) {
    problems.push([configFile('vocoder'), `pitch_floor_midi must be a MIDI note number, an integer from 0 to 127 (or absent), got ${JSON.stringify(floor)}`]);
  }
  if (problems.length > 0) throw new ModelBundleError(problems.map(([file, problem]) => `${file}: ${problem}`).join('; '), problems);
}

/**
 * The scorer must read the UNet's latents and the text encoder's embeddings as they are: each mismatch names
 * the scorer's config.json, the other component's config.json and both values.
 */
function checkScorer(bundle: ValidatedBundle, scorer: ScorerConfig, scorerFile: string, configFile: (name: OnnxComponentName) => string): void {
  const { unet, text_encoder } = bundle.configs;
  const problems: string[] = [];
  const values: unknown[] = [];
  const differs = (key: string, value: number, other: OnnxComponentName, otherKey: string, otherValue: number) => {
    problems.push(`${scorerFile}: ${key} ${value} differs from ${other} ${otherKey} ${otherValue} (${configFile(other)})`);
    values.push(value);
  };
  if (scorer.in_channels !== unet.in_channels) differs('in_channels', scorer.in_channels, 'unet', 'in_channels', unet.in_channels);
  if (scorer.freq_bins !== unet.freq_bins) differs('freq_bins', scorer.freq_bins, 'unet', 'freq_bins', unet.freq_bins);
  if (scorer.hidden_size !== text_encoder.hidden_size) differs('hidden_size', scorer.hidden_size, 'text_encoder', 'hidden_size', text_encoder.hidden_size);
  // Every latent the UNet produces (a multiple of its time_multiple) must be a valid scorer input.
  if (!(scorer.time_multiple >= 1) || unet.time_multiple % scorer.time_multiple !== 0) {
    problems.push(`${scorerFile}: time_multiple ${scorer.time_multiple} must divide unet time_multiple ${unet.time_multiple} (${configFile('unet')})`);
    values.push(scorer.time_multiple);
  }
  if (scorer.score !== 'cosine') {
    problems.push(`${scorerFile}: score must be "cosine", got ${JSON.stringify(scorer.score)}`);
    values.push(scorer.score);
  }
  // The offending value itself, or all of them when several disagree.
  if (problems.length > 0) throw new ModelBundleError(problems.join('; '), values.length === 1 ? values[0] : values);
}

/**
 * The class reader must read the UNet's latent grid and name its classes: each problem names its config.json
 * (and the other component's) with the values.
 */
function checkClassReader(bundle: ValidatedBundle, reader: ClassReaderConfig, readerFile: string, configFile: (name: OnnxComponentName) => string): void {
  const { unet } = bundle.configs;
  const problems: string[] = [];
  const values: unknown[] = [];
  if (reader.in_channels !== unet.in_channels || reader.freq_bins !== unet.freq_bins) {
    problems.push(`${readerFile}: in_channels × freq_bins ${reader.in_channels} × ${reader.freq_bins} differ from unet ${unet.in_channels} × ${unet.freq_bins} (${configFile('unet')})`);
    values.push([reader.in_channels, reader.freq_bins]);
  }
  if (!(reader.time_multiple >= 1) || unet.time_multiple % reader.time_multiple !== 0) {
    problems.push(`${readerFile}: time_multiple ${reader.time_multiple} must divide unet time_multiple ${unet.time_multiple} (${configFile('unet')})`);
    values.push(reader.time_multiple);
  }
  const classes: unknown = reader.classes;
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string') || new Set(classes).size !== classes.length) {
    problems.push(`${readerFile}: "classes" must be a non-empty list of distinct class names (the model's output order), got ${JSON.stringify(classes)?.slice(0, 80)}`);
    values.push(classes);
  }
  if (problems.length > 0) throw new ModelBundleError(problems.join('; '), values.length === 1 ? values[0] : values);
}

/** Checks a loaded session against the contract: every input and output name, dtype and rank. */
export function checkOnnxSignature(component: SignedComponentName, session: OnnxSession): void {
  const contract = ONNX_CONTRACT[component];
  const problems: string[] = [];
  for (const [kind, expected, actual] of [
    ['input', contract.inputs, session.inputs],
    ['output', contract.outputs, session.outputs],
  ] as const) {
    const names = actual.map((s) => s.name);
    for (const [name, [type, rank]] of Object.entries(expected)) {
      const signature = actual.find((s) => s.name === name);
      if (signature === undefined) {
        problems.push(`${kind} "${name}" is missing (the model has ${names.map((n) => `"${n}"`).join(', ') || 'none'})`);
        continue;
      }
      if (signature.type !== type) problems.push(`${kind} "${name}" must be ${type}, got ${signature.type}`);
      if (signature.shape.length !== rank) problems.push(`${kind} "${name}" must have rank ${rank}, got [${signature.shape.join(', ')}]`);
    }
    for (const name of names) if (!(name in expected)) problems.push(`unexpected ${kind} "${name}"`);
  }
  if (problems.length > 0) throw new ModelBundleError(`${session.modelPath}: ${problems.join('; ')} (docs/bundle-format.md lists the contract)`, problems);
}
