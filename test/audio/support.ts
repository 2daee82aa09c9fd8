// Shared helpers for the audio tests: the fixture written by training/fixtures/make_audio_fixtures.py and the
// signal formula it documents (rebuilt here so inputs need not be stored).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'audio');

export interface SignalSpec {
  sampleRate: number;
  weights?: number[];
  segments: { seconds: number; gains: number[]; tones?: [number, number][]; sweep?: [number, number, number] }[];
}
export interface ArrayRef {
  offset: number;
  length: number;
}
export interface AudioReference {
  resampleOptions: { lowpass_filter_width: number; rolloff: number; beta: number };
  resample: { name: string; input: SignalSpec; toRate: number; output: ArrayRef }[];
  sox: { name: string; input: SignalSpec; toRate: number; output: ArrayRef }[];
  loudness: { name: string; input: SignalSpec; lufs: number; torchaudio: number | null }[];
  kWeightingGainDbAt1kHz: number;
  kWeighting48k: { shelf: { b: number[]; a: number[] }; highPass: { b: number[]; a: number[] } };
  wav: { file: string; writer: string; subtype: string; extensible?: boolean; sampleRate: number; channels: number; frames: number; samples: ArrayRef }[];
  codecs: { file: string; formatTag: number }[];
}

let cache: { json: AudioReference; blob: Float32Array } | undefined;

export function audioReference(): AudioReference {
  return load().json;
}

export function referenceArray(ref: ArrayRef): Float32Array {
  return load().blob.subarray(ref.offset, ref.offset + ref.length);
}

function load(): { json: AudioReference; blob: Float32Array } {
  if (cache === undefined) {
    const json = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as AudioReference;
    const bytes = readFileSync(join(FIXTURES, 'reference.f32'));
    const blob = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    cache = { json, blob };
  }
  return cache;
}

/** The fixture script's signal: per segment, gains × (Σ a_k sin(2π f_k t + k) + sweep), float64 then float32. */
export function signal(spec: SignalSpec): Float32Array[] {
  const sr = spec.sampleRate;
  const channels = spec.segments[0].gains.length;
  const total = spec.segments.reduce((sum, s) => sum + Math.round(s.seconds * sr), 0);
  const out = Array.from({ length: channels }, () => new Float32Array(total));
  let start = 0;
  for (const seg of spec.segments) {
    const n = Math.round(seg.seconds * sr);
    const rate = seg.sweep ? Math.log(seg.sweep[1] / seg.sweep[0]) : 0;
    const tones = seg.tones ?? [];
    for (let i = 0; i < n; i++) {
      const t = (start + i) / sr;
      let x = 0;
      for (let k = 0; k < tones.length; k++) {
        // sin(2π·f·t + k) with the whole cycles of f·t removed first: the same value to ~1e-11, and it spares
        // Math.sin the slow reduction of huge arguments.
        const cycles = tones[k][0] * t;
        x += tones[k][1] * Math.sin(2 * Math.PI * (cycles - Math.floor(cycles)) + k);
      }
      if (seg.sweep) {
        const [f0, , amp] = seg.sweep;
        x += amp * Math.sin(((2 * Math.PI * f0 * seg.seconds) / rate) * (Math.exp(((i / sr) * rate) / seg.seconds) - 1));
      }
      for (let c = 0; c < channels; c++) out[c][start + i] = seg.gains[c] * x;
    }
    start += n;
  }
  return out;
}

/** max |a - b| / max |b|. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return err / scale;
}

/** Amplitude of frequency `hz` in `x` (least-squares fit of a sine and cosine over the middle of the signal). */
export function toneAmplitude(x: Float32Array, sampleRate: number, hz: number, from = 0, to = x.length): number {
  let cc = 0, ss = 0, cs = 0, xc = 0, xs = 0;
  for (let i = from; i < to; i++) {
    const w = (2 * Math.PI * hz * i) / sampleRate;
    const c = Math.cos(w);
    const s = Math.sin(w);
    cc += c * c;
    ss += s * s;
    cs += c * s;
    xc += x[i] * c;
    xs += x[i] * s;
  }
  const det = cc * ss - cs * cs;
  const a = (xc * ss - xs * cs) / det;
  const b = (xs * cc - xc * cs) / det;
  return Math.hypot(a, b);
}

/** Same channel count and bit-identical samples (jest's toEqual is slow on long typed arrays). */
export function identical(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  return a.length === b.length && a.every((channel, c) => channel.length === b[c].length && channel.every((v, i) => Object.is(v, b[c][i])));
}
