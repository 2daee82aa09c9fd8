// Fuzz test of the WAV decoder: thousands of mutated files (bit flips, byte overwrites, truncations, chunk-size
// lies, spliced chunks), seeded so every CI run sees the same files. Every outcome must be a sane decode or a
// WavFormatError: no other exception, no NaN, no allocation beyond what the input bytes can hold.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import wav from 'node-wav';
import { decodeWav, encodeWav } from '../../src/audio/wav';
import { WavFormatError } from '../../src/utils/errors';
import { Rng } from '../../src/utils/random';
import { FIXTURES, audioReference } from './support';

function seeds(): Uint8Array[] {
  const tone = (n: number, hz: number) => Float32Array.from({ length: n }, (_, i) => 0.7 * Math.sin((2 * Math.PI * hz * i) / 8000));
  const out: Uint8Array[] = [
    encodeWav([tone(200, 440), tone(200, 660)], 8000, { format: 'pcm16' }),
    encodeWav([tone(101, 440)], 8000, { format: 'pcm24' }),
    encodeWav([tone(150, 440), tone(150, 330), tone(150, 220)], 8000, { format: 'float32' }),
    encodeWav([tone(120, 440), tone(120, 100)], 11025, { format: 'pcm24', extensible: true }),
    encodeWav([tone(90, 440)], 16000, { format: 'float32', extensible: true }),
    new Uint8Array(wav.encode([tone(160, 500)], { sampleRate: 8000, bitDepth: 8 })),
    new Uint8Array(wav.encode([tone(100, 500), tone(100, 50)], { sampleRate: 8000, bitDepth: 32 })),
  ];
  // libsndfile's files carry fact and PEAK chunks; sox's extensible ones and the codec files exercise other paths.
  for (const file of ['sndfile-wav-float.wav', 'sndfile-wavex-double.wav', 'sndfile-wav-pcm_u8.wav', 'sox-pcm24-stereo.wav', 'sox-mulaw.wav', 'sox-ima-adpcm.wav']) {
    out.push(new Uint8Array(readFileSync(join(FIXTURES, 'wav', file))));
  }
  // An odd-sized chunk with its pad byte before fmt.
  const base = out[0];
  const odd = Uint8Array.from([...base.subarray(0, 12), ...Array.from('LIST', (c) => c.charCodeAt(0)), 3, 0, 0, 0, 1, 2, 3, 0, ...base.subarray(12)]);
  out.push(odd);
  return out;
}

/** Offsets of chunk headers (id + size), walking the valid seed. */
function chunkHeaders(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at: number[] = [];
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    at.push(pos);
    const size = view.getUint32(pos + 4, true);
    pos += 8 + size + (size % 2);
  }
  return at;
}

const SIZE_LIES = [0, 1, 2, 3, 7, 15, 16, 17, 18, 39, 40, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function mutate(seed: Uint8Array, rng: Rng): Uint8Array {
  const pick = (n: number) => rng.nextUint32() % n;
  const headers = chunkHeaders(seed);
  let bytes = Uint8Array.from(seed);
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds; r++) {
    const view = new DataView(bytes.buffer);
    switch (pick(7)) {
      case 0: // bit flips, mostly in the header where they matter
        for (let k = 1 + pick(8); k > 0; k--) {
          const i = pick(Math.min(bytes.length, pick(2) === 0 ? 96 : bytes.length));
          bytes[i] ^= 1 << pick(8);
        }
        break;
      case 1: // byte overwrites
        for (let k = 1 + pick(4); k > 0; k--) bytes[pick(bytes.length)] = pick(256);
        break;
      case 2: // truncation
        bytes = bytes.slice(0, pick(bytes.length + 1));
        break;
      case 3: // a chunk (or the RIFF) size that lies
      case 4: {
        const at = pick(4) === 0 ? 0 : headers[pick(headers.length)];
        if (at + 8 <= bytes.length) view.setUint32(at + 4, pick(2) === 0 ? SIZE_LIES[pick(SIZE_LIES.length)] : rng.nextUint32(), true);
        break;
      }
      case 5: { // a fmt field set to an extreme (channels, rate, block align, bits) or a random format tag
        const field = [20, 22, 24, 32, 34][pick(5)];
        if (field + 2 <= bytes.length) view.setUint16(field, [0, 1, 2, 3, 7, 0xfffe, 0xffff, pick(65536)][pick(8)], true);
        break;
      }
      default: { // splice: duplicate or drop a range
        const from = pick(bytes.length + 1);
        const to = Math.min(bytes.length, from + pick(64));
        bytes = pick(2) === 0 ? Uint8Array.from([...bytes.subarray(0, to), ...bytes.subarray(from)]) : Uint8Array.from([...bytes.subarray(0, from), ...bytes.subarray(to)]);
      }
    }
  }
  return bytes;
}

describe('WAV decoder fuzz', () => {
  test('10000 mutated files: each decodes sanely or throws WavFormatError', () => {
    const rng = new Rng(20240601);
    const bases = seeds();
    const outcomes = { decoded: 0, rejected: 0 };
    const messages = new Set<string>();
    for (let n = 0; n < 10000; n++) {
      const bytes = mutate(bases[n % bases.length], rng);
      let result: ReturnType<typeof decodeWav>;
      try {
        result = decodeWav(bytes);
      } catch (error) {
        if (!(error instanceof WavFormatError)) throw new Error(`case ${n}: ${String(error)} is not a WavFormatError`);
        expect(error.message.length).toBeGreaterThan(10);
        if (error.message.includes('\n')) throw new Error(`case ${n}: multi-line message`);
        messages.add(error.message.replace(/\d+/g, 'N').slice(0, 40));
        outcomes.rejected++;
        continue;
      }
      outcomes.decoded++;
      const { channelData, sampleRate } = result;
      const frames = channelData[0].length;
      const ok =
        Number.isInteger(sampleRate) && sampleRate > 0 && channelData.length >= 1 && frames >= 1 &&
        channelData.every((c) => c instanceof Float32Array && c.length === frames) &&
        // Every sample costs at least one byte of input: output is bounded by the input's size.
        channelData.length * frames <= bytes.length;
      if (!ok) throw new Error(`case ${n}: bad shape (${channelData.length} × ${frames} at ${sampleRate} Hz from ${bytes.length} bytes)`);
      for (const channel of channelData) {
        for (let i = 0; i < frames; i++) if (!Number.isFinite(channel[i])) throw new Error(`case ${n}: non-finite sample ${channel[i]}`);
      }
    }
    // Both outcomes are common, and the rejections are varied (the fuzzer reaches many checks).
    expect(outcomes.decoded).toBeGreaterThan(1000);
    expect(outcomes.rejected).toBeGreaterThan(1000);
    expect(messages.size).toBeGreaterThan(15);
  });

  test('the seeds themselves decode (except the unsupported codecs)', () => {
    const ref = audioReference();
    expect(ref.codecs.length).toBeGreaterThan(0);
    const results = seeds().map((s) => {
      try {
        return decodeWav(s).channelData.length;
      } catch (error) {
        return (error as Error).message.slice(0, 30);
      }
    });
    expect(results.filter((r) => typeof r === 'string')).toEqual(['unsupported WAV codec: mu-law ', 'unsupported WAV codec: IMA ADP']);
  });
});
