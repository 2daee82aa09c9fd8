import FFT from 'fft.js';
import { FftPlan } from '../../src/dsp/fft';
import { InvalidArgumentError } from '../../src/utils/errors';

/** Direct O(N²) DFT in float64: the independent reference. */
function naiveDft(re: Float64Array, im: Float64Array, sign: -1 | 1): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((k * j) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += re[j] * c - im[j] * s;
      si += re[j] * s + im[j] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return [outRe, outIm];
}

function randomSignal(n: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let error = 0;
  for (let i = 0; i < a.length; i++) error = Math.max(error, Math.abs(a[i] - b[i]));
  return error;
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 12, 16, 30, 64, 100, 255, 256, 400, 1000, 1024];

describe('FftPlan', () => {
  test.each(SIZES)('complex forward and inverse of size %i match a direct DFT', (n) => {
    const re = randomSignal(n, n);
    const im = randomSignal(n, n + 1);
    const [expRe, expIm] = naiveDft(re, im, -1);
    const plan = new FftPlan(n);
    const input = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      input[2 * i] = re[i];
      input[2 * i + 1] = im[i];
    }
    const out = plan.createComplexArray();
    plan.forward(input, out);
    let error = 0;
    for (let k = 0; k < n; k++) error = Math.max(error, Math.abs(out[2 * k] - expRe[k]), Math.abs(out[2 * k + 1] - expIm[k]));
    expect(error).toBeLessThan(1e-12 * n + 1e-13);
    const back = plan.createComplexArray();
    plan.inverse(out, back);
    expect(maxDiff(back, input)).toBeLessThan(1e-13 * n + 1e-14);
  });

  test.each(SIZES)('real forward of size %i gives the one-sided DFT and realInverse undoes it', (n) => {
    const x = randomSignal(n, 7 * n);
    const [expRe, expIm] = naiveDft(x, new Float64Array(n), -1);
    const plan = new FftPlan(n);
    expect(plan.bins).toBe(Math.floor(n / 2) + 1);
    const spectrum = new Float64Array(2 * plan.bins + 6);
    plan.realForward(x, spectrum, 3);
    let error = 0;
    for (let k = 0; k < plan.bins; k++) error = Math.max(error, Math.abs(spectrum[3 + 2 * k] - expRe[k]), Math.abs(spectrum[3 + 2 * k + 1] - expIm[k]));
    expect(error).toBeLessThan(1e-12 * n + 1e-13);
    const back = new Float64Array(n);
    plan.realInverse(spectrum, back, 3);
    expect(maxDiff(back, x)).toBeLessThan(1e-13 * n + 1e-14);
  });

  test('realInverse ignores the imaginary parts of DC and Nyquist, as irfft does', () => {
    for (const n of [16, 12, 9]) {
      const plan = new FftPlan(n);
      const spectrum = new Float64Array(2 * plan.bins);
      for (let i = 0; i < spectrum.length; i++) spectrum[i] = Math.sin(i + 1);
      const a = new Float64Array(n);
      plan.realInverse(spectrum, a);
      spectrum[1] = 5;
      if (n % 2 === 0) spectrum[2 * (n / 2) + 1] = -3;
      const b = new Float64Array(n);
      plan.realInverse(spectrum, b);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });

  test('the packed real transform agrees with fft.js realTransform', () => {
    const n = 1024;
    const x = randomSignal(n, 3);
    const plan = new FftPlan(n);
    const ours = new Float64Array(2 * plan.bins);
    plan.realForward(x, ours);
    const fft = new FFT(n);
    const theirs = fft.createComplexArray() as number[];
    fft.realTransform(theirs, Array.from(x));
    expect(maxDiff(ours, theirs.slice(0, 2 * plan.bins))).toBeLessThan(1e-11);
  });

  test('rejects sizes that are not positive integers', () => {
    expect(() => new FftPlan(0)).toThrow(InvalidArgumentError);
    expect(() => new FftPlan(2.5)).toThrow(/FFT size must be an integer/);
  });
});
