export { AudioDiffusionPipeline, DEFAULT_BUNDLE } from './audio-diffusion-pipeline';
export type { GenerateOptions, VaryOptions, InpaintOptions, InterpolateOptions, InterpolationEnd, PipelineLoadOptions, Normalization } from './audio-diffusion-pipeline';
export { GeneratedAudio } from './result';
export type { GenerationResult, StageTimings } from './result';
export type { PipelineProgress, PipelineStage, ProgressCallback } from './progress';
export { readBundle, checkOnnxSignature, ONNX_CONTRACT } from './model-index';
export type { ModelIndex, AudioConfig, ValidatedBundle, VocoderConfig } from './model-index';
export type { WavSampleFormat } from './deps';
