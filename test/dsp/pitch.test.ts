import { PitchEstimator, centsBetween, midiToHz } from '../../src/dsp/pitch';
import { Rng } from '../../src/utils/random';

const SR = 16000;

/** A decaying harmonic tone with exactly known f0: partial h at h·f0·√(1 + B·h²) (B: piano-like stretch). */
function tone(f0: number, options: { seconds?: number; partials?: number; rolloff?: number; skipFundamental?: boolean; stretch?: number; decay?: number } = {}): Float32Array {
  const n = Math.round((options.seconds ?? 2) * SR);
  const out = new Float32Array(n);
  const rolloff = options.rolloff ?? 0.7;
  for (let h = 1; h <= (options.partials ?? 10); h++) {
    if (h === 1 && options.skipFundamental === true) continue;
    const f = f0 * h * Math.sqrt(1 + (options.stretch ?? 0) * h * h);
    if (f >= SR / 2) break;
    for (let i = 0; i < n; i++) out[i] += rolloff ** (h - 1) * Math.sin((2 * Math.PI * f * i) / SR) * Math.exp(-i / SR / (options.decay ?? 0.8));
  }
  return out;
}

function noise(n: number, seed: number, gain = 1): Float32Array {
  const out = new Float32Array(n);
  new Rng(seed).fill(out, 0, gain);
  return out;
}

describe('PitchEstimator (subharmonic summation)', () => {
  const estimator = new PitchEstimator({ sampleRate: SR });

  test('finds the f0 of harmonic tones from B0 to C7 within 10 cents (off-grid, detuned)', () => {
    const rng = new Rng(3);
    const errors: string[] = [];
    for (let midi = 23; midi <= 96; midi += 2) {
      const f0 = midiToHz(midi) * 2 ** ((rng.nextFloat() - 0.5) * 0.4 / 12);
      const estimate = estimator.estimate(tone(f0, { seconds: 1 }));
      const cents = estimate === undefined ? Number.NaN : centsBetween(estimate.frequency, f0);
      if (!(Math.abs(cents) < 10)) errors.push(`midi ${midi} (${f0.toFixed(2)} Hz): ${estimate?.frequency.toFixed(2)} Hz, ${cents.toFixed(1)} cents`);
    }
    expect(errors).toEqual([]);
  });

  test('hears the missing fundamental, and neither the octave above nor below', () => {
    for (const midi of [36, 48, 60, 72]) {
      const f0 = midiToHz(midi);
      const estimate = estimator.estimate(tone(f0, { skipFundamental: true, rolloff: 0.85 }));
      expect(estimate).toBeDefined();
      expect(Math.abs(centsBetween(estimate!.frequency, f0))).toBeLessThan(10);
    }
  });

  test('a pure sine and a stretched (piano-like) partial series keep their f0', () => {
    for (const midi of [45, 60, 84]) {
      const f0 = midiToHz(midi);
      expect(Math.abs(centsBetween(estimator.estimate(tone(f0, { partials: 1 }))!.frequency, f0))).toBeLessThan(25);
      expect(Math.abs(centsBetween(estimator.estimate(tone(f0, { stretch: 2e-4 }))!.frequency, f0))).toBeLessThan(25);
    }
  });

  test('a tone in noise at 10 dB SNR is still found', () => {
    const f0 = midiToHz(57);
    const clean = tone(f0, { decay: 100 });
    let power = 0;
    for (const v of clean) power += v * v;
    const noisy = noise(clean.length, 9, Math.sqrt(power / clean.length / 10));
    for (let i = 0; i < clean.length; i++) noisy[i] += clean[i];
    expect(Math.abs(centsBetween(estimator.estimate(noisy)!.frequency, f0))).toBeLessThan(10);
  });

  test('silence, white noise and too-short clips have no pitch', () => {
    expect(estimator.estimate(new Float32Array(SR))).toBeUndefined();
    for (const seed of [1, 2, 3]) expect(estimator.estimate(noise(2 * SR, seed))).toBeUndefined();
    expect(estimator.estimate(new Float32Array(0))).toBeUndefined();
  });

  test('only the pitched part of a clip counts: a note after a noise burst', () => {
    const f0 = midiToHz(64);
    const clip = new Float32Array(2 * SR);
    clip.set(noise(SR / 4, 5, 0.3));
    clip.set(tone(f0, { seconds: 1.75 }), SR / 4);
    const estimate = estimator.estimate(clip)!;
    expect(Math.abs(centsBetween(estimate.frequency, f0))).toBeLessThan(10);
    expect(estimate.pitchedShare).toBeLessThan(1);
  });

  test('track gives one f0 per frame into a caller-owned buffer, NaN where silent', () => {
    const clip = new Float32Array(SR);
    clip.set(tone(440, { seconds: 0.5 }));
    const out = new Float64Array(estimator.frameCount(clip.length));
    const f0 = estimator.track(clip, out);
    expect(f0).toBe(out);
    expect(Math.abs(centsBetween(f0[0], 440))).toBeLessThan(10);
    expect(Number.isNaN(f0[f0.length - 1])).toBe(true);
    expect(() => estimator.track(clip, new Float64Array(1))).toThrow(/out must hold/);
  });

  test('bad options name the problem', () => {
    expect(() => new PitchEstimator({ sampleRate: 0 })).toThrow(/sampleRate must be positive/);
    expect(() => new PitchEstimator({ sampleRate: SR, minFrequency: 500, maxFrequency: 100 })).toThrow(/minFrequency < maxFrequency/);
    expect(() => new PitchEstimator({ sampleRate: SR, fftSize: 3000 })).toThrow(/power of two/);
  });

  test('midiToHz and centsBetween', () => {
    expect(midiToHz(69)).toBe(440);
    expect(midiToHz(60)).toBeCloseTo(261.6256, 3);
    expect(centsBetween(880, 440)).toBeCloseTo(1200, 10);
    expect(centsBetween(midiToHz(61), midiToHz(60))).toBeCloseTo(100, 8);
  });
});
