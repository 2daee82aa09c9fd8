import type { Seconds } from '../types/units';

/** The stages of one generation, in order (`rank` only with a bundle that has a scorer). */
export type PipelineStage = 'encode' | 'denoise' | 'rank' | 'decode' | 'vocode' | 'postprocess';

/** Typed progress events passed to `onProgress`. */
export type PipelineProgress =
  /** A bundle file is being loaded (fromPretrained). */
  | { type: 'load'; file: string; loaded: number; total: number }
  /** A stage starts. */
  | { type: 'stage'; stage: PipelineStage }
  /**
   * One denoising step finished. `predOriginalSample` is the scheduler's current estimate of the clean latents
   * [B, C, F, frames] (a preview: decode it with `decodeLatents` to hear where the step is heading).
   */
  | { type: 'step'; step: number; totalSteps: number; timestep: number; elapsed: Seconds; predOriginalSample?: Float32Array }
  /** Something the caller should know: unknown prompt words, duration rounded for a loop, no scorer to re-rank... */
  | { type: 'warning'; code: 'unknown-words' | 'truncated-prompt' | 'loop-duration' | 'no-scorer' | 'pitch-miss' | 'weak-class'; message: string };

export type ProgressCallback = (event: PipelineProgress) => void;
