import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import wav from 'node-wav';
import { main, type CliIo } from '../../cli/index';
import { decodeNpy } from '../../src/utils/npy';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import numpy, torch, torchaudio'], { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } }).status === 0;
const hasPil = spawnSync(PYTHON, ['-c', 'import PIL'], { encoding: 'utf8' }).status === 0;

function capture(): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

/** 1.5 s at 16 kHz, float32 WAV: a 500 Hz tone, then a 3 kHz tone (stereo, the channels differ). */
function writeInput(path: string): Float32Array {
  const n = 24000;
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const f = i < n / 2 ? 500 : 3000;
    left[i] = 0.5 * Math.sin((2 * Math.PI * f * i) / 16000);
    right[i] = 0.3 * Math.sin((2 * Math.PI * f * i) / 16000);
  }
  writeFileSync(path, wav.encode([left, right], { sampleRate: 16000, bitDepth: 32, float: true }));
  return left.map((v, i) => (v + right[i]) / 2);
}

describe('foley mel', () => {
  let dir: string;
  let input: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'foley-mel-'));
    input = join(dir, 'in.wav');
    writeInput(input);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes a (64, frames) float32 .npy and a PNG; the tone moves up the mel axis', async () => {
    const npy = join(dir, 'mel.npy');
    const png = join(dir, 'mel.png');
    const io = capture();
    expect(await main(['mel', input, '--out', npy, '--png', png], io)).toBe(0);
    expect(io.err()).toBe('');
    expect(io.out()).toMatch(/log-mel 64 × 151 frames \(1\.50 s\): wrote .*mel\.npy and .*mel\.png/);
    const { data, shape } = decodeNpy(new Uint8Array(readFileSync(npy)));
    expect(shape).toEqual([64, 151]);
    const loudest = (t: number) => {
      let best = 0;
      for (let m = 1; m < 64; m++) if (data[m * 151 + t] > data[best * 151 + t]) best = m;
      return best;
    };
    expect(loudest(120)).toBeGreaterThan(loudest(30) + 15);
    expect(Array.from(readFileSync(png).subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
  });

  (hasTorch ? test : test.skip)('numpy.load reads the .npy and it equals torchaudio\'s Slaney log-mel of the downmix', async () => {
    const npy = join(dir, 'mel.npy');
    expect(await main(['mel', input, '--out', npy], capture())).toBe(0);
    const script = `import json, sys, wave
import numpy as np, torch, torchaudio
torch.set_num_threads(1)
ours = np.load(sys.argv[1])
# The WAV is 32-bit float, 2 channels: read it with numpy, average the channels.
raw = open(sys.argv[2], 'rb').read()
data = np.frombuffer(raw[raw.index(b'data') + 8:], '<f4').reshape(-1, 2).mean(axis=1)
mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=1024, win_length=1024, hop_length=160, f_min=0.0,
    f_max=8000.0, n_mels=64, power=1.0, norm='slaney', mel_scale='slaney')(torch.from_numpy(data.astype(np.float32)))
ref = torch.log(torch.clamp(mel, min=1e-5)).numpy()
lin = np.abs(np.exp(ours) - np.exp(ref)).max() / np.exp(ref).max()
print(json.dumps({'dtype': str(ours.dtype), 'shape': ours.shape, 'ref_shape': ref.shape, 'linear_error': float(lin)}))`;
    const result = spawnSync(PYTHON, ['-c', script, npy, input], { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { dtype: string; shape: number[]; ref_shape: number[]; linear_error: number };
    expect(parsed.dtype).toBe('float32');
    expect(parsed.shape).toEqual(parsed.ref_shape);
    expect(parsed.linear_error).toBeLessThan(1e-4);
  });

  (hasPil ? test : test.skip)('the PNG opens in Pillow as an RGB picture with the plot and axes', async () => {
    const png = join(dir, 'mel.png');
    expect(await main(['mel', input, '--png', png], capture())).toBe(0);
    const result = spawnSync(PYTHON, ['-c', 'from PIL import Image; import sys; im = Image.open(sys.argv[1]); im.load(); print(im.mode, im.size[0], im.size[1])', png], { encoding: 'utf8' });
    expect(result.stdout.trim()).toMatch(/^RGB \d+ \d+$/);
    const [, width, height] = result.stdout.trim().split(' ').map(Number);
    expect(width).toBeGreaterThan(151);
    expect(height).toBeGreaterThan(256);
  });

  test('usage and input errors exit 2 with one line and no stack; nothing is overwritten without --force', async () => {
    let io = capture();
    expect(await main(['mel', input], io)).toBe(2);
    expect(io.err()).toMatch(/name an output: --out mel\.npy and\/or --png mel\.png/);

    io = capture();
    expect(await main(['mel', join(dir, 'missing.wav'), '--out', join(dir, 'x.npy')], io)).toBe(2);
    expect(io.err()).toMatch(/input file not found/);
    expect(io.err()).not.toMatch(/\n\s+at /);

    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'not a wav file at all');
    io = capture();
    expect(await main(['mel', bad, '--out', join(dir, 'y.npy')], io)).toBe(2);
    expect(existsSync(join(dir, 'y.npy'))).toBe(false);

    const existing = join(dir, 'keep.npy');
    writeFileSync(existing, 'precious');
    io = capture();
    expect(await main(['mel', input, '--out', existing], io)).toBe(2);
    expect(io.err()).toMatch(/keep\.npy exists: pass --force to overwrite it/);
    expect(readFileSync(existing, 'utf8')).toBe('precious');
    expect(await main(['mel', input, '--out', existing, '--force'], capture())).toBe(0);
    expect(decodeNpy(new Uint8Array(readFileSync(existing))).shape).toEqual([64, 151]);

    io = capture();
    expect(await main(['mel', input, '--out', join(dir, 'no', 'such', 'dir.npy')], io)).toBe(2);
    expect(io.err()).toMatch(/does not exist/);
  });

  test('--help describes the command and exits 0', async () => {
    // yargs prints help through console.log.
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await main(['mel', '--help'], capture())).toBe(0);
      const text = log.mock.calls.flat().join('\n');
      expect(text).toMatch(/--out/);
      expect(text).toMatch(/--png/);
    } finally {
      log.mockRestore();
    }
  });
});
