import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxSession } from '../../src/models/session';
import { PromptEncoder } from '../../src/models/text-encoder';
import { Denoiser, type UNetConfig } from '../../src/models/unet';
import { VaeDecoder, VaeEncoder, type VaeConfig } from '../../src/models/vae';
import { maxAbsDiff } from '../support/parity';

const TINY = join(__dirname, '../fixtures/tiny-bundle');
const json = (file: string) => JSON.parse(readFileSync(join(TINY, file), 'utf8'));
// PyTorch outputs on fixed inputs, written by training/make_tiny_bundle.py.
const torch = json('parity/torch_outputs.json');

describe('ONNX components match PyTorch on the tiny bundle', () => {
  const sessions: OnnxSession[] = [];
  const open = async (component: string) => {
    const session = await OnnxSession.create(join(TINY, component, 'model.onnx'));
    sessions.push(session);
    return session;
  };
  afterAll(() => sessions.forEach((s) => s.release()));

  it('PromptEncoder: text_embeds within 1e-4', async () => {
    const encoder = new PromptEncoder(await open('text_encoder'), json('text_encoder/config.json'));
    const ids = (torch.input_ids as number[][]).flat();
    const embeds = await encoder.encode({ data: BigInt64Array.from(ids.map(BigInt)), dims: [3, encoder.config.max_length] });
    expect(maxAbsDiff(embeds, torch.text_embeds)).toBeLessThan(1e-4);
  });

  it('Denoiser: out_sample within 1e-4 for per-row timesteps, and batched CFG equals separate passes', async () => {
    const config = json('unet/config.json') as UNetConfig;
    const denoiser = new Denoiser(await open('unet'), config);
    const [batch, , , frames] = torch.sample_dims as number[];
    const sample = Float32Array.from(torch.sample as number[]);
    const embeds = Float32Array.from((torch.text_embeds as number[]).slice(0, batch * config.cross_attention_dim));
    const rowSize = sample.length / batch;
    // The fixture uses a different timestep per row: run each row alone.
    for (let b = 0; b < batch; b++) {
      const row = await denoiser.predict(sample.subarray(b * rowSize, (b + 1) * rowSize), 1, frames, torch.timestep[b],
        embeds.subarray(b * config.cross_attention_dim, (b + 1) * config.cross_attention_dim));
      expect(maxAbsDiff(row, (torch.out_sample as number[]).slice(b * rowSize, (b + 1) * rowSize))).toBeLessThan(1e-4);
    }
    const D = config.cross_attention_dim;
    const one = sample.subarray(0, rowSize);
    const cond = embeds.subarray(0, D);
    const uncond = embeds.subarray(D, 2 * D);
    const guided = await denoiser.predictGuided({ sample: one, batch: 1, frames, timestep: 500, cond, uncond, guidanceScale: 3 });
    const c = await denoiser.predict(one, 1, frames, 500, cond);
    const u = await denoiser.predict(one, 1, frames, 500, uncond);
    const separate = c.map((value, i) => u[i] + 3 * (value - u[i]));
    expect(maxAbsDiff(guided, separate)).toBeLessThan(1e-4);
    expect(maxAbsDiff(c, u)).toBeGreaterThan(1e-3); // the text really conditions the output
  });

  it('VaeEncoder and VaeDecoder: within 1e-4, with scaling_factor applied on the way in and out', async () => {
    const config = json('vae_encoder/config.json') as VaeConfig;
    const nMels = json('model_index.json').audio.n_mels as number;
    const encoder = new VaeEncoder(await open('vae_encoder'), config, nMels);
    const decoder = new VaeDecoder(await open('vae_decoder'), config, nMels);
    const melFrames = torch.mel_dims[3] as number;
    const latents = await encoder.encode(Float32Array.from(torch.mel as number[]), 1, melFrames);
    const expected = (torch.latent_mean as number[]).map((v) => v * config.scaling_factor);
    expect(maxAbsDiff(latents, expected)).toBeLessThan(1e-4);
    const mel = await decoder.decode(latents, 1, melFrames / config.downsample_time);
    expect(maxAbsDiff(mel, torch.decoded_mel)).toBeLessThan(1e-4);
  });
});
