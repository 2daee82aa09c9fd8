import { Stft, stft, istft, type StftOptions } from '../../src/dsp/stft';
import { InvalidArgumentError } from '../../src/utils/errors';
import { reference, referenceNames, relativeError } from './reference';

function stftOptions(params: Record<string, unknown>): StftOptions {
  return {
    nFft: params.n_fft as number,
    hopLength: params.hop_length as number,
    winLength: params.win_length as number,
    window: (params.window as StftOptions['window']) ?? 'hann',
  };
}

describe('STFT matches torch.stft (centred, reflect padding, onesided)', () => {
  test.each(referenceNames('stft/'))('%s', (name) => {
    const ref = reference(name);
    const input = reference(`input/${ref.params.source as string}`).data.subarray(0, ref.params.samples as number);
    const [bins, frames] = ref.shape;
    const spec = stft(input, stftOptions(ref.params));
    expect([spec.bins, spec.frames]).toEqual([bins, frames]);
    const re = new Float32Array(bins * frames);
    const im = new Float32Array(bins * frames);
    for (let i = 0; i < bins * frames; i++) {
      re[i] = ref.data[2 * i];
      im[i] = ref.data[2 * i + 1];
    }
    // Relative to the spectrum's scale (the largest |X|), real and imaginary parts.
    const scale = Math.max(...Array.from(re, (v, i) => Math.hypot(v, im[i])));
    const error = Math.max(relativeError(spec.real, re) * Math.max(...re.map(Math.abs)), relativeError(spec.imag, im) * Math.max(...im.map(Math.abs))) / scale;
    expect(error).toBeLessThan(1e-4);
    expect(error).toBeLessThan(1e-5); // float32 inputs, float64 arithmetic: far inside the 1e-4 budget
  });
});

describe('inverse STFT matches torch.istft on inconsistent (random) spectrograms', () => {
  test.each(referenceNames('istft/'))('%s', (name) => {
    const ref = reference(name);
    const input = reference(name.replace('istft/', 'istft_input/'));
    const [bins, frames] = input.shape;
    const real = new Float32Array(bins * frames);
    const imag = new Float32Array(bins * frames);
    for (let i = 0; i < bins * frames; i++) {
      real[i] = input.data[2 * i];
      imag[i] = input.data[2 * i + 1];
    }
    const y = istft({ real, imag, bins, frames }, { ...stftOptions(ref.params), length: ref.params.length as number });
    expect(y).toHaveLength(ref.params.length as number);
    expect(relativeError(y, ref.data)).toBeLessThan(1e-5);
  });
});

describe('STFT', () => {
  test.each([
    { nFft: 1024, hopLength: 160 },
    { nFft: 512, hopLength: 128, window: 'hamming' as const },
    { nFft: 400, hopLength: 100, winLength: 300 },
    { nFft: 255, hopLength: 64, window: 'blackman' as const },
    { nFft: 64, hopLength: 16, padMode: 'constant' as const },
  ])('perfect reconstruction: istft(stft(x)) = x for %o', (options) => {
    const n = 5000;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.031) * 0.5 + 0.3 * Math.sin(i * i * 1e-5) + ((i * 7919) % 13) / 130);
    const plan = new Stft(options);
    const spec = plan.forward(x);
    const y = plan.inverse(spec, n);
    expect(relativeError(y, x)).toBeLessThan(1e-6);
  });

  test('frame count is floor(N / hop) + 1 when centred with even nFft; the layout is [bin][frame]', () => {
    const plan = new Stft({ nFft: 1024, hopLength: 160 });
    expect(plan.frameCount(16000)).toBe(101);
    expect(plan.frameCount(16159)).toBe(101);
    expect(plan.frameCount(16160)).toBe(102);
    // A 1 kHz tone at 16 kHz sits in bin 64 of a 1024-point FFT in every frame.
    const x = Float32Array.from({ length: 1600 }, (_, i) => Math.cos((2 * Math.PI * 1000 * i) / 16000));
    const mag = plan.magnitude(x);
    expect([mag.bins, mag.frames]).toEqual([513, 11]);
    for (let t = 0; t < mag.frames; t++) {
      let best = 0;
      for (let k = 1; k < mag.bins; k++) if (mag.data[k * mag.frames + t] > mag.data[best * mag.frames + t]) best = k;
      expect(best).toBe(64);
    }
    // Hann window sums to 512: a unit cosine's peak bin has |X| = 256.
    expect(mag.data[64 * mag.frames + 5]).toBeCloseTo(256, 6);
  });

  test('the interleaved hot path agrees with the [bin][frame] API and reuses caller-owned buffers', () => {
    const plan = new Stft({ nFft: 256, hopLength: 64 });
    const x = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i / 7));
    const frames = plan.frameCount(x.length);
    const buffer = new Float64Array(frames * 2 * plan.bins);
    expect(plan.forwardInterleaved(x, buffer)).toBe(frames);
    const spec = plan.forward(x);
    for (const [k, t] of [[0, 0], [10, 5], [128, frames - 1]]) {
      expect(buffer[t * 2 * plan.bins + 2 * k]).toBeCloseTo(spec.real[k * frames + t], 4);
      expect(buffer[t * 2 * plan.bins + 2 * k + 1]).toBeCloseTo(spec.imag[k * frames + t], 4);
    }
    const out = new Float32Array(x.length);
    expect(plan.inverseInterleaved(buffer, frames, x.length, out)).toBe(out);
    expect(relativeError(out, x)).toBeLessThan(1e-6);
  });

  test('signals shorter than the padding reflect repeatedly instead of failing', () => {
    const plan = new Stft({ nFft: 64, hopLength: 16 });
    const spec = plan.forward(new Float32Array([1, -1, 0.5]));
    expect(spec.frames).toBe(1);
    expect(Number.isFinite(spec.real[0])).toBe(true);
  });

  test('bad options and inputs are rejected with the offending value', () => {
    expect(() => new Stft({ nFft: 512, winLength: 600 })).toThrow(/winLength must be an integer within \[1, nFft = 512\], got: 600/);
    expect(() => new Stft({ nFft: 512, hopLength: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Stft({ nFft: 8, window: [1, 2] })).toThrow(/window has 2 values; winLength is 8/);
    expect(() => new Stft({ nFft: 8 }).forward(new Float32Array(0))).toThrow(/empty signal/);
    expect(() => new Stft({ nFft: 8, center: false }).forward(new Float32Array(4))).toThrow(/shorter than one frame/);
  });
});
