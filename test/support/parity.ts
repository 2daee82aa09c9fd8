// Shared by the tests that compare onnxruntime outputs with PyTorch fixtures (test/models).

/** Largest |a - b| relative to max(1, |b|), the parity measure of docs/vae-vocoder.md; `b` is the reference. */
export function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return max;
}
