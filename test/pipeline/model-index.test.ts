import { cpSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxSession } from '../../src/models/session';
import { checkOnnxSignature, readBundle } from '../../src/pipeline/model-index';
import { ModelBundleError } from '../../src/utils/errors';
import { editJson } from '../support/json-file';
import { scratchDir } from '../support/scratch-dir';

const TINY = join(__dirname, '../fixtures/tiny-bundle');

/** A fresh copy of the tiny bundle to corrupt. */
function copyBundle(): string {
  const dir = join(scratchDir('foley-bundle-'), 'bundle');
  cpSync(TINY, dir, { recursive: true });
  return dir;
}

describe('readBundle (model_index.json validator)', () => {
  it('accepts the tiny bundle and returns typed configs and absolute file paths', () => {
    const bundle = readBundle(TINY);
    expect(bundle.index.name).toBe('tiny-random');
    expect(bundle.configs.unet.freq_bins * bundle.configs.vae_decoder.downsample_freq).toBe(bundle.index.audio.n_mels);
    expect(bundle.files.onnx.unet).toBe(join(TINY, 'unet/model.onnx'));
    expect(bundle.vocabulary.words).toContain('glass');
  });

  it('names a missing file', () => {
    const dir = copyBundle();
    rmSync(join(dir, 'vae_decoder/model.onnx'));
    expect(() => readBundle(dir)).toThrow(ModelBundleError);
    expect(() => readBundle(dir)).toThrow(`${join(dir, 'vae_decoder/model.onnx')}: missing`);
  });

  it('rejects component paths that escape the bundle folder (.., absolute, symlink)', () => {
    const dir = copyBundle();
    editJson(join(dir, 'model_index.json'), (j) => (j.components.unet = '../unet'));
    expect(() => readBundle(dir)).toThrow(/components\.unet path "\.\.\/unet" escapes the bundle folder/);
    editJson(join(dir, 'model_index.json'), (j) => (j.components.unet = join(TINY, 'unet')));
    expect(() => readBundle(dir)).toThrow(/escapes the bundle folder/);
    const outside = scratchDir('foley-outside-');
    cpSync(join(TINY, 'unet'), join(outside, 'unet'), { recursive: true });
    symlinkSync(join(outside, 'unet'), join(dir, 'unet-link'));
    editJson(join(dir, 'model_index.json'), (j) => (j.components.unet = 'unet-link'));
    expect(() => readBundle(dir)).toThrow(/outside the bundle folder/);
  });

  it('names a missing or mistyped config key with its file', () => {
    const dir = copyBundle();
    editJson(join(dir, 'unet/config.json'), (j) => delete j.time_multiple);
    expect(() => readBundle(dir)).toThrow(`${join(dir, 'unet/config.json')}: "time_multiple" must be an integer; it is missing`);
    editJson(join(dir, 'unet/config.json'), (j) => (j.time_multiple = '2'));
    expect(() => readBundle(dir)).toThrow(/"time_multiple" must be an integer; got "2"/);
    editJson(join(dir, 'model_index.json'), (j) => (j.audio.sample_rate = 16000.5));
    expect(() => readBundle(dir)).toThrow(/"audio\.sample_rate" must be an integer/);
  });

  it('accepts a guidance interval in defaults and rejects one outside [0, 1] or empty', () => {
    const dir = copyBundle();
    editJson(join(dir, 'model_index.json'), (j) => (j.defaults.guidance_stop = 0.5));
    expect(readBundle(dir).index.defaults.guidance_stop).toBe(0.5);
    editJson(join(dir, 'model_index.json'), (j) => (j.defaults.guidance_stop = 2));
    expect(() => readBundle(dir)).toThrow(/"defaults.guidance_stop" must be a number from 0 to 1 .*got 2/);
    editJson(join(dir, 'model_index.json'), (j) => { j.defaults.guidance_stop = 0.3; j.defaults.guidance_start = 0.3; });
    expect(() => readBundle(dir)).toThrow(/"defaults.guidance_start" \(0.3\) must be below "defaults.guidance_stop" \(0.3\)/);
  });

  it('accepts a default candidate count and rejects one out of range, or above 1 without a scorer', () => {
    const dir = copyBundle();
    expect(readBundle(dir).index.defaults.candidates).toBeUndefined(); // optional: one candidate
    editJson(join(dir, 'model_index.json'), (j) => (j.defaults.candidates = 1));
    expect(readBundle(dir).index.defaults.candidates).toBe(1);
    for (const bad of [0, 17, 2.5, '4']) {
      editJson(join(dir, 'model_index.json'), (j) => (j.defaults.candidates = bad));
      expect(() => readBundle(dir)).toThrow(`${join(dir, 'model_index.json')}: "defaults.candidates" must be an integer from 1 to 16 (best-of-N by default); got ${JSON.stringify(bad)}`);
    }
    // The tiny bundle has no scorer to pick with.
    editJson(join(dir, 'model_index.json'), (j) => (j.defaults.candidates = 4));
    expect(() => readBundle(dir)).toThrow(/"defaults.candidates" is 4, and picking the best of several candidates needs a scorer: name a "scorer" component or set "defaults.candidates" to 1/);
  });

  it('accepts a vocoder pitch floor that is a MIDI note and names one that is not', () => {
    const dir = copyBundle();
    expect(readBundle(dir).configs.vocoder.pitch_floor_midi).toBeUndefined(); // optional: no low-note rebuild
    editJson(join(dir, 'vocoder/config.json'), (j) => (j.pitch_floor_midi = 52));
    expect(readBundle(dir).configs.vocoder.pitch_floor_midi).toBe(52);
    for (const bad of [52.5, -1, 128, '52']) {
      editJson(join(dir, 'vocoder/config.json'), (j) => (j.pitch_floor_midi = bad));
      expect(() => readBundle(dir)).toThrow(`${join(dir, 'vocoder/config.json')}: pitch_floor_midi must be a MIDI note number, an integer from 0 to 127 (or absent), got ${JSON.stringify(bad)}`);
    }
  });

  it('rejects components whose shapes do not line up', () => {
    const dir = copyBundle();
    editJson(join(dir, 'unet/config.json'), (j) => (j.cross_attention_dim = 99));
    expect(() => readBundle(dir)).toThrow(/cross_attention_dim 99 differs from text_encoder hidden_size 32/);
  });

  it('rejects a folder without a bundle and invalid JSON', () => {
    expect(() => readBundle(join(TINY, 'nowhere'))).toThrow(/no model bundle folder here/);
    const dir = copyBundle();
    writeFileSync(join(dir, 'model_index.json'), '{ not json');
    expect(() => readBundle(dir)).toThrow(/model_index\.json: not valid JSON/);
  });
});

describe('checkOnnxSignature', () => {
  it('accepts every tiny component and rejects a model with the wrong input names', async () => {
    const vae = await OnnxSession.create(join(TINY, 'vae_encoder/model.onnx'));
    const unet = await OnnxSession.create(join(TINY, 'unet/model.onnx'));
    try {
      expect(() => checkOnnxSignature('vae_encoder', vae)).not.toThrow();
      expect(() => checkOnnxSignature('unet', unet)).not.toThrow();
      // The VAE encoder's graph in the decoder's place: wrong input and output names.
      expect(() => checkOnnxSignature('vae_decoder', vae)).toThrow(/input "latent_sample" is missing \(the model has "mel"\).*unexpected input "mel"/);
      expect(() => checkOnnxSignature('text_encoder', unet)).toThrow(ModelBundleError);
    } finally {
      vae.release();
      unet.release();
    }
  });
});
