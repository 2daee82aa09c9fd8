/**
 * Ranking candidates by sound class with the shipped bundle's class reader: the kept candidate is the one the
 * reader, on its own (`readClasses`, the candidate regenerated alone from its documented noise stream), finds most
 * likely to be the class the prompt asks for; the scorer alone (rankByClass false) keeps another somewhere.
 */
import { join } from 'node:path';
import { AudioDiffusionPipeline, type GenerateOptions } from '../../src/pipeline/audio-diffusion-pipeline';
import { Rng } from '../../src/utils/random';

const BUNDLE = join(__dirname, '../../models/foley-small');
const FAST: GenerateOptions = { durationSeconds: 1, numInferenceSteps: 6, scheduler: 'ddim', candidates: 1 };

describe('ranking by the class the prompt asks for', () => {
  let pipeline: AudioDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await AudioDiffusionPipeline.fromPretrained(BUNDLE);
  });
  afterAll(() => pipeline?.dispose());

  const probabilityOf = async (data: Float32Array, className: string): Promise<number> => {
    const all = await pipeline.readClasses({ data, sampleRate: pipeline.sampleRate }, pipeline.classReader!.config.classes.length);
    return all.find((c) => c.className === className)!.probability;
  };

  it('keeps the candidate the class reader rates most likely to be a snare drum, as each candidate reads alone', async () => {
    const size = pipeline.latentSize(pipeline.latentFramesFor(FAST.durationSeconds! * pipeline.sampleRate));
    const prompt = 'a tight snare drum hit';
    const candidates = 4;
    let differs = 0;
    for (const seed of [3, 4, 5]) {
      const ranked = (await pipeline.generate(prompt, { ...FAST, seed, candidates })).audios[0];
      const byScore = (await pipeline.generate(prompt, { ...FAST, seed, candidates, rankByClass: false })).audios[0];
      expect(byScore.classProbability).toBeUndefined();
      const alone: number[] = [];
      for (let j = 0; j < candidates; j++) {
        const stream = new Rng(seed).fork(0);
        const noise = (j === 0 ? stream : stream.fork(j)).fill(new Float32Array(size));
        const single = (await pipeline.generate(prompt, { ...FAST, seed: 999, latents: noise })).audios[0];
        alone.push(await probabilityOf(single.data, 'snare drum'));
      }
      const best = alone.reduce((b, p, j) => (p > alone[b] ? j : b), 0);
      // The reader saw the waveform before its 5 ms fades; the delivered one reads within a few hundredths.
      expect(Math.abs(ranked.classProbability! - alone[ranked.candidate])).toBeLessThan(0.03);
      expect(alone[ranked.candidate]).toBeGreaterThan(Math.max(...alone) - 0.03);
      if (Math.max(...alone.filter((_, j) => j !== best)) < alone[best] - 0.03) expect(ranked.candidate).toBe(best);
      if (byScore.candidate !== ranked.candidate) differs += 1;
    }
    expect(differs).toBeGreaterThan(0);
  });

  it('reads what a sound is; a prompt whose class it cannot tell is ranked by the scorer alone', async () => {
    const snare = (await pipeline.generate('a tight snare drum hit', { ...FAST, seed: 3 })).audios[0];
    const top = await pipeline.readClasses(snare, 3);
    expect(top).toHaveLength(3);
    expect(top[0].probability).toBeGreaterThanOrEqual(top[1].probability);
    for (const c of top) expect(pipeline.classReader!.config.classes).toContain(c.className);
    const vague = await pipeline.generate('a loud sound', { ...FAST, seed: 3, candidates: 2 });
    expect(vague.audios[0].classProbability).toBeUndefined();
    await expect(pipeline.readClasses(snare, 0)).rejects.toThrow(/top/);
  });
});
