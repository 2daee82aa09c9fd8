/**
 * Does the shipped model do what prompts ask? Measured with plain signal processing on generated audio (an
 * independent judge: the STFT is parity-tested against torch), on contrasts the training labels define:
 * pitch (the prompted note name), envelope (a drum hit against a sustained note) and dynamics. Each contrast is
 * judged over several seeds, so one unlucky sample does not decide it; the full held-out evaluation with a
 * trained classifier is `training/run.sh eval` (numbers in the model card).
 */
import { AudioDiffusionPipeline } from '../../src/pipeline/audio-diffusion-pipeline';
import { Stft } from '../../src/dsp/stft';

const SEEDS = [1, 2, 3, 4];
const STEPS = 12;

/** Frequency (Hz) of the strongest bin of the mean magnitude spectrum between 50 Hz and 4 kHz. */
function dominantFrequency(audio: Float32Array, sampleRate: number): number {
  const stft = new Stft({ nFft: 2048, hopLength: 512 });
  const { data, bins, frames } = stft.magnitude(audio);
  let best = 0;
  let bestBin = 0;
  const hzPerBin = sampleRate / 2048;
  for (let k = Math.ceil(50 / hzPerBin); k < Math.min(bins, 4000 / hzPerBin); k++) {
    let sum = 0;
    for (let t = 0; t < frames; t++) sum += data[k * frames + t];
    if (sum > best) {
      best = sum;
      bestBin = k;
    }
  }
  return bestBin * hzPerBin;
}

/** RMS level of samples [from, to) seconds. */
function rmsBetween(audio: Float32Array, sampleRate: number, from: number, to: number): number {
  const a = Math.floor(from * sampleRate);
  const b = Math.min(audio.length, Math.floor(to * sampleRate));
  let sum = 0;
  for (let i = a; i < b; i++) sum += audio[i] * audio[i];
  return Math.sqrt(sum / Math.max(1, b - a));
}

const median = (values: number[]) => [...values].sort((p, q) => p - q)[Math.floor(values.length / 2)];
const midiToHz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

describe('the shipped model follows its prompts', () => {
  let pipeline: AudioDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await AudioDiffusionPipeline.fromPretrained();
  });
  afterAll(() => pipeline?.dispose());

  const generate = async (prompt: string, seconds: number, seed: number) =>
    (await pipeline.generate(prompt, { durationSeconds: seconds, numInferenceSteps: STEPS, seed })).audio;

  // Held-out pitch accuracy is still far from its goal (model card); this contrast of two octaves is what the
  // model gets right since the input-skip release.
  it('puts the prompted note two octaves apart where it belongs (flute c4 vs c6)', async () => {
    const low: number[] = [];
    const high: number[] = [];
    for (const seed of SEEDS) {
      low.push(dominantFrequency(await generate('a flute note, c4', 1.5, seed), pipeline.sampleRate));
      high.push(dominantFrequency(await generate('a flute note, c6', 1.5, seed), pipeline.sampleRate));
    }
    // The median dominant frequency of each sits within a semitone-and-a-half of the note or one of its first harmonics.
    const near = (hz: number, midi: number) => [1, 2, 3].some((h) => Math.abs(12 * Math.log2(hz / (h * midiToHz(midi)))) < 1.5);
    expect({ low: median(low), nearC4: near(median(low), 60) }).toEqual({ low: median(low), nearC4: true });
    expect({ high: median(high), nearC6: near(median(high), 84) }).toEqual({ high: median(high), nearC6: true });
    expect(median(high)).toBeGreaterThan(2 * median(low));
  });

  it('makes a drum hit decay and a sustained organ note hold', async () => {
    const decay = async (prompt: string) => {
      const ratios: number[] = [];
      for (const seed of SEEDS) {
        const audio = await generate(prompt, 2, seed);
        ratios.push(rmsBetween(audio, pipeline.sampleRate, 1.0, 1.5) / rmsBetween(audio, pipeline.sampleRate, 0, 0.3));
      }
      return median(ratios);
    };
    const snare = await decay('a tight acoustic snare hit');
    const organ = await decay('a sustained church organ note, c4');
    expect(organ).toBeGreaterThan(0.3);
    expect(snare).toBeLessThan(0.1);
  });

  it('follows dynamics: "very soft" sounds quieter than "very loud" before normalisation', async () => {
    const level = async (prompt: string) => {
      const levels: number[] = [];
      for (const seed of SEEDS) {
        const audio = (await pipeline.generate(prompt, { durationSeconds: 1, numInferenceSteps: STEPS, seed, normalize: { kind: 'none' } })).audio;
        levels.push(rmsBetween(audio, pipeline.sampleRate, 0, 1));
      }
      return median(levels);
    };
    expect(await level('a very soft trumpet note, c5')).toBeLessThan(await level('a very loud trumpet note, c5'));
  });
});
