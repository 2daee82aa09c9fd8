import { griffinLim } from '../../src/dsp/griffin-lim';
import { Stft } from '../../src/dsp/stft';
import { reference, referenceNames, relativeError } from './reference';

function spectralConvergence(target: Float32Array, signal: Float32Array, stft: Stft): number {
  const a = stft.magnitude(signal).data;
  let num = 0;
  let den = 0;
  for (let i = 0; i < target.length; i++) {
    num += (a[i] - target[i]) ** 2;
    den += target[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('Griffin-Lim matches torchaudio.functional.griffinlim\'s loop from a stored initial phase', () => {
  test.each(referenceNames('griffinlim/'))('%s', (name) => {
    const ref = reference(name);
    const p = ref.params as { n_fft: number; hop_length: number; win_length: number; momentum: number; n_iter: number; length: number };
    const input = reference('input/two_tone').data;
    const stft = new Stft({ nFft: p.n_fft, hopLength: p.hop_length, winLength: p.win_length });
    const magnitude = stft.magnitude(input);
    const y = griffinLim(magnitude, { nFft: p.n_fft, hopLength: p.hop_length, winLength: p.win_length, iterations: p.n_iter, momentum: p.momentum, initialPhase: reference('griffinlim_phase/two_tone').data, length: p.length });
    expect(relativeError(y, ref.data)).toBeLessThan(1e-4);
  });
});

describe('Griffin-Lim', () => {
  const input = reference('input/chirp').data.subarray(0, 8000);
  const stft = new Stft({ nFft: 512, hopLength: 128 });
  const magnitude = stft.magnitude(input);
  const options = { nFft: 512, hopLength: 128, length: input.length };

  test('more iterations bring the magnitude closer; the fast variant converges faster than plain', () => {
    const sc = (iterations: number, momentum: number) => spectralConvergence(magnitude.data, griffinLim(magnitude, { ...options, iterations, momentum }), stft);
    const plain4 = sc(4, 0);
    const plain32 = sc(32, 0);
    const fast32 = sc(32, 0.99);
    expect(plain32).toBeLessThan(plain4);
    expect(fast32).toBeLessThan(plain32);
    expect(fast32).toBeLessThan(0.2);
  });

  test('same seed, same samples; another seed, other samples; progress is reported per iteration', () => {
    const seen: number[] = [];
    const a = griffinLim(magnitude, { ...options, iterations: 3, seed: 5, onIteration: (i) => seen.push(i) });
    const b = griffinLim(magnitude, { ...options, iterations: 3, seed: 5 });
    const c = griffinLim(magnitude, { ...options, iterations: 3, seed: 6 });
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
    expect(seen).toEqual([1, 2, 3]);
  });

  test('magnitudePower 0.5 on a power spectrogram equals power 1 on the magnitude', () => {
    const power = { ...magnitude, data: magnitude.data.map((v) => v * v) };
    const a = griffinLim(magnitude, { ...options, iterations: 2, initialPhase: 'zero' });
    const b = griffinLim(power, { ...options, iterations: 2, initialPhase: 'zero', magnitudePower: 0.5 });
    expect(relativeError(b, a)).toBeLessThan(1e-5);
  });

  test('bad options are rejected', () => {
    expect(() => griffinLim(magnitude, { ...options, momentum: 1 })).toThrow(/momentum must be within \[0, 1\)/);
    expect(() => griffinLim(magnitude, { ...options, length: 100 })).toThrow(/length 100 gives 1 frames; the magnitude has 63/);
    expect(() => griffinLim(magnitude, { ...options, nFft: 1024 })).toThrow(/513/);
  });
});
