import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wav from 'node-wav';
import { decodeWav, encodeWav, describeWavFormat, type WavSampleFormat } from '../../src/audio/wav';
import { WavFormatError } from '../../src/utils/errors';
import { FIXTURES, audioReference, referenceArray } from './support';

/** Deterministic test channels: distinct tones per channel, with full scale, zero and near-full-scale values. */
function testChannels(channels: number, frames: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) x[i] = 0.8 * Math.sin((2 * Math.PI * (220 * (c + 1)) * i) / 8000 + c);
    x[0] = 1;
    x[1] = -1;
    x[2] = 0;
    return x;
  });
}

/** node-wav on an exact-size ArrayBuffer (it misreads Buffers that are views into a pool: toolchain.md §6). */
function nodeWavDecode(bytes: Uint8Array): { sampleRate: number; channelData: Float32Array[] } {
  const copy = new Uint8Array(bytes).buffer as unknown as Buffer;
  return wav.decode(copy) as { sampleRate: number; channelData: Float32Array[] };
}

function maxError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Hand-built RIFF pieces.
const le16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const ascii = (s: string) => Array.from(s, (ch) => ch.charCodeAt(0));
function chunk(id: string, body: number[], declared = body.length): number[] {
  return [...ascii(id), ...le32(declared), ...body, ...(body.length % 2 === 1 ? [0] : [])];
}
function riff(...chunks: number[][]): Uint8Array {
  const body = chunks.flat();
  return Uint8Array.from([...ascii('RIFF'), ...le32(4 + body.length), ...ascii('WAVE'), ...body]);
}
function fmtBody(tag: number, channels: number, rate: number, bits: number, blockAlign = (channels * bits) / 8): number[] {
  return [...le16(tag), ...le16(channels), ...le32(rate), ...le32(rate * blockAlign), ...le16(blockAlign), ...le16(bits)];
}
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
function extensibleFmt(subTag: number, channels: number, rate: number, containerBits: number, validBits: number, tail = GUID_TAIL): number[] {
  return [...fmtBody(0xfffe, channels, rate, containerBits), ...le16(22), ...le16(validBits), ...le32(0x3), ...le16(subTag), ...tail];
}
const int16s = (...values: number[]) => values.flatMap((v) => le16(v & 0xffff));

