/**
 * The class guard with the shipped model: the pitch guide is undone exactly where the class reader, reading each
 * delivered sound independently (`readClasses`), finds the guided sound more than CLASS_GUARD_NATS less likely to be
 * the prompt's class than the sound as generated; elsewhere the guided sound is kept. With candidates, every one is
 * guided (and guarded) before the ranking.
 */
import { join } from 'node:path';
import { AudioDiffusionPipeline, CLASS_GUARD_NATS } from '../../src/pipeline/audio-diffusion-pipeline';
import type { GeneratedAudio } from '../../src/pipeline/result';
import { Rng } from '../../src/utils/random';
import { CLASS_GUARD_DECIDES, CLASS_GUARD_PROMPT, FAST } from '../support/seed-scenarios';

const BUNDLE = join(__dirname, '../../models/foley-small');

describe('the class guard on the pitch guide', () => {
  let pipeline: AudioDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await AudioDiffusionPipeline.fromPretrained(BUNDLE);
  });
  afterAll(() => pipeline?.dispose());

  const logProbability = async (audio: GeneratedAudio, className: string): Promise<number> => {
    const classes = await pipeline.readClasses({ data: audio.data, sampleRate: audio.sampleRate }, 343);
    const entry = classes.find((c) => c.className === className);
    expect(entry).toBeDefined();
    return Math.log(entry!.probability);
  };
  const same = (a: GeneratedAudio, b: GeneratedAudio): boolean => Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer));

  it('undoes the pitch guide only where the class reader hears the guided sound as much less the prompt\'s class', async () => {
    const options = { ...FAST, seed: CLASS_GUARD_DECIDES.committed, numWaveformsPerPrompt: 4, rankByPitch: false };
    const plain = await pipeline.generate(CLASS_GUARD_PROMPT, { ...options, pitchGuide: false });
    const guided = await pipeline.generate(CLASS_GUARD_PROMPT, { ...options, classGuard: false });
    const guarded = await pipeline.generate(CLASS_GUARD_PROMPT, options);
    const byStream = (result: typeof plain, stream: number): GeneratedAudio => result.audios.find((a) => a.stream === stream)!;
    let declined = 0;
    let kept = 0;
    for (let stream = 0; stream < 4; stream++) {
      const [before, after, delivered] = [byStream(plain, stream), byStream(guided, stream), byStream(guarded, stream)];
      if (!after.pitch!.guided) {
        // Not guided (in tune as generated): nothing to guard.
        expect(same(delivered, before)).toBe(true);
        continue;
      }
      // The guard read the waveforms before their 5 ms fades; the delivered ones differ from them only there.
      const drop = (await logProbability(before, 'trombone')) - (await logProbability(after, 'trombone'));
      if (drop > CLASS_GUARD_NATS + 0.05) {
        expect(same(delivered, before)).toBe(true);
        expect(delivered.pitch).toEqual({ ...before.pitch, guideDeclined: true });
        declined += 1;
      } else if (drop < CLASS_GUARD_NATS - 0.05) {
        expect(same(delivered, after)).toBe(true);
        expect(delivered.pitch).toEqual(after.pitch);
        kept += 1;
      }
    }
    // The committed seed (test/support/seed-scenarios.ts): the guard decides both ways.
    expect(declined).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
  });

  it('says in the pitch-miss warning that a guide was declined', async () => {
    const messages: string[] = [];
    const options = { ...FAST, seed: CLASS_GUARD_DECIDES.committed, numWaveformsPerPrompt: 4, rankByPitch: false };
    const result = await pipeline.generate(CLASS_GUARD_PROMPT, { ...options, onProgress: (e) => { if (e.type === 'warning' && e.code === 'pitch-miss') messages.push(e.message); } });
    const declined = result.audios.filter((a) => a.pitch!.guideDeclined);
    expect(declined.length).toBeGreaterThan(0);
    expect(messages).toHaveLength(1);
    expect(messages[0].match(/left as generated: the pitch guide would have changed its sound class/g)).toHaveLength(declined.filter((a) => !a.pitch!.inTune).length);
  });

  it('guides and guards every candidate before ranking: the kept one is the best as delivered, as each is alone', async () => {
    const size = pipeline.latentSize(pipeline.latentFramesFor(FAST.durationSeconds! * pipeline.sampleRate));
    const candidates = 4;
    let guidedKept = 0;
    for (const seed of [1, 2, 3]) {
      const ranked = (await pipeline.generate(CLASS_GUARD_PROMPT, { ...FAST, seed, candidates })).audios[0];
      const alone: GeneratedAudio[] = [];
      for (let j = 0; j < candidates; j++) {
        const stream = new Rng(seed).fork(0);
        const noise = (j === 0 ? stream : stream.fork(j)).fill(new Float32Array(size));
        alone.push((await pipeline.generate(CLASS_GUARD_PROMPT, { ...FAST, seed: 999, latents: noise })).audios[0]);
      }
      const kept = alone[ranked.candidate];
      // Delivered alone as in the batch: guided or left as generated alike, the same pitch to a hundredth of a cent.
      expect([ranked.pitch!.guided, ranked.pitch!.guideDeclined, ranked.pitch!.inTune]).toEqual([kept.pitch!.guided, kept.pitch!.guideDeclined, kept.pitch!.inTune]);
      expect(Math.abs(ranked.pitch!.centsOff! - kept.pitch!.centsOff!)).toBeLessThan(0.01);
      // In tune as delivered first, then the class reader's favourite (within the fades' few hundredths).
      const contenders = alone.some((a) => a.pitch!.inTune) ? alone.filter((a) => a.pitch!.inTune) : alone;
      expect(contenders).toContain(kept);
      const probabilities = await Promise.all(contenders.map(async (a) => Math.exp(await logProbability(a, 'trombone'))));
      expect(Math.exp(await logProbability(kept, 'trombone'))).toBeGreaterThan(Math.max(...probabilities) - 0.03);
      if (ranked.pitch!.guided) guidedKept += 1;
    }
    // A guided candidate competed and won somewhere: ranking saw the guided sound, not the one as generated.
    expect(guidedKept).toBeGreaterThan(0);
  });
});
