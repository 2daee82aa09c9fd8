import { join } from 'node:path';
import { OnnxSession } from '../../src/models/session';
import { ModelBundleError } from '../../src/utils/errors';

const TINY = join(__dirname, '../fixtures/tiny-bundle');

describe('OnnxSession', () => {
  let unet: OnnxSession;
  beforeAll(async () => {
    unet = await OnnxSession.create(join(TINY, 'unet/model.onnx'));
  });
  afterAll(() => unet.release());

  it('reads input and output names and signatures from the model', () => {
    expect(unet.inputNames).toEqual(['sample', 'timestep', 'encoder_hidden_states']);
    expect(unet.outputNames).toEqual(['out_sample']);
    expect(unet.inputs[0]).toMatchObject({ name: 'sample', type: 'float32' });
    expect(unet.inputs[0].shape).toHaveLength(4);
  });

  it('names every missing input in one error', async () => {
    const run = unet.run({ sample: { data: new Float32Array(4 * 16 * 2), dims: [1, 4, 16, 2] } });
    await expect(run).rejects.toThrow(ModelBundleError);
    await expect(run).rejects.toThrow(/missing inputs "timestep", "encoder_hidden_states"/);
  });

  it('rejects unknown inputs, wrong dtypes, wrong ranks and wrong sizes', async () => {
    const ok = {
      sample: { data: new Float32Array(4 * 16 * 2), dims: [1, 4, 16, 2] },
      timestep: { data: new Float32Array(1), dims: [1] },
      encoder_hidden_states: { data: new Float32Array(32), dims: [1, 32] },
    };
    await expect(unet.run({ ...ok, extra: { data: new Float32Array(1), dims: [1] } })).rejects.toThrow(/unknown input "extra"/);
    await expect(unet.run({ ...ok, timestep: { data: new BigInt64Array(1), dims: [1] } })).rejects.toThrow(/"timestep" must be float32, got int64/);
    await expect(unet.run({ ...ok, sample: { data: new Float32Array(128), dims: [1, 128] } })).rejects.toThrow(/"sample" must have rank 4/);
    await expect(unet.run({ ...ok, timestep: { data: new Float32Array(3), dims: [1] } })).rejects.toThrow(/has 3 values for dims \[1\]/);
    const out = await unet.run(ok);
    expect(out.out_sample.dims).toEqual([1, 4, 16, 2]);
  });

  it('reports an unreadable model as a ModelBundleError naming the file', async () => {
    await expect(OnnxSession.create(join(TINY, 'model_index.json'))).rejects.toThrow(/model_index\.json: cannot load the ONNX model/);
  });

  it('refuses to run after release', async () => {
    const session = await OnnxSession.create(join(TINY, 'vae_encoder/model.onnx'));
    session.release();
    expect(session.released).toBe(true);
    await expect(session.run({ mel: { data: new Float32Array(64 * 4), dims: [1, 1, 64, 4] } })).rejects.toThrow(/released/);
  });
});
