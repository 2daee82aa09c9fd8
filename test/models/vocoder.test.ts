import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import wav from 'node-wav';
import { LogMel } from '../../src/dsp/log-mel';
import { OnnxSession } from '../../src/models/session';
import { GriffinLimVocoder, NeuralVocoder, createVocoder, readVocoderConfig } from '../../src/models/vocoder';
import { InvalidArgumentError, ModelBundleError } from '../../src/utils/errors';
import { maxRelativeDiff, modelSha256 } from '../support/parity';

const ROOT = resolve(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const TINY_BUNDLE = join(FIXTURES, 'vocoder', 'tiny-bundle');
const SHIPPED_BUNDLE = join(ROOT, 'models', 'foley-small');
const NOTE = join(FIXTURES, 'vocoder', 'cello-eb3.wav');

interface TensorFile {
  dims: number[];
  file: string;
}
interface Parity {
  model_sha256: string;
  tolerance: number;
  inputs: Record<string, TensorFile>;
  outputs: Record<string, TensorFile>;
  reference?: Record<string, TensorFile>;
}

function readTensor(folder: string, spec: TensorFile): Float32Array {
  const bytes = readFileSync(join(folder, spec.file));
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  expect(data.length).toBe(spec.dims.reduce((a, b) => a * b, 1));
  return data;
}

function readParity(folder: string): Parity {
  return JSON.parse(readFileSync(join(folder, 'parity.json'), 'utf8')) as Parity;
}

function readNote(): Float32Array {
  const bytes = readFileSync(NOTE);
  const decoded = wav.decode(Buffer.from(Uint8Array.prototype.slice.call(bytes)));
  expect(decoded.sampleRate).toBe(16000);
  return decoded.channelData[0];
}

/** Mean |log-mel(resynthesis) − log-mel(original)|, the metric of training/foley_train/eval_reconstruction.py. */
function melL1(original: Float32Array, resynthesis: Float32Array): number {
  const front = new LogMel();
  const a = front.compute(original).data;
  const b = front.compute(resynthesis.subarray(0, original.length)).data;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** Runs an ONNX model on a parity fixture's inputs and checks every output within the fixture's tolerance. */
async function checkOnnxParity(modelPath: string, fixture: string): Promise<void> {
  const parity = readParity(fixture);
  expect(modelSha256(modelPath)).toBe(parity.model_sha256); // fixtures belong to this very model file
  const session = await OnnxSession.create(modelPath);
  try {
    const feeds = Object.fromEntries(Object.entries(parity.inputs).map(([name, spec]) => [name, { data: readTensor(fixture, spec), dims: spec.dims }]));
    const outputs = await session.run(feeds);
    for (const [name, spec] of Object.entries(parity.outputs)) {
      expect(outputs[name].dims).toEqual(spec.dims);
      expect(maxRelativeDiff(outputs[name].data, readTensor(fixture, spec))).toBeLessThanOrEqual(parity.tolerance);
    }
  } finally {
    session.release();
  }
}

describe('NeuralVocoder on the committed tiny model', () => {
  const fixture = join(TINY_BUNDLE, 'parity');

  test('the ONNX spectrum matches PyTorch within 1e-4', async () => {
    await checkOnnxParity(join(TINY_BUNDLE, 'vocoder', 'model.onnx'), fixture);
  });

  test('spectrum() and the waveform match PyTorch (model + torch.istft)', async () => {
    const parity = readParity(fixture);
    const mel = readTensor(fixture, parity.inputs.mel);
    const [batch, nMels, frames] = parity.inputs.mel.dims;
    const vocoder = await NeuralVocoder.fromBundle(TINY_BUNDLE, { intraOpNumThreads: 1 });
    try {
      const { real, imag } = await vocoder.spectrum(mel, batch, frames);
      expect(maxRelativeDiff(real, readTensor(fixture, parity.outputs.real))).toBeLessThanOrEqual(1e-4);
      expect(maxRelativeDiff(imag, readTensor(fixture, parity.outputs.imag))).toBeLessThanOrEqual(1e-4);
      const reference = readTensor(fixture, parity.reference!.waveform);
      const samples = parity.reference!.waveform.dims[1];
      const waves = await vocoder.vocode(mel, batch, frames);
      expect(waves).toHaveLength(batch);
      for (let b = 0; b < batch; b++) {
        expect(waves[b].length).toBe(samples);
        expect(maxRelativeDiff(waves[b], reference.subarray(b * samples, (b + 1) * samples))).toBeLessThanOrEqual(1e-4);
      }
      const single = await vocoder.melToWaveform(mel.subarray(0, nMels * frames), nMels, frames);
      expect(maxRelativeDiff(single, reference.subarray(0, samples))).toBeLessThanOrEqual(1e-4);
      expect((await vocoder.melToWaveform(mel.subarray(0, nMels * frames), nMels, frames, 1000)).length).toBe(1000);
    } finally {
      vocoder.release();
    }
  });

  test('rejects a mel of the wrong shape with the numbers in the message', async () => {
    const vocoder = await NeuralVocoder.fromBundle(TINY_BUNDLE);
    try {
      await expect(vocoder.melToWaveform(new Float32Array(80 * 5), 80, 5)).rejects.toThrow(InvalidArgumentError);
      await expect(vocoder.melToWaveform(new Float32Array(64 * 5), 64, 6)).rejects.toThrow(/64 mels × 6 frames need 384/);
    } finally {
      vocoder.release();
    }
  });

  test('refinement iterations keep the network magnitude and change the phase', async () => {
    const parity = readParity(fixture);
    const [, nMels, frames] = parity.inputs.mel.dims;
    const mel = readTensor(fixture, parity.inputs.mel).subarray(0, nMels * frames);
    const plain = await NeuralVocoder.fromBundle(TINY_BUNDLE);
    const refined = await NeuralVocoder.fromBundle(TINY_BUNDLE, { refineIterations: 4 });
    try {
      const a = await plain.melToWaveform(mel, nMels, frames);
      const b = await refined.melToWaveform(mel, nMels, frames);
      expect(b.length).toBe(a.length);
      expect(maxRelativeDiff(b, a)).toBeGreaterThan(1e-6);
    } finally {
      plain.release();
      refined.release();
    }
    await expect(NeuralVocoder.fromBundle(TINY_BUNDLE, { refineIterations: -1 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('bundle checks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'foley-vocoder-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a bundle without vocoder/ is a ModelBundleError naming config.json', async () => {
    await expect(NeuralVocoder.fromBundle(dir)).rejects.toThrow(ModelBundleError);
    await expect(createVocoder('neural', dir)).rejects.toThrow(/vocoder[/\\]config\.json: missing/);
  });

  test('config.json with the wrong output kind or sizes is rejected, listing every problem', () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ output_kind: 'waveform', n_fft: 1024, hop_length: 0, win_length: 1024, window: 'hann' }));
    expect(() => readVocoderConfig(path)).toThrow(/output_kind must be "stft".*hop_length must be a positive integer/);
  });

  test('a model without real/imag outputs is rejected by name', async () => {
    cpSync(join(TINY_BUNDLE, 'vocoder'), join(dir, 'vocoder'), { recursive: true });
    // A VAE encoder takes "mel" too but returns "latent_mean" (the pipeline tests' tiny bundle).
    cpSync(join(ROOT, 'test', 'fixtures', 'tiny-bundle', 'vae_encoder', 'model.onnx'), join(dir, 'vocoder', 'model.onnx'));
    await expect(NeuralVocoder.fromBundle(dir)).rejects.toThrow(/returns "real" and "imag"/);
  });
});

describe('GriffinLimVocoder on a rendered cello note', () => {
  test('resynthesis is close in mel-L1, far closer than noise of the same loudness', async () => {
    const note = readNote();
    const front = new LogMel();
    const { data, nMels, frames } = front.compute(note);
    const vocoder = new GriffinLimVocoder();
    const out = await vocoder.melToWaveform(data, nMels, frames, note.length);
    expect(out.length).toBe(note.length);
    const l1 = melL1(note, out);
    // torch (eval_reconstruction.py): Griffin-Lim-32 scores about 0.40 on held-out clips
    expect(l1).toBeLessThan(0.7);
    let energy = 0;
    for (const v of note) energy += v * v;
    const rms = Math.sqrt(energy / note.length);
    let seed = 1;
    const noise = Float32Array.from(note, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed / 2147483648 - 0.5) * rms * Math.sqrt(12);
    });
    expect(melL1(note, noise)).toBeGreaterThan(3 * l1);
  });

  test('same seed, same samples; another seed, other samples', async () => {
    const { data, nMels, frames } = new LogMel().compute(readNote().subarray(0, 4000));
    const a = await new GriffinLimVocoder({ iterations: 4, seed: 3 }).melToWaveform(data, nMels, frames);
    const b = await new GriffinLimVocoder({ iterations: 4, seed: 3 }).melToWaveform(data, nMels, frames);
    const c = await new GriffinLimVocoder({ iterations: 4, seed: 4 }).melToWaveform(data, nMels, frames);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
    expect(a.length).toBe(160 * frames);
  });
});

