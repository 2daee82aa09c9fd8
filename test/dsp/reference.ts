// Loads test/fixtures/dsp/reference.{json,f32}, written by training/make_fixtures.py with torch/torchaudio.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Entry {
  name: string;
  shape: number[];
  offset: number;
  params: Record<string, unknown>;
}

const dir = join(__dirname, '..', 'fixtures', 'dsp');
const meta = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as { entries: Entry[] };
const bytes = readFileSync(join(dir, 'reference.f32'));
const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

export interface Reference {
  data: Float32Array;
  shape: number[];
  params: Record<string, unknown>;
}

export function reference(name: string): Reference {
  const entry = meta.entries.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`no fixture "${name}": run training/make_fixtures.py`);
  const size = entry.shape.reduce((a, b) => a * b, 1);
  return { data: all.subarray(entry.offset, entry.offset + size), shape: entry.shape, params: entry.params };
}

export function referenceNames(prefix: string): string[] {
  return meta.entries.filter((e) => e.name.startsWith(prefix)).map((e) => e.name);
}

/** max |a − b| / max |b| (the error relative to the reference's scale). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  let scale = 0;
  let error = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
  }
  return error / (scale || 1);
}
