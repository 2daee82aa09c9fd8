import { LogMel, logMel, AUDIOLDM_LOG_MEL, logMelOptionsFromConfig } from '../../src/dsp/log-mel';
import { reference, referenceNames } from './reference';

describe('AudioLDM log-mel matches torchaudio MelSpectrogram(power=1, Slaney) + log(clamp(x, 1e-5))', () => {
  test.each(referenceNames('logmel/'))('%s', (name) => {
    const ref = reference(name);
    const input = reference(`input/${ref.params.source as string}`).data;
    const ours = logMel(input);
    expect([ours.nMels, ours.frames]).toEqual(ref.shape);
    expect(ours.frames).toBe(Math.floor(input.length / 160) + 1);
    // Linear amplitude within 1e-4 of the mel's scale; log values within 1e-4 wherever the mel is above 1e-3 of it.
    let scale = 0;
    for (const v of ref.data) scale = Math.max(scale, Math.exp(v));
    let linearError = 0;
    let logError = 0;
    for (let i = 0; i < ref.data.length; i++) {
      linearError = Math.max(linearError, Math.abs(Math.exp(ours.data[i]) - Math.exp(ref.data[i])));
      if (Math.exp(ref.data[i]) > 1e-3 * scale) logError = Math.max(logError, Math.abs(ours.data[i] - ref.data[i]));
    }
    expect(linearError / scale).toBeLessThan(1e-4);
    expect(logError).toBeLessThan(1e-4);
  });
});

describe('LogMel', () => {
  test('the AudioLDM configuration and the bundle-config mapping', () => {
    expect(AUDIOLDM_LOG_MEL).toMatchObject({ sampleRate: 16000, nFft: 1024, hopLength: 160, winLength: 1024, nMels: 64, fMin: 0, fMax: 8000, logFloor: 1e-5, power: 1 });
    const fromConfig = logMelOptionsFromConfig({ sample_rate: 16000, n_fft: 1024, hop_length: 160, win_length: 1024, n_mels: 64, f_min: 0, f_max: 8000, mel_scale: 'slaney', mel_norm: 'slaney', log_floor: 1e-5 });
    expect(fromConfig).toEqual({ ...AUDIOLDM_LOG_MEL });
    expect(() => logMelOptionsFromConfig({ ...{ sample_rate: 16000, n_fft: 1024, hop_length: 160, win_length: 1024, n_mels: 64, f_min: 0, f_max: 8000, mel_norm: 'slaney', log_floor: 1e-5 }, mel_scale: 'erb' })).toThrow(/mel_scale/);
  });

  test('silence sits at the floor ln(1e-5); a caller-owned output is filled in place', () => {
    const plan = new LogMel();
    const out = new Float32Array(64 * plan.frameCount(1600));
    const result = plan.compute(new Float32Array(1600), out);
    expect(result.data).toBe(out);
    for (const v of out) expect(v).toBeCloseTo(Math.log(1e-5), 5);
  });

  test('a 1 kHz tone peaks in the mel band whose centre is nearest 1 kHz', () => {
    const plan = new LogMel();
    const x = Float32Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const { data, nMels, frames } = plan.compute(x);
    const t = Math.floor(frames / 2);
    let best = 0;
    for (let m = 1; m < nMels; m++) if (data[m * frames + t] > data[best * frames + t]) best = m;
    const centers = Array.from(plan.filterbank.centers);
    const nearest = centers.reduce((b, c, m) => (Math.abs(c - 1000) < Math.abs(centers[b] - 1000) ? m : b), 0);
    expect(Math.abs(best - nearest)).toBeLessThanOrEqual(1);
  });
});
