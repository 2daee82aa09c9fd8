import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import wav from 'node-wav';
import { main, type CliIo } from '../../cli/index';
import { LogMel } from '../../src/dsp/log-mel';

const FIXTURES = resolve(__dirname, '..', 'fixtures');
const NOTE = join(FIXTURES, 'vocoder', 'cello-eb3.wav');
const TINY_BUNDLE = join(FIXTURES, 'vocoder', 'tiny-bundle');

function capture(): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

function decode(path: string): { sampleRate: number; channelData: readonly Float32Array[] } {
  const bytes = readFileSync(path);
  return wav.decode(Buffer.from(Uint8Array.prototype.slice.call(bytes)));
}

function melL1(a: Float32Array, b: Float32Array): number {
  const front = new LogMel();
  const x = front.compute(a).data;
  const y = front.compute(b).data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i] - y[i]);
  return sum / x.length;
}

describe('foley vocode', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'foley-vocode-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('griffin-lim resynthesises a note: same rate and length, close log-mel', async () => {
    const out = join(dir, 'out.wav');
    const io = capture();
    expect(await main(['vocode', NOTE, '-o', out, '--vocoder', 'griffin-lim', '--iterations', '16'], io)).toBe(0);
    expect(io.out()).toMatch(/wrote .*out\.wav \(1\.23 s, griffin-lim vocoder, \d+x real time\)/);
    const original = decode(NOTE).channelData[0];
    const result = decode(out);
    expect(result.sampleRate).toBe(16000);
    expect(result.channelData).toHaveLength(1);
    expect(result.channelData[0].length).toBe(original.length);
    expect(melL1(original, result.channelData[0])).toBeLessThan(0.8);
  });

  test('neural vocoder from a bundle folder writes a WAV of the input length', async () => {
    const out = join(dir, 'neural.wav');
    const io = capture();
    expect(await main(['vocode', NOTE, '-o', out, '--bundle', TINY_BUNDLE], io)).toBe(0);
    expect(decode(out).channelData[0].length).toBe(decode(NOTE).channelData[0].length);
  });

  test('stereo input is downmixed', async () => {
    const original = decode(NOTE).channelData[0].subarray(0, 8000);
    const stereo = join(dir, 'stereo.wav');
    writeFileSync(stereo, wav.encode([original, original], { sampleRate: 16000, bitDepth: 16 }));
    const out = join(dir, 'out.wav');
    expect(await main(['vocode', stereo, '-o', out, '--vocoder', 'griffin-lim', '--iterations', '4'], capture())).toBe(0);
    expect(decode(out).channelData).toHaveLength(1);
  });

  test('an existing output is kept without --force and replaced with it', async () => {
    const out = join(dir, 'out.wav');
    writeFileSync(out, 'precious');
    const io = capture();
    expect(await main(['vocode', NOTE, '-o', out, '--vocoder', 'griffin-lim', '--iterations', '2'], io)).toBe(2);
    expect(io.err()).toMatch(/exists: pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(await main(['vocode', NOTE, '-o', out, '--vocoder', 'griffin-lim', '--iterations', '2', '--force'], capture())).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(1000);
    expect(readdirSync(dir)).toEqual(['out.wav']); // no temporary file left behind
  });

  test('bad input exits 2 with a one-line message and writes nothing', async () => {
    const out = join(dir, 'out.wav');
    const cases: Array<[string[], RegExp]> = [
      [['vocode', join(dir, 'missing.wav'), '-o', out], /input file not found/],
      [['vocode', NOTE, '-o', out, '--bundle', dir], /vocoder[/\\]config\.json: missing/],
      [['vocode', NOTE, '-o', out, '--vocoder', 'world'], /world/],
      [['vocode', NOTE, '-o', NOTE, '--force'], /output must differ from the input/],
      [['vocode', NOTE, '-o', join(dir, 'no', 'such', 'dir.wav')], /output folder does not exist/],
      [['vocode', NOTE, '-o', out, '--vocoder', 'griffin-lim', '--iterations', '-3'], /--iterations must be/],
    ];
    const notWav = join(dir, 'not.wav');
    writeFileSync(notWav, 'this is not audio');
    cases.push([['vocode', notWav, '-o', out, '--vocoder', 'griffin-lim'], /not.wav/]);
    for (const [args, message] of cases) {
      const io = capture();
      expect(await main(args, io)).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.err()).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(readdirSync(dir)).toEqual(['not.wav']);
  });

  test('a copy of the note under another name vocodes identically (same seed, same samples)', async () => {
    const copy = join(dir, 'copy.wav');
    copyFileSync(NOTE, copy);
    const a = join(dir, 'a.wav');
    const b = join(dir, 'b.wav');
    expect(await main(['vocode', NOTE, '-o', a, '--vocoder', 'griffin-lim', '--iterations', '3'], capture())).toBe(0);
    expect(await main(['vocode', copy, '-o', b, '--vocoder', 'griffin-lim', '--iterations', '3'], capture())).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });
});
