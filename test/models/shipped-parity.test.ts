/**
 * The shipped bundle's text encoder and UNet in onnxruntime-node against PyTorch on fixed inputs (the fixture is
 * written by `training/run.sh export` from the same weights: test/fixtures/bundle-parity/text_unet.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxSession } from '../../src/models/session';
import { PromptEncoder } from '../../src/models/text-encoder';
import { WordTokenizer } from '../../src/models/tokenizer';
import { Denoiser, type UNetConfig } from '../../src/models/unet';
import { maxRelativeDiff, modelSha256 } from '../support/parity';

const BUNDLE = join(__dirname, '../../models/foley-small');
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/bundle-parity/text_unet.json'), 'utf8'));
const config = (component: string) => JSON.parse(readFileSync(join(BUNDLE, component, 'config.json'), 'utf8'));

describe('models/foley-small: text encoder and UNet match PyTorch', () => {
  const sessions: OnnxSession[] = [];
  afterAll(() => sessions.forEach((s) => s.release()));
  const open = async (component: string) => {
    const session = await OnnxSession.create(join(BUNDLE, component, 'model.onnx'));
    sessions.push(session);
    return session;
  };

  it('has a fixture written from these very ONNX files', () => {
    const models = ['text_encoder', 'unet'].map((component) => join(BUNDLE, component, 'model.onnx'));
    expect(modelSha256(...models)).toBe(fixture.model_sha256);
  });

  it('tokenizes the fixture prompts to the same ids and encodes them within 1e-4', async () => {
    const tokenizer = await WordTokenizer.load(join(BUNDLE, 'tokenizer/tokenizer.json'));
    const batch = tokenizer.encodeBatch(fixture.prompts as string[]);
    expect(Array.from(batch.data, Number)).toEqual((fixture.input_ids as number[][]).flat());
    const encoder = new PromptEncoder(await open('text_encoder'), config('text_encoder'));
    const embeds = await encoder.encode(batch);
    expect(maxRelativeDiff(embeds, fixture.text_embeds)).toBeLessThan(1e-4);
  });

  it('predicts the same v within 1e-4, per row timesteps, and the text conditions it', async () => {
    const unetConfig = config('unet') as UNetConfig;
    const denoiser = new Denoiser(await open('unet'), unetConfig);
    const [batch, , , frames] = fixture.sample_dims as number[];
    const sample = Float32Array.from(fixture.sample as number[]);
    const D = unetConfig.cross_attention_dim;
    const embeds = Float32Array.from(fixture.text_embeds as number[]);
    const rowSize = sample.length / batch;
    for (let b = 0; b < batch; b++) {
      const row = await denoiser.predict(sample.subarray(b * rowSize, (b + 1) * rowSize), 1, frames, fixture.timestep[b], embeds.subarray(b * D, (b + 1) * D));
      expect(maxRelativeDiff(row, (fixture.out_sample as number[]).slice(b * rowSize, (b + 1) * rowSize))).toBeLessThan(1e-4);
    }
    const one = sample.subarray(0, rowSize);
    const cond = await denoiser.predict(one, 1, frames, 900, embeds.subarray(0, D));
    const unconditional = await denoiser.predict(one, 1, frames, 900, embeds.subarray(2 * D, 3 * D)); // "" prompt
    expect(maxRelativeDiff(cond, unconditional)).toBeGreaterThan(1e-2);
  });
});
