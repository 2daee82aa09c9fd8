// Shared by the tests that compare outputs: onnxruntime against PyTorch fixtures (test/models), runs against runs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Largest |a - b|, the measure of agreement between two runs of the same samples. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Largest |a - b| relative to max(1, |b|), the parity measure of docs/vae-vocoder.md; `b` is the reference. */
export function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return max;
}

/** The sha256 that training/foley_train/export_components.py records in a fixture: one file's digest, or for several
 * files the digest of their hex digests in order (the text encoder + UNet fixture). */
export function modelSha256(...paths: string[]): string {
  const digest = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
  if (paths.length === 1) return digest(readFileSync(paths[0]));
  return digest(paths.map((path) => digest(readFileSync(path))).join(''));
}
