import { Resampler, besselI0, resample, resampleChannels } from '../../src/audio/resample';
import { InvalidArgumentError } from '../../src/utils/errors';
import { audioReference, referenceArray, relativeError, signal, toneAmplitude } from './support';

const tone = (n: number, rate: number, hz: number, amp = 0.5) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate + 0.3));

describe('resample matches torchaudio (kaiser_window, same W / rolloff / beta, float64)', () => {
  const ref = audioReference();
  test('the fixture used our defaults', () => {
    const o = new Resampler(44100, 16000).options;
    expect(ref.resampleOptions).toEqual({ lowpass_filter_width: o.zeroCrossings, rolloff: o.rolloff, beta: o.kaiserBeta });
  });
  test.each(ref.resample.map((r) => [r.name, r] as const))('%s', (_name, entry) => {
    const input = signal(entry.input)[0];
    const expected = referenceArray(entry.output);
    const ours = resample(input, entry.input.sampleRate, entry.toRate);
    expect(ours.length).toBe(expected.length);
    expect(relativeError(ours, expected)).toBeLessThan(2e-6);
    // The table-free (interpolated kernel) path agrees too.
    expect(relativeError(resample(input, entry.input.sampleRate, entry.toRate, { maxTableSize: 0 }), expected)).toBeLessThan(2e-5);
  });
});

describe('resample agrees with sox (rate -v, a different filter) on in-band tones', () => {
  test.each(audioReference().sox.map((r) => [r.name, r] as const))('%s', (_name, entry) => {
    const input = signal(entry.input)[0];
    const theirs = referenceArray(entry.output);
    const ours = resample(input, entry.input.sampleRate, entry.toRate);
    expect(Math.abs(ours.length - theirs.length)).toBeLessThanOrEqual(1);
    // Away from the edges (where the two filters see different zero padding), same waveform.
    const edge = Math.round(0.03 * entry.toRate);
    const n = Math.min(ours.length, theirs.length) - 2 * edge;
    expect(relativeError(ours.subarray(edge, edge + n), theirs.subarray(edge, edge + n))).toBeLessThan(2e-4);
  });
});

describe('band limits, measured', () => {
  const seconds = 0.5;
  for (const [from, to] of [[44100, 16000], [48000, 16000], [22050, 16000], [16000, 44100]]) {
    test(`${from} -> ${to}: pass band flat within 0.01 dB up to 0.8 × Nyquist`, () => {
      const nyquist = Math.min(from, to) / 2;
      const plan = new Resampler(from, to);
      for (const hz of [50, 1000, 0.5 * nyquist, 0.8 * nyquist]) {
        const out = plan.process(tone(seconds * from, from, hz));
        const edge = Math.round(0.05 * to);
        const gainDb = 20 * Math.log10(toneAmplitude(out, to, hz, edge, out.length - edge) / 0.5);
        expect(Math.abs(gainDb)).toBeLessThan(0.01);
      }
    });
  }
  for (const [from, to] of [[44100, 16000], [48000, 16000], [22050, 16000]]) {
    test(`${from} -> ${to}: tones above the new Nyquist are attenuated by more than 90 dB (aliases measured)`, () => {
      const plan = new Resampler(from, to);
      for (const hz of [to / 2 + 50, to / 2 + 1000, (to + from) / 4 + 123, 0.98 * from / 2]) {
        const out = plan.process(tone(seconds * from, from, hz));
        // The tone folds to |hz - k·to| for the k that lands it in [0, to/2].
        const k = Math.round(hz / to);
        const alias = Math.abs(hz - k * to);
        const edge = Math.round(0.05 * to);
        const level = toneAmplitude(out, to, alias, edge, out.length - edge) / 0.5;
        expect(20 * Math.log10(level)).toBeLessThan(-90);
      }
    });
  }
  test('44100 -> 16000: a sweep beyond 8 kHz leaves less than -60 dB of anything', () => {
    const sweep = signal({ sampleRate: 44100, segments: [{ seconds: 0.5, gains: [1], sweep: [8200, 22000, 0.9] }] })[0];
    const out = resample(sweep, 44100, 16000);
    let peak = 0;
    for (let i = 800; i < out.length - 800; i++) peak = Math.max(peak, Math.abs(out[i]));
    expect(20 * Math.log10(peak / 0.9)).toBeLessThan(-60);
  });
});

describe('Resampler mechanics', () => {
  test('output length is ceil(n · to / from) and the output is time-aligned (no delay)', () => {
    expect(new Resampler(44100, 16000).outputLength(44100)).toBe(16000);
    expect(new Resampler(44100, 16000).outputLength(10)).toBe(4);
    expect(resample(new Float32Array(1), 48000, 16000)).toHaveLength(1);
    // A slow tone keeps its phase: output sample j sits at time j / to.
    const x = tone(48000, 48000, 100);
    const y = resample(x, 48000, 16000);
    for (let j = 1000; j < 15000; j += 997) expect(Math.abs(y[j] - x[3 * j])).toBeLessThan(1e-5);
  });
  test('equal rates copy; channels share one plan; identity of DC gain away from edges', () => {
    const x = Float32Array.from([1, 2, 3]);
    const y = resample(x, 16000, 16000);
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
    const dc = new Float32Array(4410).fill(0.25);
    const [a, b] = resampleChannels([dc, dc], 44100, 16000);
    expect(Math.abs(a[800] - 0.25)).toBeLessThan(1e-5);
    expect(b).toEqual(a);
  });
  test('a ratio too fine for a table (44100 -> 44101) uses the interpolated kernel', () => {
    const x = tone(4410, 44100, 1000);
    const y = resample(x, 44100, 44101);
    expect(y).toHaveLength(4411);
    expect(toneAmplitude(y, 44101, 1000, 200, 4200)).toBeCloseTo(0.5, 4);
  });
  test('besselI0 matches known values', () => {
    expect(besselI0(0)).toBe(1);
    expect(besselI0(1)).toBeCloseTo(1.2660658777520082, 14);
    expect(besselI0(10.06) / 2980.652664652709 /* scipy.special.i0 */).toBeCloseTo(1, 6);
  });
  test('bad arguments', () => {
    expect(() => new Resampler(44100.5, 16000)).toThrow(InvalidArgumentError);
    expect(() => new Resampler(0, 16000)).toThrow(/fromRate must be a positive whole number of Hz, got 0/);
    expect(() => new Resampler(44100, 16000, { rolloff: 1.5 })).toThrow(/rolloff must be within \(0, 1\]/);
    expect(() => new Resampler(44100, 16000, { zeroCrossings: 0 })).toThrow(/zeroCrossings/);
  });
});
