/** Messages between the page (main.ts) and the pipeline worker (worker.ts). */
import type { ClassAccuracy } from '../src/pipeline/class-reliability';
import type { AudioConfig } from '../src/pipeline/model-index';
import type { PipelineStage } from '../src/pipeline/progress';
import type { StageTimings } from '../src/pipeline/result';
import type { PitchCheck } from '../src/pipeline/prompted-note';

/** The generation settings the page sends (GenerateOptions without callbacks and buffers). */
export interface GenerateRequest {
  prompt: string;
  negativePrompt: string;
  durationSeconds: number;
  numInferenceSteps: number;
  guidanceScale: number;
  /** Guided fraction of the steps, [guidanceStart, guidanceStop) (GenerateOptions.guidanceStart / guidanceStop). */
  guidanceStart: number;
  guidanceStop: number;
  scheduler: string;
  seed: number;
  numWaveformsPerPrompt: number;
  /** Best-of-N per waveform (1 unless the bundle has a scorer). */
  candidates: number;
  loop: boolean;
  /** Pull a sound that misses its prompted note toward it (GenerateOptions.pitchGuide). */
  pitchGuide: boolean;
}

export type ToWorker =
  /** `ortUrl`: where onnxruntime-web's own wasm loader lies (ort/), for threads: its workers start from it. */
  | { type: 'load'; bundleUrl: string; numThreads: number; ortUrl: string }
  | { type: 'generate'; id: number; request: GenerateRequest; preview: boolean }
  | { type: 'cancel'; id: number };

/** What the page needs to know about the loaded bundle. */
export interface ModelInfo {
  name: string;
  bundleUrl: string;
  sampleRate: number;
  minDurationSeconds: number;
  defaults: { num_inference_steps: number; guidance_scale: number; scheduler: string; duration_seconds: number; candidates?: number };
  /** The bundle's guided fraction of the steps (defaultGuidanceInterval: 0 and 1 where it sets none). */
  guidanceInterval: { start: number; stop: number };
  audio: AudioConfig;
  /** classAccuracy: per class, validation clips heard as it (absent when the bundle has no measurement). */
  vocabulary: { words: string[]; classes: string[]; classAccuracy?: Map<string, ClassAccuracy> };
  /** tokenizer.json, so the page flags unknown words exactly as the pipeline will. */
  tokenizerJson: string;
  schedulers: string[];
  /** Whether the bundle has a scorer: scores, ranking and `candidates` > 1. */
  hasScorer: boolean;
  backend: string;
  numThreads: number;
  crossOriginIsolated: boolean;
  loadSeconds: number;
}

export type FromWorker =
  | { type: 'loading'; file: string; loaded: number; total: number; bytes?: { loaded: number; total: number } }
  | { type: 'ready'; info: ModelInfo }
  | { type: 'stage'; id: number; stage: PipelineStage }
  | { type: 'step'; id: number; step: number; totalSteps: number; elapsed: number }
  | { type: 'warning'; id: number; code: string; message: string }
  /** The predicted clean sound after a step, decoded by the VAE: log-mel [nMels][frames]. */
  | { type: 'preview'; id: number; step: number; mel: Float32Array; nMels: number; frames: number }
  /**
   * `scores[k]`: `audios[k]`'s `GeneratedAudio.score` (null without a scorer); `pitches[k]`: its pitch against the
   * prompted note (null when the prompt names none); audios come best first when ranked.
   */
  | { type: 'done'; id: number; audios: Float32Array[]; scores: (number | null)[]; pitches: (PitchCheck | null)[]; sampleRate: number; seed: number; unknownWords: string[]; timings: StageTimings; wallSeconds: number }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id?: number; name: string; message: string };
