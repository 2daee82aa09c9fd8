/**
 * The pipeline with the bundle's text–audio scorer: scoring a real recording against prompts, best-of-N
 * candidates (checked against every candidate regenerated on its own from its documented noise stream),
 * ranking, determinism, and the errors of a bundle without a scorer. Short clips and few steps keep it fast.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AudioDiffusionPipeline, type GenerateOptions } from '../../src/pipeline/audio-diffusion-pipeline';
import type { PipelineProgress } from '../../src/pipeline/progress';
import { InvalidArgumentError } from '../../src/utils/errors';
import { Rng } from '../../src/utils/random';
import { decodeWav } from './support/capture-io';
import { maxAbsDiff } from '../support/parity';

const BUNDLE = join(__dirname, '../../models/foley-small');
const TINY = join(__dirname, '../fixtures/tiny-bundle');
// A real recording: a sustained cello note, E♭3 (test/fixtures/vocoder).
const CELLO = join(__dirname, '../fixtures/vocoder/cello-eb3.wav');
// DDIM at eta 0 is deterministic, so a candidate regenerated alone from its initial noise is the same candidate.
// One candidate unless a test asks for more (the bundle's default is best of 4).
const FAST: GenerateOptions = { durationSeconds: 0.5, numInferenceSteps: 4, scheduler: 'ddim', candidates: 1 };

const bytes = (data: Float32Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
describe('AudioDiffusionPipeline with a scorer', () => {
  let pipeline: AudioDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await AudioDiffusionPipeline.fromPretrained(BUNDLE);
  });
  afterAll(() => pipeline?.dispose());

  it('loads the scorer', () => {
    expect(pipeline.hasScorer).toBe(true);
    expect(pipeline.scorer?.config.hidden_size).toBe(pipeline.bundle.configs.text_encoder.hidden_size);
  });

  it('scoreAudio: a real cello note matches its own description better than other sounds and other pitches', async () => {
    const wav = decodeWav(readFileSync(CELLO));
    const audio = { data: wav.channelData[0], sampleRate: wav.sampleRate };
    const matching = 'a sustained cello note, eb3';
    const others = ['a tight snare drum hit', 'a bass drum hit', 'glass breaking', 'a dog barking', 'a door slam', 'a loud trumpet note, g4'];
    const [score, ...otherScores] = await pipeline.scoreAudio(audio, [matching, ...others]);
    for (let i = 0; i < others.length; i++) expect({ prompt: others[i], below: otherScores[i] < score }).toEqual({ prompt: others[i], below: true });
    // The pitch counts too: the same instrument two octaves' worth of semitones away scores lower.
    expect(await pipeline.scoreAudio(audio, 'a sustained cello note, g2')).toBeLessThan(score);
    // One prompt alone scores as it does in a batch of prompts.
    expect(Math.abs((await pipeline.scoreAudio(audio, matching)) - score)).toBeLessThan(1e-5);
    expect(Math.abs(score)).toBeLessThanOrEqual(1);
  });

  it('scoreLatents matches the PyTorch scorer on the parity fixture, and checks its arguments', async () => {
    const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/bundle-parity/scorer.json'), 'utf8')) as { latent: number[]; latent_dims: number[]; text_embeds: number[]; score: number[] };
    const [batch, , , frames] = fixture.latent_dims;
    const latents = Float32Array.from(fixture.latent);
    const scores = await pipeline.scoreLatents(latents, batch, frames, Float32Array.from(fixture.text_embeds));
    scores.forEach((s, b) => expect(Math.abs(s - fixture.score[b])).toBeLessThan(1e-4));
    await expect(pipeline.scoreLatents(latents, batch, frames - 2, Float32Array.from(fixture.text_embeds))).rejects.toThrow(InvalidArgumentError);
    await expect(pipeline.scoreLatents(latents, batch, frames, new Float32Array(3))).rejects.toThrow(/promptEmbeds must hold 2 × 256 values/);
    // embedPrompts: one row of hidden_size per prompt, each as the prompt embeds alone.
    const D = pipeline.bundle.configs.text_encoder.hidden_size;
    const embeds = await pipeline.embedPrompts(['a tight snare drum hit', 'glass breaking']);
    expect(embeds).toHaveLength(2 * D);
    const alone = await pipeline.embedPrompts('glass breaking');
    for (let i = 0; i < D; i++) expect(Math.abs(embeds[D + i] - alone[i])).toBeLessThan(1e-5);
  });

  it('keeps, for each waveform, the candidate that scores best, as each candidate scores when generated alone', async () => {
    const frames = pipeline.latentFramesFor(FAST.durationSeconds! * pipeline.sampleRate);
    const size = pipeline.latentSize(frames);
    const prompt = 'a tight snare drum hit';
    const candidates = 4;
    let picked = 0;
    for (const seed of [3, 4]) {
      // The class reader off: this is about the scorer's choice (test/pipeline/class-ranking.test.ts: the reader's).
      const result = await pipeline.generate(prompt, { ...FAST, seed, candidates, numWaveformsPerPrompt: 2, rankByClass: false });
      expect(result.reranked).toBe(true);
      expect(result.audios.map((a) => a.stream).sort()).toEqual([0, 1]);
      for (const audio of result.audios) {
        // Candidate j of stream k, regenerated on its own from the documented stream: fork(k), then fork(j) for j >= 1.
        const alone: { score: number; data: Float32Array }[] = [];
        for (let j = 0; j < candidates; j++) {
          const stream = new Rng(seed).fork(audio.stream);
          const noise = (j === 0 ? stream : stream.fork(j)).fill(new Float32Array(size));
          const single = (await pipeline.generate(prompt, { ...FAST, seed: 999, latents: noise })).audios[0];
          alone.push({ score: single.score!, data: single.data });
        }
        const best = alone.reduce((b, c, j) => (c.score > alone[b].score ? j : b), 0);
        expect(new Set(alone.map((c) => c.score)).size).toBe(candidates);
        expect(Math.abs(audio.score! - alone[best].score)).toBeLessThan(1e-4);
        expect(audio.candidate).toBe(best);
        expect(maxAbsDiff(audio.data, alone[best].data)).toBeLessThan(1e-4);
        if (best > 0) picked += 1;
      }
      // Ranked best first.
      expect(result.audios[0].score!).toBeGreaterThanOrEqual(result.audios[1].score!);
      expect(result.audios.map((a) => a.index)).toEqual([0, 1]);
    }
    // The selection really happened somewhere (a later candidate beat the plain stream).
    expect(picked).toBeGreaterThan(0);
  });

  it('without the option, candidates is the bundle\'s default (4), bit for bit; the same seed and candidates give the same bytes', async () => {
    const { candidates: _one, ...bundleDefault } = FAST;
    const plain = await pipeline.generate('glass breaking', { ...bundleDefault, seed: 21 });
    const four = await pipeline.generate('glass breaking', { ...FAST, seed: 21, candidates: 4 });
    expect(bytes(four.audio).equals(bytes(plain.audio))).toBe(true);
    expect(four.audios[0].score).toBe(plain.audios[0].score);
    expect([plain.candidates, plain.reranked]).toEqual([4, true]);
    const one = await pipeline.generate('glass breaking', { ...FAST, seed: 21 });
    expect([one.candidates, one.reranked, one.audios[0].candidate]).toEqual([1, false, 0]);
    const options = { ...FAST, seed: 22, candidates: 3, scheduler: 'dpm++2m-sde', numWaveformsPerPrompt: 2 };
    const a = await pipeline.generate('a dog barking', options);
    const b = await pipeline.generate('a dog barking', options);
    expect(a.audios.map((x) => [x.stream, x.candidate, x.score])).toEqual(b.audios.map((x) => [x.stream, x.candidate, x.score]));
    a.audios.forEach((x, k) => expect(bytes(x.data).equals(bytes(b.audios[k].data))).toBe(true));
  });

  it('orders each prompt\'s waveforms by score, each keeping the stream it came from', async () => {
    const frames = pipeline.latentFramesFor(FAST.durationSeconds! * pipeline.sampleRate);
    const size = pipeline.latentSize(frames);
    const prompts = ['rain falling', 'a door slam'];
    const result = await pipeline.generate(prompts, { ...FAST, seed: 5, numWaveformsPerPrompt: 3 });
    expect(result.reranked).toBe(true);
    expect(result.audios.map((a) => a.prompt)).toEqual(prompts.flatMap((p) => [p, p, p]));
    for (let p = 0; p < prompts.length; p++) {
      const mine = result.audios.slice(3 * p, 3 * p + 3);
      expect(mine.map((a) => a.stream).sort()).toEqual([0, 1, 2]);
      for (let i = 1; i < 3; i++) expect(mine[i - 1].score!).toBeGreaterThanOrEqual(mine[i].score!);
      for (const audio of mine) {
        // Prompt p's stream s is the call's waveform p·3 + s: regenerate it alone and compare its score and audio.
        const noise = new Rng(5).fork(3 * p + audio.stream).fill(new Float32Array(size));
        const alone = (await pipeline.generate(prompts[p], { ...FAST, latents: noise })).audios[0];
        expect(Math.abs(alone.score! - audio.score!)).toBeLessThan(1e-4);
        expect(maxAbsDiff(alone.data, audio.data)).toBeLessThan(1e-4);
      }
    }
  });

  it('scores loops, vary and inpaint too, and reports a rank stage', async () => {
    const events: PipelineProgress[] = [];
    const loop = await pipeline.generate('rain on a tin roof', { ...FAST, seed: 2, loop: true, durationSeconds: 0.52, candidates: 2, rankByClass: false, onProgress: (e) => events.push(e) });
    expect(Number.isFinite(loop.audios[0].score)).toBe(true);
    expect(events.filter((e) => e.type === 'stage').map((e) => (e as { stage: string }).stage)).toEqual(['encode', 'denoise', 'rank', 'decode', 'vocode', 'postprocess']);
    expect(loop.timings.rank).toBeGreaterThan(0);
    const input = loop.audios[0];
    const varied = await pipeline.vary(input, 'rain on a tin roof', { numInferenceSteps: 4, strength: 0.5, seed: 1 });
    expect(Number.isFinite(varied.audios[0].score)).toBe(true);
    const inpainted = await pipeline.inpaint(input, 'a door slam', { start: 0.1, end: 0.3, numInferenceSteps: 4, seed: 1 });
    expect(Number.isFinite(inpainted.audios[0].score)).toBe(true);
  });

  it('rejects candidates outside 1–16 and batches beyond 64 latents', async () => {
    for (const candidates of [0, 17, 1.5, Number.NaN]) {
      await expect(pipeline.generate('a bell', { ...FAST, candidates })).rejects.toThrow(/candidates must be an integer within \[1, 16\]/);
    }
    await expect(pipeline.generate('a bell', { ...FAST, candidates: 16, numWaveformsPerPrompt: 5 })).rejects.toThrow(/at most 64 latents are denoised per call .* 1 × 5 × 16 = 80/);
    await expect(pipeline.generate('a bell', { ...FAST, candidates: 2, latents: new Float32Array(pipeline.latentSize(pipeline.latentFramesFor(8000))) })).rejects.toThrow(/latents must hold 1 waveform × 2 candidates/);
  });
});

describe('AudioDiffusionPipeline without a scorer (tiny bundle)', () => {
  let pipeline: AudioDiffusionPipeline;
  beforeAll(async () => {
    pipeline = await AudioDiffusionPipeline.fromPretrained(TINY);
  });
  afterAll(() => pipeline?.dispose());

  it('refuses candidates > 1, naming the problem and the fix', async () => {
    expect(pipeline.hasScorer).toBe(false);
    const error = await pipeline.generate('glass breaking', { ...FAST, candidates: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/candidates 2 needs a scorer .* has none: use candidates 1, or a bundle whose model_index\.json names a "scorer" component/);
    expect((error as InvalidArgumentError).value).toBe(2);
    await expect(pipeline.scoreAudio({ data: new Float32Array(8000), sampleRate: 16000 }, 'glass breaking')).rejects.toThrow(/scoreAudio needs a scorer/);
    await expect(pipeline.scoreLatents(new Float32Array(4), 1, 4, new Float32Array(4))).rejects.toThrow(InvalidArgumentError);
  });

  it('generates as before: candidates 1 changes nothing, no score, and several waveforms stay in stream order', async () => {
    const plain = await pipeline.generate('glass breaking', { ...FAST, seed: 4 });
    const one = await pipeline.generate('glass breaking', { ...FAST, seed: 4, candidates: 1 });
    expect(bytes(one.audio).equals(bytes(plain.audio))).toBe(true);
    expect(plain.audios[0].score).toBeUndefined();
    expect(plain.audios[0].candidate).toBe(0);
    const events: PipelineProgress[] = [];
    const several = await pipeline.generate('glass breaking', { ...FAST, seed: 4, numWaveformsPerPrompt: 2, onProgress: (e) => events.push(e) });
    expect(several.reranked).toBe(false);
    expect(several.audios.map((a) => a.stream)).toEqual([0, 1]);
    expect(events.some((e) => e.type === 'warning' && e.code === 'no-scorer')).toBe(true);
    expect(events.some((e) => e.type === 'stage' && e.stage === 'rank')).toBe(false);
    expect(several.timings.rank).toBe(0);
  });
});
