/**
 * The bundle's text–audio scorer (scorer/model.onnx) in onnxruntime-node against PyTorch on fixed inputs (the
 * fixture is written by `training/run.sh export` from the same weights: test/fixtures/bundle-parity/scorer.json),
 * its input checks, and the validation of its config against the other components.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LatentScorer, type ScorerConfig } from '../../src/models/scorer';
import { OnnxSession } from '../../src/models/session';
import { checkOnnxSignature, readBundle } from '../../src/pipeline/model-index';
import { ModelBundleError } from '../../src/utils/errors';
import { copyBundleJson } from '../support/bundle-copy';
import { editJson } from '../support/json-file';
import { maxRelativeDiff, modelSha256 } from '../support/parity';

const BUNDLE = join(__dirname, '../../models/foley-small');
const TINY = join(__dirname, '../fixtures/tiny-bundle');
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/bundle-parity/scorer.json'), 'utf8')) as {
  model_sha256: string; latent: number[]; latent_dims: number[]; text_embeds: number[]; text_embeds_dims: number[]; score: number[];
};
const config = JSON.parse(readFileSync(join(BUNDLE, 'scorer/config.json'), 'utf8')) as ScorerConfig;

describe('the shipped scorer', () => {
  let session: OnnxSession;
  let scorer: LatentScorer;
  beforeAll(async () => {
    session = await OnnxSession.create(join(BUNDLE, 'scorer/model.onnx'));
    scorer = new LatentScorer(session, config);
  });
  afterAll(() => session?.release());

  it('has the contract signature and scores the fixture like PyTorch (within 1e-4)', async () => {
    expect(() => checkOnnxSignature('scorer', session)).not.toThrow();
    expect(modelSha256(join(BUNDLE, 'scorer/model.onnx'))).toBe(fixture.model_sha256); // written from this very file
    const [batch, channels, bins, frames] = fixture.latent_dims;
    expect([channels, bins]).toEqual([config.in_channels, config.freq_bins]);
    expect(fixture.text_embeds_dims).toEqual([batch, config.hidden_size]);
    const scores = await scorer.score(Float32Array.from(fixture.latent), batch, frames, Float32Array.from(fixture.text_embeds));
    expect(scores).toHaveLength(batch);
    expect(maxRelativeDiff(scores, fixture.score)).toBeLessThan(1e-4);
    for (const s of scores) expect(Math.abs(s)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('scores row b against embedding b: a row alone against another embedding scores as in the crossed batch', async () => {
    const [batch, , , frames] = fixture.latent_dims;
    const D = config.hidden_size;
    const embeds = Float32Array.from(fixture.text_embeds);
    const swapped = new Float32Array(embeds.length);
    swapped.set(embeds.subarray(D, 2 * D), 0);
    swapped.set(embeds.subarray(0, D), D);
    const latent = Float32Array.from(fixture.latent);
    const rowSize = latent.length / batch;
    const crossed = await scorer.score(latent, batch, frames, swapped);
    // Row 0 against embedding 1, alone, equals row 0 of the crossed batch.
    const alone = await scorer.score(latent.subarray(0, rowSize), 1, frames, embeds.subarray(D, 2 * D));
    expect(Math.abs(alone[0] - crossed[0])).toBeLessThan(1e-5);
    expect(Math.abs(crossed[0] - fixture.score[0])).toBeGreaterThan(1e-4);
  });

  it('names what is wrong with its inputs, with the offending value', async () => {
    const latent = Float32Array.from(fixture.latent);
    const embeds = Float32Array.from(fixture.text_embeds);
    const [batch, , , frames] = fixture.latent_dims;
    await expect(scorer.score(latent, batch, frames - 1, embeds)).rejects.toThrow(`latent frames must be a positive multiple of time_multiple ${config.time_multiple}`);
    await expect(scorer.score(latent.subarray(1), batch, frames, embeds)).rejects.toThrow(/latent must hold 2 × 8 × 16 × 16 = 4096 values .*got 4095/);
    await expect(scorer.score(latent, batch, frames, embeds.subarray(0, config.hidden_size))).rejects.toThrow(`text_embeds must hold ${batch} × hidden_size ${config.hidden_size}`);
    const error = await scorer.score(latent, batch, frames, embeds.subarray(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as ModelBundleError).value).toBe(embeds.length - 3);
  });

  it('is not mistaken for another component', async () => {
    const unet = await OnnxSession.create(join(TINY, 'unet/model.onnx'));
    try {
      expect(() => checkOnnxSignature('scorer', unet)).toThrow(/input "latent" is missing.*unexpected input "sample".*output "score" is missing/);
      expect(() => checkOnnxSignature('unet', session)).toThrow(ModelBundleError);
    } finally {
      unet.release();
    }
  });
});

describe('scorer/config.json validation', () => {
  const copyBundle = () => copyBundleJson(BUNDLE, 'foley-scorer-bundle-');

  it('reads the shipped scorer config; a bundle without one has none', () => {
    const bundle = readBundle(BUNDLE);
    expect(bundle.index.components.scorer).toBe('scorer');
    expect(bundle.files.onnx.scorer).toBe(join(BUNDLE, 'scorer/model.onnx'));
    expect(bundle.files.configs.scorer).toBe(join(BUNDLE, 'scorer/config.json'));
    expect(bundle.configs.scorer).toMatchObject({ in_channels: bundle.configs.unet.in_channels, freq_bins: bundle.configs.unet.freq_bins, hidden_size: bundle.configs.text_encoder.hidden_size, score: 'cosine' });
    const tiny = readBundle(TINY);
    expect(tiny.configs.scorer).toBeUndefined();
    expect(tiny.files.onnx.scorer).toBeUndefined();
  });

  it('rejects a hidden_size that differs from the text encoder\'s, naming both files and values', () => {
    const dir = copyBundle();
    editJson(join(dir, 'scorer/config.json'), (j) => (j.hidden_size = 128));
    const error = (() => { try { readBundle(dir); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as ModelBundleError).value).toBe(128);
    expect((error as Error).message).toBe(`${join(dir, 'scorer/config.json')}: hidden_size 128 differs from text_encoder hidden_size ${config.hidden_size} (${join(dir, 'text_encoder/config.json')})`);
  });

  it('rejects latent shapes and a time grid the UNet does not produce, and a score it cannot read', () => {
    const dir = copyBundle();
    editJson(join(dir, 'scorer/config.json'), (j) => {
      j.in_channels = 4;
      j.freq_bins = 32;
    });
    expect(() => readBundle(dir)).toThrow(/scorer\/config\.json: in_channels 4 differs from unet in_channels 8 \(.*unet\/config\.json\); .*freq_bins 32 differs from unet freq_bins 16/);
    editJson(join(dir, 'scorer/config.json'), (j) => {
      j.in_channels = 8;
      j.freq_bins = 16;
      j.time_multiple = 3;
    });
    expect(() => readBundle(dir)).toThrow(/time_multiple 3 must divide unet time_multiple 4/);
    editJson(join(dir, 'scorer/config.json'), (j) => {
      j.time_multiple = 4;
      j.score = 'dot';
    });
    expect(() => readBundle(dir)).toThrow(/score must be "cosine", got "dot"/);
  });

  it('names a missing or mistyped key, a missing file and a bad components.scorer entry', () => {
    const dir = copyBundle();
    editJson(join(dir, 'scorer/config.json'), (j) => delete j.freq_bins);
    expect(() => readBundle(dir)).toThrow(`${join(dir, 'scorer/config.json')}: "freq_bins" must be an integer; it is missing`);
    editJson(join(dir, 'scorer/config.json'), (j) => (j.freq_bins = 16.5));
    expect(() => readBundle(dir)).toThrow(/"freq_bins" must be an integer; got 16.5/);
    editJson(join(dir, 'scorer/config.json'), (j) => (j.freq_bins = 16));
    expect(() => readBundle(dir)).not.toThrow();
    rmSync(join(dir, 'scorer/model.onnx'));
    expect(() => readBundle(dir)).toThrow(`${join(dir, 'scorer/model.onnx')}: missing (components.scorer)`);
    editJson(join(dir, 'model_index.json'), (j) => (j.components.scorer = 42));
    expect(() => readBundle(dir)).toThrow(/"components\.scorer" is optional, but when present it must name the scorer folder; got 42/);
    editJson(join(dir, 'model_index.json'), (j) => (j.components.scorer = '../scorer'));
    expect(() => readBundle(dir)).toThrow(/components\.scorer path "\.\.\/scorer" escapes the bundle folder/);
    editJson(join(dir, 'model_index.json'), (j) => delete j.components.scorer);
    // foley-small picks the best of 4 by default, which needs the scorer; with one candidate it is optional.
    expect(() => readBundle(dir)).toThrow(/"defaults.candidates" is 4, and picking the best of several candidates needs a scorer/);
    editJson(join(dir, 'model_index.json'), (j) => (j.defaults.candidates = 1));
    expect(readBundle(dir).configs.scorer).toBeUndefined();
  });
});
