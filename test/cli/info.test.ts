import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main, type CliIo } from '../../cli/index';
import type { WavInfo } from '../../cli/commands/info';
import { encodeWav } from '../../src/audio/wav';

function capture(): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}

/** EBU Tech 3341 case 1 (shortened): a stereo 1 kHz sine peaking at -23 dBFS measures -23.0 LUFS ± 0.1. */
function ebuSine(seconds: number, sampleRate: number): Float32Array[] {
  const amp = 10 ** (-23 / 20);
  const x = Float32Array.from({ length: seconds * sampleRate }, (_, i) => amp * Math.sin((2 * Math.PI * 1000 * i) / sampleRate));
  return [x, x];
}

describe('foley info', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'foley-info-'));
    writeFileSync(join(dir, 'tone.wav'), encodeWav(ebuSine(5, 48000), 48000, { format: 'pcm24' }));
    writeFileSync(join(dir, 'short.wav'), encodeWav([new Float32Array(100)], 16000, { format: 'float32', extensible: true }));
    copyFileSync(join(__dirname, '..', 'fixtures', 'audio', 'wav', 'sox-pcm16-stereo.wav'), join(dir, 'sox.wav'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints format, rate, channels, duration, peak and loudness', async () => {
    const io = capture();
    expect(await main(['info', join(dir, 'tone.wav')], io)).toBe(0);
    const text = io.out();
    expect(text).toMatch(/^format {6}PCM 24-bit integer \(format tag 0x0001\)$/m);
    expect(text).toMatch(/^sample rate 48000 Hz$/m);
    expect(text).toMatch(/^channels {4}2$/m);
    expect(text).toMatch(/^duration {4}5\.000 s \(240000 frames\)$/m);
    expect(text).toMatch(/^peak {8}-23\.0 dBFS$/m);
    expect(text).toMatch(/^loudness {4}-23\.0 LUFS/m);
    expect(io.err()).toBe('');
  });

  test('--json prints one object with the measured values', async () => {
    const io = capture();
    expect(await main(['info', join(dir, 'tone.wav'), '--json'], io)).toBe(0);
    const info = JSON.parse(io.out()) as WavInfo;
    expect(info).toMatchObject({ formatTag: 1, encoding: 'pcm', bitsPerSample: 24, extensible: false, sampleRate: 48000, channels: 2, frames: 240000, durationSeconds: 5 });
    expect(Math.abs(info.loudnessLufs! + 23)).toBeLessThanOrEqual(0.1);
    expect(info.peakDbfs!).toBeCloseTo(-23, 2);
  });

  test('silence and audio under 400 ms: null levels in JSON, words in text; extensible float', async () => {
    const json = capture();
    expect(await main(['info', join(dir, 'short.wav'), '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ encoding: 'float', extensible: true, peakDbfs: null, loudnessLufs: null });
    const text = capture();
    expect(await main(['info', join(dir, 'short.wav')], text)).toBe(0);
    expect(text.out()).toMatch(/IEEE float 32-bit \(format tag 0x0003, WAVE_FORMAT_EXTENSIBLE\)/);
    expect(text.out()).toMatch(/loudness +n\/a \(shorter than one 400 ms block\)/);
  });

  test('reads files other tools wrote', async () => {
    const io = capture();
    expect(await main(['info', join(dir, 'sox.wav'), '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ sampleRate: 22050, channels: 2, frames: 300, bitsPerSample: 16 });
  });

  test.each([
    ['missing file', 'missing.wav', /^foley: cannot read .*missing\.wav: no such file\n$/],
    ['text file', 'text.wav', /^foley: .*text\.wav: not a WAV file: .*\n$/],
    ['truncated file', 'cut.wav', /^foley: .*cut\.wav: truncated WAV data: the data chunk declares 1440000 bytes but only \d+ follow.*\n$/],
    ['mu-law file', 'mulaw.wav', /^foley: .*mulaw\.wav: unsupported WAV codec: mu-law \(format tag 0x0007\).*\n$/],
  ])('%s: exit 2, one line on stderr, nothing on stdout', async (_what, name, message) => {
    writeFileSync(join(dir, 'text.wav'), 'not audio at all');
    writeFileSync(join(dir, 'cut.wav'), encodeWav(ebuSine(5, 48000), 48000, { format: 'pcm24' }).subarray(0, 5000));
    copyFileSync(join(__dirname, '..', 'fixtures', 'audio', 'wav', 'sox-mulaw.wav'), join(dir, 'mulaw.wav'));
    const io = capture();
    expect(await main(['info', join(dir, name)], io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err().split('\n')).toHaveLength(2);
    expect(io.out()).toBe('');
  });

  test('usage: --help exits 0, a missing argument exits 2', async () => {
    const help = capture();
    expect(await main(['info', '--help'], help)).toBe(0);
    const usage = capture();
    expect(await main(['info'], usage)).toBe(2);
    expect(usage.err()).toMatch(/^foley: (Missing required argument: file|Not enough non-option arguments)/);
  });
});