function expectWavError(bytes: Uint8Array, pattern: RegExp): void {
  let error: unknown;
  try {
    decodeWav(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WavFormatError);
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toContain('\n');
}

describe('encodeWav → decodeWav round trips', () => {
  const cases: [WavSampleFormat, number, number][] = [
    // format, one quantisation step (the largest error rounding may add), header bits
    ['pcm16', 1 / 32768, 16],
    ['pcm24', 1 / 8388608, 24],
    ['float32', 0, 32],
  ];
  test.each(cases)('%s, 1/2/3/6 channels, plain and extensible headers', (format, step, bits) => {
    for (const channels of [1, 2, 3, 6]) {
      for (const extensible of [false, true]) {
        const input = testChannels(channels, 1001);
        const decoded = decodeWav(encodeWav(input, 44100, { format, extensible }));
        expect(decoded.sampleRate).toBe(44100);
        expect(decoded.format).toMatchObject({ extensible, containerBits: bits, encoding: format === 'float32' ? 'float' : 'pcm' });
        expect(decoded.channelData).toHaveLength(channels);
        for (let c = 0; c < channels; c++) {
          // Rounding to nearest: at most half a step; frame 0 (+1.0) clips to the largest code.
          expect(maxError(decoded.channelData[c].subarray(1), input[c].subarray(1))).toBeLessThanOrEqual(step / 2 + 1e-12);
          expect(decoded.channelData[c][0]).toBe(step === 0 ? input[c][0] : 1 - step);
          expect(decoded.channelData[c][1]).toBe(-1);
        }
      }
    }
  });

  test('integer samples re-encode to themselves, and values beyond full scale clip', () => {
    const codes = Float32Array.from([-32768, -1, 0, 1, 12345, 32767], (v) => v / 32768);
    expect(decodeWav(encodeWav([codes], 8000)).channelData[0]).toEqual(codes);
    const over = decodeWav(encodeWav([Float32Array.from([1, 1.5, -1.5])], 8000, { format: 'pcm24' })).channelData[0];
    expect(Array.from(over)).toEqual([8388607 / 8388608, 8388607 / 8388608, -1]);
    // float32 keeps values beyond ±1 (no clipping).
    expect(Array.from(decodeWav(encodeWav([Float32Array.from([1.5, -2])], 8000, { format: 'float32' })).channelData[0])).toEqual([1.5, -2]);
  });

  test('node-wav, an independent decoder, reads what we write (plain headers)', () => {
    for (const [format, tolerance] of [['pcm16', 1 / 32768], ['pcm24', 1 / 8388608], ['float32', 0]] as const) {
      const input = testChannels(3, 777);
      const bytes = encodeWav(input, 22050, { format });
      const theirs = nodeWavDecode(bytes);
      const ours = decodeWav(bytes);
      expect(theirs.sampleRate).toBe(22050);
      for (let c = 0; c < 3; c++) {
        // node-wav decodes -1.0 in 24-bit as +1.0000001 (its bug, toolchain.md §6): skip frame 1 there.
        const skip = format === 'pcm24' ? 2 : 0;
        // node-wav scales positive codes by 1/(2^(b-1) - 1), we by 1/2^(b-1): they differ by at most one step.
        expect(maxError(theirs.channelData[c].subarray(skip), ours.channelData[c].subarray(skip))).toBeLessThanOrEqual(tolerance);
        expect(maxError(theirs.channelData[c].subarray(skip + 1), input[c].subarray(skip + 1))).toBeLessThanOrEqual(1.5 * tolerance);
      }
    }
  });

  test('node-wav-written files decode to what node-wav reads back', () => {
    const input = testChannels(2, 500);
    for (const options of [{ bitDepth: 8 }, { bitDepth: 16 }, { bitDepth: 24 }, { bitDepth: 32 }, { bitDepth: 32, float: true }]) {
      const bytes = wav.encode(input, { sampleRate: 16000, ...options });
      const theirs = nodeWavDecode(bytes);
      const ours = decodeWav(bytes);
      const skip = options.bitDepth === 24 ? 2 : 0;
      // Same integer codes: node-wav divides positive codes by 2^(b-1) - 1 (8-bit: 127), we by 2^(b-1).
      const positiveScale = options.float ? 1 : (2 ** (options.bitDepth - 1) - 1) / 2 ** (options.bitDepth - 1);
      for (let c = 0; c < 2; c++) {
        const expected = theirs.channelData[c].map((v) => (v > 0 ? v * positiveScale : v));
        expect(maxError(ours.channelData[c].subarray(skip), expected.subarray(skip))).toBeLessThan(1e-7);
      }
    }
  });

  test('the float32 header has fmt size 18 and a fact chunk with the frame count; pcm16 is the canonical 44-byte header', () => {
    const f = encodeWav([new Float32Array(10)], 8000, { format: 'float32' });
    const view = new DataView(f.buffer);
    expect(view.getUint32(16, true)).toBe(18);
    expect(String.fromCharCode(...f.subarray(38, 42))).toBe('fact');
    expect(view.getUint32(46, true)).toBe(10);
    // data starts on a 4-byte boundary (after a 2-byte JUNK chunk), so float32 views work in place.
    expect(String.fromCharCode(...f.subarray(60, 64))).toBe('data');
    expect(f.length).toBe(68 + 40);
    const p = encodeWav([new Float32Array(10)], 8000);
    expect(p.length).toBe(44 + 20);
    expect(new DataView(p.buffer).getUint32(4, true)).toBe(p.length - 8);
  });

  test('odd data length gets a pad byte, counted in the RIFF size', () => {
    const bytes = encodeWav([new Float32Array(3)], 8000, { format: 'pcm24' });
    expect(bytes.length).toBe(44 + 9 + 1);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(bytes.length - 8);
    expect(decodeWav(bytes).channelData[0]).toHaveLength(3);
  });

  test('encoding refuses what it cannot write', () => {
    expect(() => encodeWav([], 8000)).toThrow(WavFormatError);
    expect(() => encodeWav([new Float32Array(0)], 8000)).toThrow(/no samples/);
    expect(() => encodeWav([new Float32Array(2), new Float32Array(3)], 8000)).toThrow(/same length/);
    expect(() => encodeWav([Float32Array.from([0, NaN])], 8000)).toThrow(/non-finite sample \(NaN\) at frame 1/);
    expect(() => encodeWav([new Float32Array(2)], 44100.5)).toThrow(/whole number/);
    expect(() => encodeWav([new Float32Array(2)], 8000, { format: 'pcm12' as WavSampleFormat })).toThrow(/unknown WAV sample format "pcm12"/);
  });
});

describe('files written by libsndfile and sox decode as libsndfile reads them', () => {
  const ref = audioReference();
  test.each(ref.wav.map((w) => [w.file, w] as const))('%s', (file, entry) => {
    const decoded = decodeWav(readFileSync(join(FIXTURES, 'wav', file)));
    expect(decoded.sampleRate).toBe(entry.sampleRate);
    expect(decoded.channelData).toHaveLength(entry.channels);
    const expected = referenceArray(entry.samples);
    for (let c = 0; c < entry.channels; c++) {
      const want = expected.subarray(c * entry.frames, (c + 1) * entry.frames);
      // Exact up to float32 storage of the reference (libsndfile uses the same integer scaling).
      expect(maxError(decoded.channelData[c], want)).toBeLessThanOrEqual(6e-8);
    }
    if (entry.extensible !== undefined) expect(decoded.format.extensible).toBe(entry.extensible);
  });

  test.each(ref.codecs.map((c) => [c.file, c.formatTag] as const))('%s is refused naming its codec and format tag', (file, tag) => {
    const hexTag = `0x${tag.toString(16).toUpperCase().padStart(4, '0')}`;
    expectWavError(readFileSync(join(FIXTURES, 'wav', file)), new RegExp(`unsupported WAV codec: .*\\(format tag ${hexTag}.*convert`));
  });

  test('describeWavFormat names the format', () => {
    expect(describeWavFormat(decodeWav(readFileSync(join(FIXTURES, 'wav', 'sox-pcm24-stereo.wav'))).format)).toBe('PCM 24-bit integer (format tag 0x0001, WAVE_FORMAT_EXTENSIBLE)');
    expect(describeWavFormat(decodeWav(readFileSync(join(FIXTURES, 'wav', 'sndfile-wav-double.wav'))).format)).toBe('IEEE float 64-bit (format tag 0x0003)');
  });
});

describe('hand-built headers', () => {
  const fmt16 = chunk('fmt ', fmtBody(1, 2, 8000, 16));
  const data = chunk('data', int16s(1, -1, 16384, -32768));

  test('a minimal file decodes, from any byte offset of a larger buffer (no pooled-Buffer trap)', () => {
    const bytes = riff(fmt16, data);
    const host = new Uint8Array(bytes.length + 7);
    host.set(bytes, 3);
    for (const view of [bytes, host.subarray(3, 3 + bytes.length)]) {
      const { channelData, sampleRate } = decodeWav(view);
      expect(sampleRate).toBe(8000);
      expect(Array.from(channelData[0])).toEqual([1 / 32768, 0.5]);
      expect(Array.from(channelData[1])).toEqual([-1 / 32768, -1]);
    }
  });

  test('odd-sized unknown chunks with pad bytes, before and after fmt, are skipped', () => {
    const bytes = riff(chunk('LIST', [1, 2, 3, 4, 5]), fmt16, chunk('junk', [9, 9, 9]), data, chunk('id3 ', [7]));
    expect(Array.from(decodeWav(bytes).channelData[1])).toEqual([-1 / 32768, -1]);
  });

  test('an odd chunk whose writer forgot the pad byte is still walked', () => {
    const unpadded = [...ascii('LIST'), ...le32(3), 1, 2, 3];
    const bytes = riff(unpadded, fmt16, data);
    expect(decodeWav(bytes).channelData[0]).toHaveLength(2);
  });

  test('data before fmt, and a trailing partial frame, are tolerated', () => {
    const odd = chunk('data', [...int16s(100, 200, 300), 0x55]);
    const decoded = decodeWav(riff(odd, fmt16));
    expect(Array.from(decoded.channelData[0])).toEqual([100 / 32768]);
  });

  test('WAVE_FORMAT_EXTENSIBLE: PCM 24 in 32-bit containers, and float', () => {
    const pcm = riff(chunk('fmt ', extensibleFmt(1, 1, 48000, 32, 24)), chunk('data', [...le32(0x40000000), ...le32(0x80000000)]));
    const decoded = decodeWav(pcm);
    expect(Array.from(decoded.channelData[0])).toEqual([0.5, -1]);
    expect(decoded.format).toMatchObject({ formatTag: 1, extensible: true, containerBits: 32, validBits: 24, channelMask: 3 });
    const floatBody = Array.from(new Uint8Array(Float32Array.from([0.25, -0.75]).buffer));
    const float = decodeWav(riff(chunk('fmt ', extensibleFmt(3, 2, 48000, 32, 32)), chunk('data', floatBody)));
    expect(float.channelData.map((c) => c[0])).toEqual([0.25, -0.75]);
  });

  test('8-bit is unsigned, 64-bit float is narrowed, 12-bit PCM sits left-justified in 16 bits', () => {
    expect(Array.from(decodeWav(riff(chunk('fmt ', fmtBody(1, 1, 8000, 8)), chunk('data', [0, 128, 255, 64]))).channelData[0])).toEqual([-1, 0, 127 / 128, -0.5]);
    const f64 = Array.from(new Uint8Array(Float64Array.from([0.1, -0.5]).buffer));
    expect(Array.from(decodeWav(riff(chunk('fmt ', fmtBody(3, 1, 8000, 64)), chunk('data', f64))).channelData[0])).toEqual([Math.fround(0.1), -0.5]);
    expect(Array.from(decodeWav(riff(chunk('fmt ', fmtBody(1, 1, 8000, 12, 2)), chunk('data', int16s(0x7ff0, -16)))).channelData[0])).toEqual([0x7ff0 / 32768, -16 / 32768]);
  });

  test('a streaming writer\'s unset data size (0xFFFFFFFF) reads to the end of the file', () => {
    const bytes = riff(fmt16, [...ascii('data'), ...le32(0xffffffff), ...int16s(1, 2, 3, 4)]);
    expect(decodeWav(bytes).channelData[0]).toHaveLength(2);
  });
});

describe('bad input: a WavFormatError that says what is wrong', () => {
  const fmt16 = chunk('fmt ', fmtBody(1, 1, 8000, 16));
  const good = riff(fmt16, chunk('data', int16s(1, 2, 3, 4)));

  test('truncated header', () => {
    expectWavError(new Uint8Array(0), /truncated WAV header: 0 bytes/);
    expectWavError(good.subarray(0, 11), /truncated WAV header: 11 bytes/);
    expectWavError(good.subarray(0, 12), /no fmt chunk and no data chunk/);
    expectWavError(good.subarray(0, 30), /chunk "fmt " at byte 12 declares 16 bytes but only 10 follow/);
    expectWavError(good.subarray(0, 36), /no data chunk/);
  });

  test('truncated data', () => {
    expectWavError(good.subarray(0, good.length - 1), /truncated WAV data: the data chunk declares 8 bytes but only 7 follow; the file was cut short/);
  });

  test('wrong magic', () => {
    expectWavError(Uint8Array.from([...ascii('RIFX'), ...good.subarray(4)]), /big-endian RIFX/);
    expectWavError(Uint8Array.from([...ascii('fLaC'), ...good.subarray(4)]), /a FLAC file/);
    expectWavError(Uint8Array.from([...ascii('ID3'), 4, ...good.subarray(4)]), /an MP3 file/);
    expectWavError(Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('AVI '), 0, 0, 0, 0]), /RIFF file of type "AVI ", not "WAVE"/);
    expectWavError(Uint8Array.from([0, 1, 2, 3, ...good.subarray(4)]), /starting with 0x00010203, not "RIFF"/);
  });

  test('absurd chunk sizes do not allocate', () => {
    expectWavError(riff(fmt16, [...ascii('data'), ...le32(0x7ffffff0), ...int16s(1, 2)]), /declares 2147483632 bytes but only 4 follow/);
    expectWavError(riff([...ascii('LIST'), ...le32(0xfffffff0), 1, 2], fmt16), /chunk "LIST" at byte 12 declares 4294967280 bytes/);
    expectWavError(riff(chunk('fmt ', fmtBody(1, 1, 8000, 16), 4)), /fmt chunk is 4 bytes, a WAV fmt chunk needs at least 16/);
  });

  test('zero-length data', () => {
    expectWavError(riff(fmt16, chunk('data', [])), /data chunk holds no audio \(0 bytes/);
    expectWavError(riff(chunk('fmt ', fmtBody(1, 2, 8000, 24)), chunk('data', [1, 2, 3])), /holds no audio \(3 bytes, less than one 6-byte frame/);
  });

  test('unsupported codecs name the format tag', () => {
    expectWavError(riff(chunk('fmt ', fmtBody(7, 1, 8000, 8)), chunk('data', [1, 2])), /unsupported WAV codec: mu-law \(format tag 0x0007\)/);
    expectWavError(riff(chunk('fmt ', fmtBody(6, 1, 8000, 8)), chunk('data', [1, 2])), /A-law \(format tag 0x0006\)/);
    expectWavError(riff(chunk('fmt ', fmtBody(2, 1, 8000, 4, 256)), chunk('data', [1, 2])), /Microsoft ADPCM \(format tag 0x0002\)/);
    expectWavError(riff(chunk('fmt ', fmtBody(0x1234, 1, 8000, 16)), chunk('data', [1, 2])), /an unknown codec \(format tag 0x1234\)/);
    expectWavError(riff(chunk('fmt ', extensibleFmt(0x11, 1, 8000, 16, 16)), chunk('data', [1, 2])), /IMA ADPCM \(format tag 0x0011 in an extensible header\)/);
    const ambisonic = [0x00, 0x00, 0x21, 0x07, 0xd3, 0x11, 0x86, 0x44, 0xc8, 0xc1, 0xca, 0x00, 0x00, 0x00];
    expectWavError(riff(chunk('fmt ', extensibleFmt(1, 1, 8000, 16, 16, ambisonic)), chunk('data', [1, 2])), /sub-format GUID 01000000[0-9a-f]{24} \(not a PCM or float/);
    expectWavError(riff(chunk('fmt ', fmtBody(3, 1, 8000, 16)), chunk('data', [1, 2])), /IEEE float WAV with 16-bit samples/);
  });

  test('zero channels, zero rate, inconsistent block align', () => {
    expectWavError(riff(chunk('fmt ', fmtBody(1, 0, 8000, 16, 2)), chunk('data', [1, 2])), /0 channels/);
    expectWavError(riff(chunk('fmt ', fmtBody(1, 1, 0, 16)), chunk('data', [1, 2])), /sample rate of 0 Hz/);
    expectWavError(riff(chunk('fmt ', fmtBody(1, 2, 8000, 16, 3)), chunk('data', [1, 2, 3, 4])), /block align 3 does not fit 2 channel\(s\) of 16-bit samples \(expected 4\)/);
  });

  test('NaN and infinite float samples', () => {
    const f32 = (...v: number[]) => Array.from(new Uint8Array(Float32Array.from(v).buffer));
    expectWavError(riff(chunk('fmt ', fmtBody(3, 2, 8000, 32)), chunk('data', f32(0, 0.5, NaN, 0))), /a sample that is NaN \(frame 1, channel 0\)/);
    expectWavError(riff(chunk('fmt ', fmtBody(3, 1, 8000, 32)), chunk('data', f32(0, -Infinity))), /a sample that is infinite \(frame 1, channel 0\)/);
    const f64 = Array.from(new Uint8Array(Float64Array.from([1e300]).buffer));
    expectWavError(riff(chunk('fmt ', fmtBody(3, 1, 8000, 64)), chunk('data', f64)), /beyond the float32 range/);
  });

  test('non-bytes input', () => {
    expect(() => decodeWav('RIFF' as unknown as Uint8Array)).toThrow(WavFormatError);
  });
});

describe('libsndfile (Python soundfile) reads what we write, extensible headers included', () => {
  const python = '/usr/bin/python3';
  const hasSoundfile = spawnSync(python, ['-c', 'import soundfile, numpy'], { encoding: 'utf8' }).status === 0;
  (hasSoundfile ? test : test.skip)('pcm16 / pcm24 / float32, plain and extensible, 3 channels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foley-sf-'));
    try {
      const input = testChannels(3, 500);
      const files: string[] = [];
      for (const format of ['pcm16', 'pcm24', 'float32'] as const) {
        for (const extensible of [false, true]) {
          const file = join(dir, `${format}-${extensible}.wav`);
          writeFileSync(file, encodeWav(input, 32000, { format, extensible }));
          files.push(file);
        }
      }
      const script = 'import sys, json, soundfile as sf\nout = []\nfor f in sys.argv[1:]:\n    x, sr = sf.read(f, dtype="float64", always_2d=True)\n    i = sf.info(f)\n    out.append({"sr": sr, "subtype": i.subtype, "format": i.format, "x": x.T.tolist()})\nprint(json.dumps(out))';
      const run = spawnSync(python, ['-c', script, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(run.stderr).toBe('');
      const results = JSON.parse(run.stdout) as { sr: number; subtype: string; format: string; x: number[][] }[];
      results.forEach((r, k) => {
        const ours = decodeWav(readFileSync(files[k]));
        expect(r.sr).toBe(32000);
        expect(r.format).toBe(k % 2 === 1 ? 'WAVEX' : 'WAV');
        expect(r.subtype).toBe(['PCM_16', 'PCM_16', 'PCM_24', 'PCM_24', 'FLOAT', 'FLOAT'][k]);
        for (let c = 0; c < 3; c++) expect(maxError(Float32Array.from(r.x[c]), ours.channelData[c])).toBeLessThan(1e-7);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
