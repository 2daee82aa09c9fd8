/**
 * The bundle's sound-class reader (class_reader/model.onnx) in onnxruntime-node against PyTorch on fixed inputs
 * (test/fixtures/bundle-parity/class_reader.json, written by `training/run.sh export` from the same weights), its
 * input checks, the caption naive Bayes that reads which class a prompt asks for, and its config's validation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClassReader, type ClassReaderConfig } from '../../src/models/class-reader';
import { OnnxSession } from '../../src/models/session';
import { WordTokenizer, isWordToken } from '../../src/models/tokenizer';
import { checkOnnxSignature, readBundle } from '../../src/pipeline/model-index';
import { ModelBundleError } from '../../src/utils/errors';
import { copyBundleJson } from '../support/bundle-copy';
import { editJson } from '../support/json-file';
import { maxRelativeDiff, modelSha256 } from '../support/parity';

const BUNDLE = join(__dirname, '../../models/foley-small');
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/bundle-parity/class_reader.json'), 'utf8')) as {
  model_sha256: string; latent: number[]; latent_dims: number[]; log_probs: number[]; log_probs_dims: number[];
};
const config = JSON.parse(readFileSync(join(BUNDLE, 'class_reader/config.json'), 'utf8')) as ClassReaderConfig;

describe('the shipped class reader', () => {
  let session: OnnxSession;
  let reader: ClassReader;
  let tokenizer: WordTokenizer;
  beforeAll(async () => {
    session = await OnnxSession.create(join(BUNDLE, 'class_reader/model.onnx'));
    reader = new ClassReader(session, config);
    tokenizer = WordTokenizer.parse(readFileSync(join(BUNDLE, 'tokenizer/tokenizer.json'), 'utf8'), 'tokenizer.json');
  });
  afterAll(() => session?.release());
  const words = (prompt: string) => tokenizer.splitWords(prompt).filter(isWordToken);

  it('has the contract signature and reads the fixture like PyTorch (log-probabilities within 1e-4)', async () => {
    expect(() => checkOnnxSignature('class_reader', session)).not.toThrow();
    expect(modelSha256(join(BUNDLE, 'class_reader/model.onnx'))).toBe(fixture.model_sha256);
    const [batch, channels, bins, frames] = fixture.latent_dims;
    expect([channels, bins]).toEqual([config.in_channels, config.freq_bins]);
    expect(fixture.log_probs_dims).toEqual([batch, config.classes.length]);
    const logProbs = await reader.read(Float32Array.from(fixture.latent), batch, frames);
    expect(maxRelativeDiff(logProbs, fixture.log_probs)).toBeLessThan(1e-4);
    // Each row is a distribution.
    for (let b = 0; b < batch; b++) {
      const row = logProbs.subarray(b * config.classes.length, (b + 1) * config.classes.length);
      expect(row.reduce((sum, v) => sum + Math.exp(v), 0)).toBeCloseTo(1, 4);
    }
  });

  it('names what is wrong with its inputs, with the offending value', async () => {
    const latent = Float32Array.from(fixture.latent);
    const [batch, , , frames] = fixture.latent_dims;
    await expect(reader.read(latent, batch, frames - 1)).rejects.toThrow(`latent frames must be a positive multiple of time_multiple ${config.time_multiple}`);
    const error = await reader.read(latent.subarray(1), batch, frames).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as Error).message).toMatch(/latent must hold 2 × 8 × 16 × 16 = 4096 values .*got 4095/);
    expect((error as ModelBundleError).value).toBe(latent.length - 1);
  });

  it('reads the class a prompt asks for from the training captions\' words, and declines when they do not tell', () => {
    // Captions of the held-out prompt sets name classes in their own words ("sweep synth pad", not "pad 8 (sweep)").
    expect(reader.promptClass(words('staccato sweep synth pad, soft, e3'))?.className).toBe('pad 8 (sweep)');
    expect(reader.promptClass(words('a tenor sax note, c4'))?.className).toBe('tenor sax');
    expect(reader.promptClass(words('medium electric snare one-shot'))?.className).toBe('snare drum');
    expect(reader.promptClass(words('the sound of a space weapon zap'))?.className).toBe('laser blast');
    expect(reader.promptClass(words('a loud note, c4'))).toBeUndefined(); // no instrument: every class has these words
    expect(reader.promptClass(words('zzz qqq'))).toBeUndefined(); // no caption word at all
  });

  it('computes the naive Bayes posterior exactly (add-one smoothing, uniform prior)', () => {
    const tiny = new ClassReader(session, { ...config, classes: ['drum', 'bell'], caption_word_counts: { drum: { hit: 3, drum: 5 }, bell: { hit: 1, bell: 4 } }, min_prompt_posterior: 0.5 });
    // V = {hit, drum, bell} = 3 words; totals 8 and 5. P(hit drum | drum) = (4/11)(6/11); | bell = (2/8)(1/8).
    const drum = (4 / 11) * (6 / 11);
    const bell = (2 / 8) * (1 / 8);
    const result = tiny.promptClass(['a', 'hit', 'drum']); // "a" is no caption word: ignored
    expect(result?.className).toBe('drum');
    expect(result?.posterior).toBeCloseTo(drum / (drum + bell), 12);
    // "hit" alone: (4/11) against (2/8): drum still, posterior 0.59; above a 0.6 threshold it is declined.
    expect(tiny.promptClass(['hit'])?.posterior).toBeCloseTo((4 / 11) / (4 / 11 + 2 / 8), 12);
    const strict = new ClassReader(session, { ...tiny.config, min_prompt_posterior: 0.6 });
    expect(strict.promptClass(['hit'])).toBeUndefined();
  });
});

describe('class_reader/config.json validation', () => {
  const copyBundle = () => copyBundleJson(BUNDLE, 'foley-reader-bundle-');

  it('reads the shipped config', () => {
    const bundle = readBundle(BUNDLE);
    expect(bundle.files.onnx.class_reader).toBe(join(BUNDLE, 'class_reader/model.onnx'));
    expect(bundle.configs.class_reader).toMatchObject({ in_channels: bundle.configs.unet.in_channels, freq_bins: bundle.configs.unet.freq_bins });
    expect(bundle.configs.class_reader!.classes).toEqual([...bundle.vocabulary.classes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('rejects a latent grid the UNet does not produce, classes that are not a list of names, and a missing table', () => {
    const dir = copyBundle();
    const file = join(dir, 'class_reader/config.json');
    editJson(file, (j) => (j.freq_bins = 32));
    expect(() => readBundle(dir)).toThrow(`${file}: in_channels × freq_bins 8 × 32 differ from unet 8 × 16 (${join(dir, 'unet/config.json')})`);
    editJson(file, (j) => {
      j.freq_bins = 16;
      j.classes = ['drum', 'drum'];
    });
    expect(() => readBundle(dir)).toThrow(/"classes" must be a non-empty list of distinct class names/);
    editJson(file, (j) => delete j.caption_word_counts);
    expect(() => readBundle(dir)).toThrow(`${file}: "caption_word_counts" must be a object; it is missing`);
  });
});