const shippedFixture = join(FIXTURES, 'vocoder', 'bundle');
describe('the shipped bundle (models/foley-small)', () => {
  test('vocoder ONNX matches PyTorch within 1e-4', async () => {
    await checkOnnxParity(join(SHIPPED_BUNDLE, 'vocoder', 'model.onnx'), shippedFixture);
  });

  test('VAE encoder and decoder ONNX match PyTorch within 1e-4', async () => {
    await checkOnnxParity(join(SHIPPED_BUNDLE, 'vae_encoder', 'model.onnx'), join(FIXTURES, 'vae', 'encoder'));
    await checkOnnxParity(join(SHIPPED_BUNDLE, 'vae_decoder', 'model.onnx'), join(FIXTURES, 'vae', 'decoder'));
  });

  // KNOWN GAP (issue 3): on the held-out test split the network beats torchaudio's Griffin-Lim-32 only by 1.08x
  // (mel-L1) and 1.10x (MR-STFT) (models/foley-small/eval/report.json), and on this cello note it loses to our
  // Griffin-Lim-32 (NNLS-initialised) even with 8 refinement steps. `test.failing` passes while that holds and
  // turns red once a better-trained vocoder wins: then make it a plain `test`.
  test.failing('the trained vocoder, refined by 8 fast Griffin-Lim steps, beats Griffin-Lim-32 in mel-L1 on a held-out note', async () => {
    const note = readNote();
    const { data, nMels, frames } = new LogMel().compute(note);
    const neural = await NeuralVocoder.fromBundle(SHIPPED_BUNDLE, { refineIterations: 8 });
    try {
      const neuralL1 = melL1(note, await neural.melToWaveform(data, nMels, frames, note.length));
      const glL1 = melL1(note, await new GriffinLimVocoder().melToWaveform(data, nMels, frames, note.length));
      expect(neuralL1).toBeLessThan(glL1);
    } finally {
      neural.release();
    }
  });
});
