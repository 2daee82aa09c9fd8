/**
 * The seed-scenario tests: tests whose committed seed must make the shipped model do one particular thing (miss a
 * note, then be guided onto it; have the scorer's favourite off the note). A new UNet changes what every seed does,
 * so each release re-finds the seeds with `npm run find-seeds` (test/tools/find-seeds.tool.ts), which tries seeds
 * with the predicates below. Each predicate states the preconditions its test relies on; the test itself asserts
 * the behaviour (and fails, naming the seed, when a release breaks a precondition).
 */
import { AudioDiffusionPipeline, type GenerateOptions } from '../../src/pipeline/audio-diffusion-pipeline';

/**
 * DDIM at eta 0 is deterministic, so a candidate regenerated alone from its initial noise is the same candidate. One
 * candidate (the bundle's default is best of 4): the tests that rank say how many.
 */
export const FAST: GenerateOptions = { durationSeconds: 1, numInferenceSteps: 6, scheduler: 'ddim', candidates: 1 };

/** The pitch guide as it acts alone: the class guard (`GenerateOptions.classGuard`) off. */
export const UNGUARDED: GenerateOptions = { ...FAST, classGuard: false };

/** The vocoder's three-hop buzz, in samples (3 × 160 at 16 kHz): what a note below its pitch floor repeats at. */
export const BUZZ_PERIOD = 480;

/**
 * YIN's cumulative-mean-normalised difference (de Cheveigné & Kawahara 2002, eq. 8) at a (fractional) lag, over
 * 0.2 s from the loudest point on: near 0 for a sound that repeats at that lag, about 1 for one that does not.
 */
export function aperiodicity(x: Float32Array, lag: number): number {
  let peak = 0;
  for (let i = 1; i < x.length; i++) if (Math.abs(x[i]) > Math.abs(x[peak])) peak = i;
  const start = Math.min(peak, x.length - 3200 - Math.ceil(lag) - 1);
  const d = (tau: number): number => {
    const whole = Math.floor(tau);
    const frac = tau - whole;
    let sum = 0;
    for (let i = start; i < start + 3200; i++) sum += (x[i] - (x[i + whole] * (1 - frac) + x[i + whole + 1] * frac)) ** 2;
    return sum;
  };
  let mean = 0;
  for (let tau = 1; tau <= Math.floor(lag); tau++) mean += d(tau);
  return d(lag) / (mean / Math.floor(lag));
}

export interface SeedScenario {
  /** Where the seed is committed. */
  where: string;
  /** What the seed must make the model do. */
  wants: string;
  /** The seed committed now. */
  committed: number;
  holds(pipeline: AudioDiffusionPipeline, seed: number): Promise<boolean>;
}

/** A below-floor note: two waveforms, as generated (in tune or not as `inTuneBefore` says) and rebuilt. */
async function belowFloor(pipeline: AudioDiffusionPipeline, prompt: string, seed: number, inTuneBefore: boolean): Promise<boolean> {
  const options = { ...UNGUARDED, durationSeconds: 2, seed, numWaveformsPerPrompt: 2, rankByPitch: false };
  const plain = await pipeline.generate(prompt, { ...options, pitchGuide: false });
  if (!plain.audios.every((a) => a.pitch!.inTune === inTuneBefore)) return false;
  if (!inTuneBefore && !plain.audios.every((a) => aperiodicity(a.data, BUZZ_PERIOD) < aperiodicity(a.data, pipeline.sampleRate / a.pitch!.expected))) return false;
  const rebuilt = await pipeline.generate(prompt, options);
  return rebuilt.audios.every((a) => {
    const period = pipeline.sampleRate / a.pitch!.expected;
    return aperiodicity(a.data, period) < 0.15 && aperiodicity(a.data, period) < aperiodicity(a.data, BUZZ_PERIOD);
  });
}

export const BELOW_FLOOR_MISS: SeedScenario = {
  where: 'test/pipeline/pitch-ranking.test.ts (rebuilds every note below the floor)',
  wants: "both of 'a soft cello note, g2' (2 s) off g2 and buzzing at 480 samples more than at the note; periodic at g2 once rebuilt",
  committed: 2,
  holds: (pipeline, seed) => belowFloor(pipeline, 'a soft cello note, g2', seed, false),
};

export const BELOW_FLOOR_IN_TUNE: SeedScenario = {
  where: 'test/pipeline/pitch-ranking.test.ts (rebuilds every note below the floor)',
  wants: "both of 'a soft cello note, c3' (2 s) in tune as generated; periodic at c3 once rebuilt",
  committed: 1,
  holds: (pipeline, seed) => belowFloor(pipeline, 'a soft cello note, c3', seed, true),
};

export const COMB_FIXES_A_MISS: SeedScenario = {
  where: 'test/pipeline/pitch-ranking.test.ts (guides only the waveforms that miss)',
  wants: "of four 'a soft cello note, a3', at least one misses a3 and the comb guide brings at least one onto it",
  committed: 5,
  async holds(pipeline, seed) {
    const options = { ...UNGUARDED, seed, numWaveformsPerPrompt: 4, rankByPitch: false };
    const plain = await pipeline.generate('a soft cello note, a3', { ...options, pitchGuide: false });
    if (plain.audios.every((a) => a.pitch!.inTune)) return false;
    const guided = await pipeline.generate('a soft cello note, a3', options);
    return guided.audios.some((a, k) => !plain.audios[k].pitch!.inTune && a.pitch!.inTune);
  },
};

export const SCORER_PICK_OFF_NOTE: SeedScenario = {
  where: 'test/cli/generate.test.ts (PITCH_SEED)',
  wants: "'a soft cello note, g2', 4 candidates (1 s, 6 DDIM steps), no guide: the scorer's favourite is off g2 and the pitch-ranked pick is in tune",
  committed: 1,
  async holds(pipeline, seed) {
    const options = { ...FAST, seed, candidates: 4, pitchGuide: false };
    const ranked = await pipeline.generate('a soft cello note, g2', options);
    const scoreOnly = await pipeline.generate('a soft cello note, g2', { ...options, rankByPitch: false });
    return ranked.audios[0].pitch!.inTune && !scoreOnly.audios[0].pitch!.inTune;
  },
};

export const CLASS_GUARD_PROMPT = 'a soft trombone note, c#3';

export const CLASS_GUARD_DECIDES: SeedScenario = {
  where: 'test/pipeline/class-guard.test.ts',
  wants: `of four '${CLASS_GUARD_PROMPT}', the class guard undoes the pitch guide on at least one and keeps it on at least one`,
  committed: 1,
  async holds(pipeline, seed) {
    const guarded = await pipeline.generate(CLASS_GUARD_PROMPT, { ...FAST, seed, numWaveformsPerPrompt: 4, rankByPitch: false });
    return guarded.audios.some((a) => a.pitch!.guideDeclined) && guarded.audios.some((a) => a.pitch!.guided);
  },
};

export const SEED_SCENARIOS: readonly SeedScenario[] = [BELOW_FLOOR_MISS, BELOW_FLOOR_IN_TUNE, COMB_FIXES_A_MISS, SCORER_PICK_OFF_NOTE, CLASS_GUARD_DECIDES];
