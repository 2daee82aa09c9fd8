// foley's public API: explicit named re-exports only.
export * from './utils/errors';
export * from './schedulers';
export { Rng, randn, portableLog } from './utils/random';
export type { Hertz, Seconds, Samples, Decibels, LUFS, NormalRange } from './types/units';
export { OnnxSession, onnxBackend, setOnnxBackend, WordTokenizer, PromptEncoder, Denoiser, VaeDecoder, VaeEncoder, LatentScorer, ClassReader } from './models';
export type { FeedTensor, OutputTensor, TensorSignature, OnnxSessionOptions, OnnxBackend, OrtModule, TokenizerJson, TokenizedPrompt, TextEncoderConfig, UNetConfig, GuidedPrediction, VaeConfig, ScorerConfig } from './models';
export { NeuralVocoder, GriffinLimVocoder, createVocoder, readVocoderConfig, checkVocoderConfig } from './models/vocoder';
export type { Vocoder, VocoderKind, NeuralVocoderOptions, GriffinLimVocoderOptions } from './models/vocoder';
export { AudioDiffusionPipeline, DEFAULT_BUNDLE, GeneratedAudio, readBundle, validateBundle, checkOnnxSignature, ONNX_CONTRACT, FetchBundleReader, promptedNote, noteFromToken, checkPitch, IN_TUNE_CENTS } from './pipeline';
export type { GenerateOptions, VaryOptions, InpaintOptions, InterpolateOptions, InterpolationEnd, PipelineLoadOptions, Normalization, GenerationResult, StageTimings, PipelineProgress, PipelineStage, ProgressCallback, ModelIndex, ModelDefaults, ValidatedBundle, WavSampleFormat, BundleReader, FetchBundleReaderOptions, BundleFiles, PromptedNote, PitchCheck } from './pipeline';
export { FftPlan, hannWindow, hammingWindow, blackmanWindow, createWindow, WINDOW_TYPES, Stft, stft, istft, hzToMel, melToHz, melFilterbank, applyMelFilterbank, LogMel, logMel, AUDIOLDM_LOG_MEL, logMelOptionsFromConfig, melToLinear, griffinLim, amplitudeToDb, powerToDb, dbToAmplitude, dbToPower, PitchEstimator, centsBetween, midiToHz, HarmonicComb, harmonicCombMask, HarmonicResynthesis } from './dsp';
export type { WindowType, WindowOptions, StftOptions, PadMode, Spectrogram, ComplexSpectrogram, MelScale, MelNorm, MelFilterbank, MelFilterbankOptions, LogMelOptions, LogMelSpectrogram, SnakeCaseMelConfig, MelInverseOptions, GriffinLimOptions, ToDbOptions, PitchEstimatorOptions, PitchEstimate, HarmonicCombOptions, HarmonicResynthesisOptions } from './dsp';
export { RawAudio, decodeWav, encodeWav, describeWavFormat, readWav, readWavBytes, writeWav, downmix, Resampler, resample, resampleChannels, peakAmplitude, peakDb, applyGain, normalizePeak, kWeightingFilters, defaultChannelWeights, measureLoudness, integratedLoudness, normalizeLoudness, fadeIn, fadeOut, findSound, trimSilence } from './audio';
export type { WavFormatInfo, DecodedWav, EncodeWavOptions, WriteWavOptions, ResamplerOptions, Biquad, LoudnessOptions, LoudnessMeasurement, FadeShape, FadeOptions, TrimSilenceOptions } from './audio';
