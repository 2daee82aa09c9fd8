import { hzToMel, melToHz, melFilterbank, applyMelFilterbank, type MelNorm, type MelScale } from '../../src/dsp/mel';
import { melToLinear } from '../../src/dsp/mel-inverse';
import { LogMel } from '../../src/dsp/log-mel';
import { InvalidArgumentError } from '../../src/utils/errors';
import { reference, referenceNames, relativeError } from './reference';

describe('mel filterbanks match torchaudio.functional.melscale_fbanks', () => {
  const names = referenceNames('fbank/');
  test('fixtures cover Slaney and HTK scales with Slaney and no norm', () => expect(names.length).toBeGreaterThanOrEqual(4));
  test.each(names)('%s', (name) => {
    const ref = reference(name);
    const p = ref.params as { n_freqs: number; f_min: number; f_max: number; n_mels: number; sample_rate: number; norm: MelNorm; mel_scale: MelScale };
    const fb = melFilterbank({ sampleRate: p.sample_rate, nFft: 2 * (p.n_freqs - 1), nMels: p.n_mels, fMin: p.f_min, fMax: p.f_max, scale: p.mel_scale, norm: p.norm });
    expect([fb.nMels, fb.bins]).toEqual(ref.shape);
    expect(relativeError(fb.weights, ref.data)).toBeLessThan(1e-5);
    // The recorded non-zero ranges cover every non-zero weight.
    for (let m = 0; m < fb.nMels; m++) {
      for (let k = 0; k < fb.bins; k++) {
        if (ref.data[m * fb.bins + k] !== 0) {
          expect(k).toBeGreaterThanOrEqual(fb.start[m]);
          expect(k).toBeLessThan(fb.end[m]);
        }
      }
    }
  });
});

describe('mel scales', () => {
  test('Slaney is linear to 1 kHz (15 mel) and logarithmic above; HTK is 2595·log10(1 + f/700)', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(200)).toBeCloseTo(3, 12);
    expect(hzToMel(6400)).toBeCloseTo(42, 12); // 15 + 27 steps of ln(6.4)/27 at 6.4 kHz
    expect(hzToMel(1000, 'htk')).toBeCloseTo(999.9855, 3);
    for (const scale of ['slaney', 'htk'] as const) {
      for (const f of [0, 50, 999, 1000, 1001, 4000, 22050]) expect(melToHz(hzToMel(f, scale), scale)).toBeCloseTo(f, 8);
    }
  });
  test('bad filterbank options name the problem', () => {
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 64, fMin: 9000, fMax: 8000 })).toThrow(/fMin 9000, fMax 8000/);
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 0 })).toThrow(InvalidArgumentError);
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 8, scale: 'bark' as MelScale })).toThrow(/'slaney' or 'htk'/);
  });
});

describe('mel → linear inversion', () => {
  test('equals numpy.linalg.pinv(M) @ mel, clamped at 0, on the AudioLDM filterbank', () => {
    const ref = reference('mel_pinv/two_tone');
    const input = reference('input/two_tone').data;
    const logMel = new LogMel();
    const mel = logMel.computeLinear(input);
    const linear = melToLinear(mel.data, mel.frames, logMel.filterbank);
    expect([linear.bins, linear.frames]).toEqual(ref.shape);
    expect(relativeError(linear.data, ref.data)).toBeLessThan(1e-4);
  });

  test('NNLS refinement lowers the mel reconstruction error of the clamped pseudo-inverse', () => {
    const input = reference('input/chirp').data;
    const logMel = new LogMel();
    const mel = logMel.computeLinear(input);
    const fb = logMel.filterbank;
    const misfit = (nnlsIterations: number) => {
      const linear = melToLinear(mel.data, mel.frames, fb, { nnlsIterations });
      for (const v of linear.data) expect(v).toBeGreaterThanOrEqual(0);
      const again = applyMelFilterbank(fb, linear).data;
      let sum = 0;
      for (let i = 0; i < again.length; i++) sum += (again[i] - mel.data[i]) ** 2;
      return Math.sqrt(sum);
    };
    const clamped = misfit(0);
    const refined = misfit(50);
    expect(refined).toBeLessThan(clamped);
  });

  test('rejects a mel whose size disagrees with the frame count', () => {
    const fb = melFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 64, fMax: 8000 });
    expect(() => melToLinear(new Float32Array(64 * 3), 4, fb)).toThrow(/64 mels × 4 frames need 256/);
  });
});
