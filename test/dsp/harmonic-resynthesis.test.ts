import { HarmonicResynthesis } from '../../src/dsp/harmonic-resynthesis';
import { reference, relativeError } from './reference';

const OPTIONS = { sampleRate: 16000, nFft: 1024, hopLength: 160 };

/** Least-squares amplitude of the partial at `hz` over samples [from, to). */
function partialAmplitude(x: Float32Array, hz: number, from: number, to: number): number {
  let c = 0;
  let s = 0;
  for (let i = from; i < to; i++) {
    c += x[i] * Math.cos((2 * Math.PI * hz * i) / OPTIONS.sampleRate);
    s += x[i] * Math.sin((2 * Math.PI * hz * i) / OPTIONS.sampleRate);
  }
  return (2 * Math.hypot(c, s)) / (to - from);
}

/** Σ(x[i + lag] − x[i])² / Σ x[i]² over the middle of the signal: 0 for a signal that repeats every `lag`. */
function periodicity(x: Float32Array, lag: number): number {
  let energy = 0;
  let difference = 0;
  for (let i = 2000; i < 14000; i++) {
    energy += x[i] ** 2;
    difference += (x[i + lag] - x[i]) ** 2;
  }
  return difference / energy;
}

describe('HarmonicResynthesis (the pitch guide below E3)', () => {
  test('matches pitch_guide.resynthesize in training/foley_train on a drifting E1 with clicks every three hops', () => {
    const input = reference('harmonic_resynthesis/input').data;
    const ref = reference('harmonic_resynthesis/f0_41.2034');
    expect(ref.params).toMatchObject({ n_fft: 1024, hop_length: 160, sample_rate: 16000 });
    const rebuilt = new HarmonicResynthesis(OPTIONS).apply(input, ref.params.f0 as number);
    expect(rebuilt.length).toBe(input.length);
    // float32 spectra against torch's float64
    expect(relativeError(rebuilt, ref.data)).toBeLessThan(1e-5);
  });

  // 62.5 Hz is exactly 4 bins of 15.625 Hz: a Hann window leaks a bin-centred partial into its two neighbours only,
  // so every harmonic's amplitude is read without error and the exact answer is known.
  const f0 = 62.5;
  const n = 16000;
  const amplitudes = Array.from({ length: 40 }, (_, k) => 0.3 / (k + 1));
  const [FROM, TO] = [2048, 2048 + 48 * 256]; // whole periods, so the partials are orthogonal there
  const steady = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < amplitudes.length; k++) steady[i] += amplitudes[k] * Math.cos((2 * Math.PI * f0 * (k + 1) * i) / OPTIONS.sampleRate + 1.7 * k * k);
  }

  test('keeps the amplitude of every harmonic of a steady tone', () => {
    const rebuilt = new HarmonicResynthesis(OPTIONS).apply(steady, f0);
    for (const [k, expected] of amplitudes.entries()) {
      expect(Math.abs(partialAmplitude(rebuilt, f0 * (k + 1), FROM, TO) - expected)).toBeLessThan(1e-3 * amplitudes[0]);
    }
    // nothing but harmonics: half-way between two of them there is no energy
    expect(partialAmplitude(rebuilt, f0 * 10.5, FROM, TO)).toBeLessThan(1e-4 * amplitudes[0]);
  });

  test('makes a sound that repeats at the requested period, whatever periodicity it had', () => {
    const clicks = new Float32Array(n);
    for (let i = 0; i < n; i += 480) clicks[i] = 2; // 33.3 Hz, the vocoder's three-hop buzz
    const mixed = steady.map((v, i) => v + clicks[i]);
    const rebuilt = new HarmonicResynthesis(OPTIONS).apply(mixed, f0);
    // The clicks' energy at the harmonics varies from frame to frame, and the rebuilt amplitudes follow it, so
    // the period is not exact; YIN (de Cheveigné & Kawahara 2002) calls a frame periodic under 0.15.
    const period = OPTIONS.sampleRate / f0; // 256 samples
    expect(periodicity(rebuilt, period)).toBeLessThan(0.01);
    expect(periodicity(mixed, period)).toBeGreaterThan(0.15); // the input is not, by the same rule
  });

  test('bad input names the problem', () => {
    const rebuild = new HarmonicResynthesis(OPTIONS);
    expect(() => rebuild.apply(steady, 0)).toThrow(/f0 must be within \(0, 8000\) Hz, got 0/);
    expect(() => rebuild.apply(steady, 9000)).toThrow(/f0 must be within \(0, 8000\) Hz, got 9000/);
    expect(() => rebuild.apply(new Float32Array(100), 100)).toThrow(/at least one hop \(160 samples\) of audio, got 100/);
  });
});
