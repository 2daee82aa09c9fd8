import { DDIMScheduler, clipInPlace, dynamicThresholdInPlace, predictOriginal } from '../../src/schedulers';

test('dynamic thresholding: per-item quantile of |x₀|, clamped to [1, sample_max_value] (hand-computed)', () => {
  // item 0: |x| sorted [0, 1, 2, 3, 4], ratio 0.5 → position 2 → s = 2 → clamp(x, −2, 2)/2
  // item 1: s = quantile 0.3 → raised to 1 → unchanged
  const x = Float32Array.of(-3, -1, 0, 2, 4, 0.1, 0.2, 0.3, 0.4, 0.5);
  dynamicThresholdInPlace(x, 0.5, 10, 2, new Float32Array(10));
  expect(Array.from(x)).toEqual(Array.from(Float32Array.of(-1, -0.5, 0, 1, 1, 0.1, 0.2, 0.3, 0.4, 0.5)));
  // linear interpolation between order statistics, and the sample_max_value cap
  const y = Float32Array.of(10, 20, 30, 40);
  dynamicThresholdInPlace(y, 0.5, 100, 1, new Float32Array(4)); // position 1.5 → s = 25
  expect(Array.from(y)).toEqual(Array.from(Float32Array.of(0.4, 0.8, 1, 1)));
  const z = Float32Array.of(10, 20, 30, 40);
  dynamicThresholdInPlace(z, 0.5, 5, 1, new Float32Array(4)); // s = min(25, 5)
  expect(Array.from(z)).toEqual([1, 1, 1, 1]);
});

test('clip_sample clamps x₀ to ±clip_sample_range', () => {
  const x = Float32Array.of(-3, 0.5, 2);
  clipInPlace(x, 1.5);
  expect(Array.from(x)).toEqual([-1.5, 0.5, 1.5]);
});

test('x₀ from ε, v and x₀ predictions agree for a consistent (x₀, ε) pair', () => {
  const a = 0.6;
  const s = 0.8; // VP: a² + s² = 1
  const x0 = Float32Array.of(0.25, -1.5);
  const eps = Float32Array.of(1, 0.5);
  const x = x0.map((v, i) => a * v + s * eps[i]);
  const v = x0.map((v0, i) => a * eps[i] - s * v0);
  const out = new Float32Array(2);
  for (const [type, m] of [['epsilon', eps], ['v_prediction', v], ['sample', x0]] as const) {
    predictOriginal(out, type, m, x, a, s);
    expect(out[0]).toBeCloseTo(0.25, 6);
    expect(out[1]).toBeCloseTo(-1.5, 6);
  }
});

test('DDIM with thresholding keeps the predicted x₀ within [−1, 1]; with clip_sample within the range', () => {
  const big = new Float32Array(100).map((_, i) => (i - 50) / 5);
  for (const config of [{ thresholding: true, sample_max_value: 3 }, { clip_sample: true, clip_sample_range: 1 }]) {
    const s = new DDIMScheduler(config);
    s.setTimesteps(10);
    const x0 = s.step(new Float32Array(100), s.timesteps[0], big).predOriginalSample as Float32Array;
    expect(Math.max(...Array.from(x0).map(Math.abs))).toBeLessThanOrEqual(1 + 1e-6);
  }
});
