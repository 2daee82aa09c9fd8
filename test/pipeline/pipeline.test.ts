import { join } from 'node:path';
import { AudioDiffusionPipeline, type GenerateOptions } from '../../src/pipeline/audio-diffusion-pipeline';
import type { PipelineProgress } from '../../src/pipeline/progress';
import { AbortError, InvalidArgumentError } from '../../src/utils/errors';
import { Rng } from '../../src/utils/random';
import { schedulerNames } from '../../src/schedulers/registry';
import { maxAbsDiff } from '../support/parity';

const TINY = join(__dirname, '../fixtures/tiny-bundle');
// Few steps and short clips keep the tiny-bundle tests fast; DDIM is deterministic at eta 0.
const FAST: GenerateOptions = { durationSeconds: 0.5, numInferenceSteps: 4, scheduler: 'ddim' };

const bytes = (data: Float32Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

describe('AudioDiffusionPipeline on the tiny random bundle', () => {
  let pipeline: AudioDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await AudioDiffusionPipeline.fromPretrained(TINY);
  });
  afterAll(() => pipeline.dispose());

  it('returns exactly the requested number of samples, for short, odd and long durations', async () => {
    for (const durationSeconds of [0.04, 0.37, 1.2345, 12]) {
      const result = await pipeline.generate('glass breaking', { ...FAST, durationSeconds, seed: 3, numInferenceSteps: 2 });
      expect(result.audio).toBeInstanceOf(Float32Array);
      expect(result.audio.length).toBe(Math.round(durationSeconds * result.sampleRate));
      expect(result.sampleRate).toBe(16000);
      expect(result.audio.every(Number.isFinite)).toBe(true);
    }
  });

  it('is deterministic for a seed, differs across seeds, and reports a random seed when none is given', async () => {
    const a = await pipeline.generate('a door slam', { ...FAST, seed: 42 });
    const b = await pipeline.generate('a door slam', { ...FAST, seed: 42 });
    const c = await pipeline.generate('a door slam', { ...FAST, seed: 43 });
    expect(bytes(a.audio).equals(bytes(b.audio))).toBe(true);
    expect(a.audios[0].toWav({ format: 'float32' }).equals(b.audios[0].toWav({ format: 'float32' }))).toBe(true);
    expect(bytes(a.audio).equals(bytes(c.audio))).toBe(false);
    const random = await pipeline.generate('a door slam', FAST);
    expect(Number.isSafeInteger(random.seed)).toBe(true);
    const replay = await pipeline.generate('a door slam', { ...FAST, seed: random.seed });
    expect(bytes(replay.audio).equals(bytes(random.audio))).toBe(true);
  });

  it('gives each waveform its own noise stream: results do not depend on the batch', async () => {
    const alone = await pipeline.generate('rain on a tin roof', { ...FAST, seed: 5 });
    const batch = await pipeline.generate(['rain on a tin roof', 'dog barking'], { ...FAST, seed: 5, numWaveformsPerPrompt: 2 });
    expect(batch.audios).toHaveLength(4);
    expect(batch.audios.map((a) => [a.prompt, a.stream])).toEqual([['rain on a tin roof', 0], ['rain on a tin roof', 1], ['dog barking', 0], ['dog barking', 1]]);
    expect(maxAbsDiff(batch.audios[0].data, alone.audio)).toBeLessThan(1e-5);
    expect(maxAbsDiff(batch.audios[0].data, batch.audios[1].data)).toBeGreaterThan(1e-2);
    expect(batch.reranked).toBe(false);
  });

  it('uses given latents (× initNoiseSigma) exactly like the seed that made them', async () => {
    const frames = pipeline.latentFramesFor(0.5 * 16000);
    const noise = new Rng(9).fork(0).fill(new Float32Array(pipeline.latentSize(frames)));
    const fromSeed = await pipeline.generate('glass breaking', { ...FAST, seed: 9 });
    const fromLatents = await pipeline.generate('glass breaking', { ...FAST, seed: 1, latents: noise });
    expect(bytes(fromLatents.audio).equals(bytes(fromSeed.audio))).toBe(true);
    await expect(pipeline.generate('glass breaking', { ...FAST, latents: new Float32Array(3) })).rejects.toThrow(/latents must hold/);
  });

  it('changes with the guidance scale and the negative prompt (CFG is applied)', async () => {
    const base = await pipeline.generate('a bell', { ...FAST, seed: 2, guidanceScale: 3 });
    const noGuidance = await pipeline.generate('a bell', { ...FAST, seed: 2, guidanceScale: 1 });
    const negative = await pipeline.generate('a bell', { ...FAST, seed: 2, guidanceScale: 3, negativePrompt: 'dog barking' });
    expect(maxAbsDiff(base.audio, noGuidance.audio)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(base.audio, negative.audio)).toBeGreaterThan(1e-3);
  });

  it('guides only the steps inside the guidance interval (diffusers\' start/stop rule)', async () => {
    // Per-step x0 previews of 4 DDIM steps: a guided step and an unguided one give different predictions.
    const previews = async (options: GenerateOptions) => {
      const out: Float32Array[] = [];
      await pipeline.generate('a bell', { ...FAST, seed: 4, ...options, onProgress: (e) => { if (e.type === 'step' && e.predOriginalSample !== undefined) out.push(e.predOriginalSample); } });
      return out;
    };
    const full = await previews({ guidanceScale: 3 });
    const none = await previews({ guidanceScale: 1 });
    const firstHalf = await previews({ guidanceScale: 3, guidanceStop: 0.5 });
    const secondHalf = await previews({ guidanceScale: 3, guidanceStart: 0.5 });
    expect(full).toHaveLength(4);
    // Steps 0 and 1 guided, then the conditional branch alone: the same numbers as a guidance-free run would
    // give from that state, so the first two previews match the fully guided run bit for bit and the third does not.
    expect(bytes(firstHalf[0]).equals(bytes(full[0]))).toBe(true);
    expect(bytes(firstHalf[1]).equals(bytes(full[1]))).toBe(true);
    expect(maxAbsDiff(firstHalf[2], full[2])).toBeGreaterThan(1e-4);
    expect(bytes(secondHalf[0]).equals(bytes(none[0]))).toBe(true);
    expect(bytes(secondHalf[1]).equals(bytes(none[1]))).toBe(true);
    expect(maxAbsDiff(secondHalf[2], none[2])).toBeGreaterThan(1e-4);
    // The whole interval is the plain guided run.
    const explicit = await previews({ guidanceScale: 3, guidanceStart: 0, guidanceStop: 1 });
    expect(explicit.every((p, i) => bytes(p).equals(bytes(full[i])))).toBe(true);
  });

  it('rejects a guidance interval outside [0, 1] or empty, naming both ends', async () => {
    await expect(pipeline.generate('a bell', { ...FAST, guidanceStart: 0.6, guidanceStop: 0.4 })).rejects.toThrow(/guidanceStart \(0.6\) must be below guidanceStop \(0.4\)/);
    await expect(pipeline.generate('a bell', { ...FAST, guidanceStop: 1.5 })).rejects.toThrow(InvalidArgumentError);
    await expect(pipeline.generate('a bell', { ...FAST, guidanceStart: -0.1 })).rejects.toThrow(/guidanceStart/);
  });

  it('sends load-free stage and step events in order, with an x0 preview of the latent size', async () => {
    const events: PipelineProgress[] = [];
    await pipeline.generate('glass breaking', { ...FAST, seed: 1, onProgress: (e) => events.push(e) });
    const stages = events.filter((e) => e.type === 'stage').map((e) => (e as { stage: string }).stage);
    expect(stages).toEqual(['encode', 'denoise', 'decode', 'vocode', 'postprocess']);
    const steps = events.filter((e): e is Extract<PipelineProgress, { type: 'step' }> => e.type === 'step');
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    expect(steps[0].totalSteps).toBe(4);
    expect(steps[3].predOriginalSample).toHaveLength(pipeline.latentSize(pipeline.latentFramesFor(8000)));
  });

  it('reports load progress', async () => {
    const events: PipelineProgress[] = [];
    const other = await AudioDiffusionPipeline.fromPretrained(TINY, { onProgress: (e) => events.push(e) });
    await other.dispose();
    const loads = events.filter((e) => e.type === 'load');
    expect(loads.length).toBeGreaterThanOrEqual(6);
    expect(loads.map((e) => (e as { loaded: number }).loaded)).toEqual([...loads.map((e) => (e as { loaded: number }).loaded)].sort((x, y) => x - y));
  });

  it('reports unknown prompt words in the result and as a warning', async () => {
    const events: PipelineProgress[] = [];
    const result = await pipeline.generate('glass zorblax breaking', { ...FAST, seed: 1, onProgress: (e) => events.push(e) });
    expect(result.unknownWords).toEqual(['zorblax']);
    expect(events.some((e) => e.type === 'warning' && e.code === 'unknown-words' && e.message.includes('"zorblax"'))).toBe(true);
  });

  it('stops within one step on abort and throws AbortError', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    const run = pipeline.generate('glass breaking', {
      ...FAST, numInferenceSteps: 20, seed: 1, signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'step') {
          steps.push(e.step);
          if (e.step === 2) controller.abort();
        }
      },
    });
    await expect(run).rejects.toThrow(AbortError);
    expect(steps).toEqual([1, 2]);
    const aborted = new AbortController();
    aborted.abort();
    await expect(pipeline.generate('glass breaking', { ...FAST, signal: aborted.signal })).rejects.toThrow(AbortError);
    // The pipeline stays usable after an abort.
    expect((await pipeline.generate('glass breaking', { ...FAST, seed: 1 })).audio.length).toBe(8000);
  });

  it('gives the same bytes for concurrent calls as for calls one by one', async () => {
    const prompts = ['glass breaking', 'a door slam', 'dog barking'];
    const sequential: Awaited<ReturnType<typeof pipeline.generate>>[] = [];
    for (const [i, p] of prompts.entries()) sequential.push(await pipeline.generate(p, { ...FAST, seed: 10 + i }));
    const concurrent = await Promise.all(prompts.map((p, i) => pipeline.generate(p, { ...FAST, seed: 10 + i })));
    concurrent.forEach((r, i) => expect(bytes(r.audio).equals(bytes(sequential[i].audio))).toBe(true));
  });

  it('rejects bad input with InvalidArgumentError naming the problem', async () => {
    await expect(pipeline.generate('  ', FAST)).rejects.toThrow(/the prompt is empty/);
    await expect(pipeline.generate('glass', { ...FAST, durationSeconds: -1 })).rejects.toThrow(/durationSeconds must be within/);
    await expect(pipeline.generate('glass', { ...FAST, durationSeconds: 1e6 })).rejects.toThrow(InvalidArgumentError);
    await expect(pipeline.generate('glass', { ...FAST, numInferenceSteps: 0 })).rejects.toThrow(/numInferenceSteps must be an integer/);
    await expect(pipeline.generate('glass', { ...FAST, scheduler: 'nonsense' })).rejects.toThrow(/unknown scheduler "nonsense"/);
  });

  it('makes seamless loops: the end→start junction is no larger than steps inside the clip, unlike a plain clip', async () => {
    let loopRatio = 0;
    let plainRatio = 0;
    const seeds = [1, 2, 3, 4];
    for (const seed of seeds) {
      const options = { ...FAST, durationSeconds: 1, numInferenceSteps: 6, seed, fadeSeconds: 0 };
      const loop = await pipeline.generate('rain on a tin roof', { ...options, loop: true });
      const plain = await pipeline.generate('rain on a tin roof', options);
      expect(loop.audio.length).toBe(16000);
      loopRatio += junctionRatio(loop.audio) / seeds.length;
      plainRatio += junctionRatio(plain.audio) / seeds.length;
    }
    // Ratio of the wrap-around jump to the 95th percentile of inside jumps (second differences).
    expect(loopRatio).toBeLessThan(1);
    expect(plainRatio).toBeGreaterThan(2 * loopRatio);
  });

  it('rounds loop lengths to the latent grid and says so', async () => {
    const events: PipelineProgress[] = [];
    const result = await pipeline.generate('rain', { ...FAST, durationSeconds: 0.5, loop: true, seed: 1, onProgress: (e) => events.push(e) });
    expect(result.audio.length % pipeline.samplesPerLatentFrame).toBe(0);
    expect(Math.abs(result.audio.length - 8000)).toBeLessThanOrEqual(pipeline.samplesPerLatentFrame / 2);
    expect(events.some((e) => e.type === 'warning' && e.code === 'loop-duration')).toBe(true);
  });

  it('vary: SDEdit runs the last strength·steps steps and keeps the input length', async () => {
    const input = (await pipeline.generate('glass breaking', { ...FAST, durationSeconds: 0.77, seed: 4 })).audios[0];
    const steps: number[] = [];
    const varied = await pipeline.vary(input, 'a door slam', { numInferenceSteps: 10, strength: 0.3, scheduler: 'ddim', seed: 1, onProgress: (e) => e.type === 'step' && steps.push(e.step) });
    expect(steps).toEqual([1, 2, 3]);
    expect(varied.audio.length).toBe(input.data.length);
    const again = await pipeline.vary(input, 'a door slam', { numInferenceSteps: 10, strength: 0.3, scheduler: 'ddim', seed: 1 });
    expect(bytes(again.audio).equals(bytes(varied.audio))).toBe(true);
    await expect(pipeline.vary(input, 'x', { strength: 0 })).rejects.toThrow(/strength must be within/);
  });

  it('inpaint: keeps the original outside the region and regenerates inside; continues past the end', async () => {
    const input = (await pipeline.generate('glass breaking', { ...FAST, durationSeconds: 1, seed: 4 })).audios[0];
    const options = { numInferenceSteps: 4, scheduler: 'ddim', seed: 1, normalize: { kind: 'none' as const } };
    const result = await pipeline.inpaint(input, 'a door slam', { ...options, start: 0.4, end: 0.6 });
    expect(result.audio.length).toBe(16000);
    const fade = 0.02 * 16000;
    expect(maxAbsDiff(result.audio.subarray(0, 0.4 * 16000 - fade), input.data.subarray(0, 0.4 * 16000 - fade))).toBe(0);
    expect(maxAbsDiff(result.audio.subarray(0.6 * 16000 + fade), input.data.subarray(0.6 * 16000 + fade))).toBe(0);
    expect(maxAbsDiff(result.audio.subarray(0.45 * 16000, 0.55 * 16000), input.data.subarray(0.45 * 16000, 0.55 * 16000))).toBeGreaterThan(1e-3);
    const continued = await pipeline.inpaint(input, 'a door slam', { ...options, start: 1, end: 1.5 });
    expect(continued.audio.length).toBe(24000);
    expect(maxAbsDiff(continued.audio.subarray(0, 16000 - fade), input.data.subarray(0, 16000 - fade))).toBe(0);
  });

  it('interpolate: the ends equal plain generations of A and B, the middle differs from both', async () => {
    const options = { ...FAST, guidanceScale: 3 };
    const clips = await pipeline.interpolate({ prompt: 'glass breaking', seed: 1 }, { prompt: 'dog barking', seed: 2 }, { ...options, steps: 3 });
    expect(clips.audios).toHaveLength(3);
    const a = await pipeline.generate('glass breaking', { ...options, seed: 1 });
    const b = await pipeline.generate('dog barking', { ...options, seed: 2 });
    expect(maxAbsDiff(clips.audios[0].data, a.audio)).toBeLessThan(1e-4);
    expect(maxAbsDiff(clips.audios[2].data, b.audio)).toBeLessThan(1e-4);
    expect(maxAbsDiff(clips.audios[1].data, a.audio)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(clips.audios[1].data, b.audio)).toBeGreaterThan(1e-3);
  });

  it('runs with every scheduler of the registry, by name or by config, deterministically per seed', async () => {
    for (const name of schedulerNames()) {
      const options = { ...FAST, scheduler: name, numInferenceSteps: 4, seed: 8 };
      const first = await pipeline.generate('glass breaking', options);
      const second = await pipeline.generate('glass breaking', options);
      expect({ name, finite: first.audio.every(Number.isFinite) }).toEqual({ name, finite: true });
      expect({ name, same: bytes(first.audio).equals(bytes(second.audio)) }).toEqual({ name, same: true });
    }
    const byConfig = await pipeline.generate('glass breaking', { ...FAST, scheduler: { _class_name: 'DDIMScheduler' }, seed: 8 });
    const byName = await pipeline.generate('glass breaking', { ...FAST, scheduler: 'ddim', seed: 8 });
    expect(bytes(byConfig.audio).equals(bytes(byName.audio))).toBe(true);
  });

  it('refuses to run after dispose', async () => {
    const other = await AudioDiffusionPipeline.fromPretrained(TINY);
    await other.dispose();
    expect(other.textEncoder.session.released).toBe(true);
    await expect(other.generate('glass', FAST)).rejects.toThrow(/disposed/);
  });
});

/**
 * How abrupt the wrap-around junction is: |second difference| across end→start, over the 95th percentile
 * of |second differences| inside the clip (a smooth continuation scores below 1).
 */
function junctionRatio(x: Float32Array): number {
  const n = x.length;
  const inside: number[] = [];
  for (let i = 1; i < n - 1; i++) inside.push(Math.abs(x[i + 1] - 2 * x[i] + x[i - 1]));
  inside.sort((p, q) => p - q);
  const p95 = inside[Math.floor(0.95 * inside.length)];
  const across = Math.max(Math.abs(x[0] - 2 * x[n - 1] + x[n - 2]), Math.abs(x[1] - 2 * x[0] + x[n - 1]));
  return across / p95;
}
