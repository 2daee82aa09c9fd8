import { downmix } from '../../src/audio/mix';
import { applyGain, normalizePeak, peakAmplitude, peakDb } from '../../src/audio/gain';
import { fadeIn, fadeOut } from '../../src/audio/fade';
import { findSound, trimSilence } from '../../src/audio/trim';
import { RawAudio } from '../../src/audio/raw-audio';
import { decodeWav } from '../../src/audio/wav';
import { InvalidArgumentError } from '../../src/utils/errors';
import { toneAmplitude } from './support';

const f32 = (...v: number[]) => Float32Array.from(v);

describe('downmix', () => {
  test('is the mean of the channels', () => {
    expect(Array.from(downmix([f32(1, 0.5, -1), f32(0, 0.5, 1), f32(0.5, 0.5, 0.75)]))).toEqual([0.5, 0.5, 0.25]);
    const mono = f32(0.1, 0.2);
    expect(downmix([mono])).toEqual(mono);
    expect(downmix([mono])).not.toBe(mono);
  });
  test('rejects ragged or empty input', () => {
    expect(() => downmix([])).toThrow(InvalidArgumentError);
    expect(() => downmix([f32(1), f32(1, 2)])).toThrow(/channel 0 has 1 samples, channel 1 has 2/);
  });
});

describe('peak and gain', () => {
  test('peak in dBFS over all channels', () => {
    expect(peakAmplitude([f32(0.1, -0.5), f32(0.25, 0)])).toBe(0.5);
    expect(peakDb([f32(0.1, -0.5)])).toBeCloseTo(-6.0206, 4);
    expect(peakDb([f32(0, 0)])).toBe(-Infinity);
  });
  test('normalizePeak puts the peak on the target with one gain for all channels', () => {
    const out = normalizePeak([f32(0.1, -0.5), f32(0.25, 0)], -1);
    expect(peakDb(out)).toBeCloseTo(-1, 5);
    expect(out[1][0] / out[0][0]).toBeCloseTo(2.5, 5);
    expect(Array.from(normalizePeak([f32(0, 0)])[0])).toEqual([0, 0]);
    expect(() => normalizePeak([f32(1)], NaN)).toThrow(/finite/);
  });
  test('applyGain', () => {
    expect(applyGain([f32(0.5)], -6.0206)[0][0]).toBeCloseTo(0.25, 4);
  });
});

describe('fades', () => {
  const sr = 1000;
  const ones = () => [new Float32Array(2000).fill(1)];
  test('linear fade-in rises as i / n from silence and leaves the rest untouched', () => {
    const [out] = fadeIn(ones(), sr, { duration: 0.5 });
    expect(out[0]).toBe(0);
    expect(out[250]).toBeCloseTo(0.5, 6);
    expect(out[499]).toBeCloseTo(499 / 500, 6);
    expect(out[500]).toBe(1);
    expect(out[1999]).toBe(1);
  });
  test('equal-power fades: sin and cos laws, constant power across a crossfade', () => {
    const [up] = fadeIn(ones(), sr, { duration: 1, shape: 'equal-power' });
    const [down] = fadeOut(ones(), sr, { duration: 1, shape: 'equal-power' });
    expect(up[500]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(down[1999]).toBe(0);
    // The fade-out is the fade-in reversed in time (ending on an exact zero), so overlapping the fade-in with
    // the fade-out shifted by one sample gives sin² + cos² = 1 at every sample.
    for (let i = 1; i < 1000; i += 37) expect(up[i] ** 2 + down[999 + i] ** 2).toBeCloseTo(1, 6);
  });
  test('fades longer than the audio cover it all; bad options are refused', () => {
    const [out] = fadeOut([f32(1, 1, 1, 1)], sr, { duration: 10 });
    expect(Array.from(out)).toEqual([0.75, 0.5, 0.25, 0]);
    expect(() => fadeIn(ones(), sr, { duration: -1 })).toThrow(/duration/);
    expect(() => fadeIn(ones(), sr, { duration: 1, shape: 'cubic' as 'linear' })).toThrow(/shape/);
  });
});

describe('silence trimming', () => {
  const db = (v: number) => 10 ** (v / 20);
  const audio = [f32(0, db(-70), 0.5, 0, db(-50), db(-65), 0), f32(0, 0, 0, db(-40), 0, 0, db(-61))];
  test('finds the first and last samples above the threshold in any channel', () => {
    expect(findSound(audio, -60)).toEqual({ start: 2, end: 5 });
    expect(findSound(audio, -80)).toEqual({ start: 1, end: 7 });
    expect(findSound(audio, 0)).toEqual({ start: 0, end: 0 });
  });
  test('trims, keeps a margin, one side only', () => {
    expect(trimSilence(audio, 1, { thresholdDb: -60 }).map((c) => c.length)).toEqual([3, 3]);
    expect(Array.from(trimSilence(audio, 1, { thresholdDb: -60 })[0])).toEqual(Array.from(audio[0].slice(2, 5)));
    expect(trimSilence(audio, 1, { thresholdDb: -60, margin: 1 })[0]).toHaveLength(5);
    expect(trimSilence(audio, 1, { thresholdDb: -60, end: false })[0]).toHaveLength(5);
    expect(trimSilence(audio, 1, { thresholdDb: -60, start: false })[0]).toHaveLength(5);
    expect(trimSilence([new Float32Array(10)], 1)[0]).toHaveLength(0);
  });
});

describe('RawAudio', () => {
  test('wraps channels, measures, converts, and chains operations', () => {
    const sr = 44100;
    const left = Float32Array.from({ length: sr }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr));
    const audio = new RawAudio([left, left.map((v) => v / 2)], sr);
    expect(audio.numberOfChannels).toBe(2);
    expect(audio.length).toBe(sr);
    expect(audio.duration).toBe(1);
    expect(audio.peakDb()).toBeCloseTo(20 * Math.log10(0.5), 3);
    expect(audio.toMono()[1000]).toBeCloseTo(0.75 * left[1000], 6);
    const processed = audio.mono().resample(16000).normalizePeak(-3).fadeIn({ duration: 0.1 }).fadeOut({ duration: 0.1, shape: 'equal-power' });
    expect(processed.sampleRate).toBe(16000);
    expect(processed.length).toBe(16000);
    expect(toneAmplitude(processed.channelData[0], 16000, 440, 2000, 14000)).toBeCloseTo(10 ** (-3 / 20), 3);
    const back = decodeWav(processed.toWav({ format: 'float32' }));
    expect(back.channelData[0]).toEqual(processed.channelData[0]);
    expect(Math.abs(audio.normalizeLoudness(-20).loudness() + 20)).toBeLessThan(1e-6);
    expect(new RawAudio(f32(0, 0, 0.5, 0), 4).trimSilence().length).toBe(1);
    expect(RawAudio.fromWav(audio.toWav()).source?.encoding).toBe('pcm');
  });
  test('refuses bad construction', () => {
    expect(() => new RawAudio([], 16000)).toThrow(InvalidArgumentError);
    expect(() => new RawAudio(f32(1), 0)).toThrow(/sampleRate must be a positive number of Hz, got 0/);
  });
});
