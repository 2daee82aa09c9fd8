import { HarmonicComb, harmonicCombMask } from '../../src/dsp/harmonic-comb';
import { PitchEstimator, centsBetween } from '../../src/dsp/pitch';
import { reference, relativeError } from './reference';

const OPTIONS = { sampleRate: 16000, nFft: 1024, hopLength: 160 };

describe('HarmonicComb (the pitch guide) matches training/foley_train/pitch_guide.py', () => {
  const input = reference('pitch_guide/input').data;

  // The reference runs in float64; foley keeps spectra in float32, and 8 Griffin-Lim iterations carry the rounding
  // along (measured 4.7e-4 after 8, 1e-6 after none).
  test.each([
    ['pitch_guide/f0_220.0_i8', 220, 8, 1e-3],
    ['pitch_guide/f0_146.83_i0', 146.83, 0, 1e-5],
  ])('%s', (name, f0, iterations, tolerance) => {
    const ref = reference(name);
    expect(ref.params).toMatchObject({ f0, iterations, floor: 0.05, width_cents: 35 });
    const guided = new HarmonicComb({ ...OPTIONS, iterations }).apply(input, f0);
    expect(guided.length).toBe(input.length);
    expect(relativeError(guided, ref.data)).toBeLessThan(tolerance);
  });

  test('the mask peaks at 1 on the harmonics and sits at the floor between them and below the fundamental', () => {
    const mask = harmonicCombMask(250, OPTIONS); // 250 Hz = bin 16 exactly (15.625 Hz bins)
    expect(mask.length).toBe(513);
    for (const h of [1, 2, 3, 10]) expect(mask[16 * h]).toBeCloseTo(1, 12);
    expect(mask[8]).toBe(0.05); // 125 Hz, below 0.75 · f0
    expect(mask[24]).toBeCloseTo(0.05, 3); // 375 Hz, half-way between the first two harmonics
    expect(Math.min(...mask)).toBeGreaterThanOrEqual(0.05);
  });

  test('guides a sound an octave below toward the requested note', () => {
    const estimator = new PitchEstimator({ sampleRate: 16000 });
    expect(Math.abs(centsBetween(estimator.estimate(input)!.frequency, 110))).toBeLessThan(20);
    const guided = new HarmonicComb(OPTIONS).apply(input, 220);
    expect(Math.abs(centsBetween(estimator.estimate(guided)!.frequency, 220))).toBeLessThan(20);
  });

  test('bad options name the problem', () => {
    expect(() => harmonicCombMask(0, OPTIONS)).toThrow(/f0 must be within \(0, 8000\) Hz, got 0/);
    expect(() => harmonicCombMask(220, { ...OPTIONS, floor: 0 })).toThrow(/floor must be within \(0, 1\]/);
    expect(() => harmonicCombMask(220, { ...OPTIONS, widthCents: -1 })).toThrow(/widthCents must be positive/);
    expect(() => new HarmonicComb({ ...OPTIONS, iterations: 1.5 })).toThrow(/iterations must be an integer/);
  });
});
