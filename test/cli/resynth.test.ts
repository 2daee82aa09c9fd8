import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import wav from 'node-wav';
import { main, type CliIo } from '../../cli/index';
import { LogMel } from '../../src/dsp/log-mel';
import { melL1 } from '../../cli/commands/resynth';

function capture(): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

function decode(path: string): { sampleRate: number; channelData: Float32Array[] } {
  const bytes = readFileSync(path);
  return wav.decode(Buffer.from(Uint8Array.prototype.slice.call(bytes))) as { sampleRate: number; channelData: Float32Array[] };
}

/** 1 s at 16 kHz: a decaying 330 Hz harmonic tone plus a noise burst (deterministic). */
function signal(): Float32Array {
  const n = 16000;
  const out = new Float32Array(n);
  let state = 12345;
  for (let i = 0; i < n; i++) {
    const t = i / 16000;
    let v = 0;
    for (let h = 1; h <= 5; h++) v += (0.3 / h) * Math.sin(2 * Math.PI * 330 * h * t);
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const noise = i > 8000 && i < 9600 ? 0.2 * (state / 2 ** 32 - 0.5) : 0;
    out[i] = v * Math.exp(-2 * t) + noise;
  }
  return out;
}

describe('foley resynth', () => {
  let dir: string;
  let input: string;
  const original = signal();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'foley-resynth-'));
    input = join(dir, 'in.wav');
    writeFileSync(input, wav.encode([original], { sampleRate: 16000, bitDepth: 16 }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writes a 16 kHz WAV of the input\'s length whose log-mel is close to the input\'s', async () => {
    const out = join(dir, 'out.wav');
    const io = capture();
    expect(await main(['resynth', input, '-o', out, '--iters', '16'], io)).toBe(0);
    expect(io.err()).toBe('');
    expect(io.out()).toMatch(/wrote .*out\.wav \(1\.00 s, 16 Griffin-Lim iterations in [\d.]+ s, mel-L1 [\d.]+ vs input\)/);
    const result = decode(out);
    expect(result.sampleRate).toBe(16000);
    expect(result.channelData).toHaveLength(1);
    expect(result.channelData[0]).toHaveLength(original.length);
    const front = new LogMel();
    const quality = melL1(front, original, result.channelData[0]);
    // Silence-vs-signal scale: the input against silence is many nats away; GL gets well under 1.
    const silence = melL1(front, original, new Float32Array(original.length));
    expect(silence).toBeGreaterThan(3);
    expect(quality).toBeLessThan(0.6);
    // The NNLS refinement is what gets it there: the clamped pseudo-inverse alone is far worse.
    const plain = join(dir, 'plain.wav');
    expect(await main(['resynth', input, '-o', plain, '--iters', '16', '--nnls', '0'], capture())).toBe(0);
    expect(melL1(front, original, decode(plain).channelData[0])).toBeGreaterThan(quality + 0.2);
    // More iterations do not make it worse.
    const out64 = join(dir, 'out64.wav');
    expect(await main(['resynth', input, '-o', out64, '--iters', '64'], capture())).toBe(0);
    expect(melL1(front, original, decode(out64).channelData[0])).toBeLessThan(quality + 0.02);
  });

  test('same seed, same file; bad options exit 2; no overwrite without --force', async () => {
    const a = join(dir, 'a.wav');
    const b = join(dir, 'b.wav');
    expect(await main(['resynth', input, '-o', a, '--iters', '4', '--seed', '3'], capture())).toBe(0);
    expect(await main(['resynth', input, '-o', b, '--iters', '4', '--seed', '3'], capture())).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);

    let io = capture();
    expect(await main(['resynth', input, '-o', a, '--iters', '4'], io)).toBe(2);
    expect(io.err()).toMatch(/a\.wav exists: pass --force to overwrite it/);
    expect(await main(['resynth', input, '-o', a, '--iters', '4', '--force'], capture())).toBe(0);

    io = capture();
    expect(await main(['resynth', input, '-o', join(dir, 'c.wav'), '--iters', '-1'], io)).toBe(2);
    expect(io.err()).toMatch(/--iters must be an integer from 0 to 1000, got -1/);
    io = capture();
    expect(await main(['resynth', input, '-o', join(dir, 'c.wav'), '--momentum', '1'], io)).toBe(2);
    expect(io.err()).toMatch(/--momentum must be within \[0, 1\)/);
    io = capture();
    expect(await main(['resynth', input], io)).toBe(2);
    expect(io.err()).toMatch(/output/);
    io = capture();
    expect(await main(['resynth', input, '-o', input, '--force'], io)).toBe(2);
    expect(io.err()).toMatch(/must differ from the input/);
  });
});
