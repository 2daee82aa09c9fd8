// foley's audio layer: WAV decoding/encoding and sample-level work over Float32Array channels.
// Everything but wav-file (node:fs) is pure and runs in browsers too.
export { decodeWav, encodeWav, describeWavFormat } from './wav';
export type { WavSampleFormat, WavFormatInfo, DecodedWav, EncodeWavOptions } from './wav';
export { readWav, readWavBytes, writeWav } from './wav-file';
export type { WriteWavOptions } from './wav-file';
export { RawAudio } from './raw-audio';
export { downmix } from './mix';
export { Resampler, resample, resampleChannels } from './resample';
export type { ResamplerOptions } from './resample';
export { peakAmplitude, peakDb, applyGain, normalizePeak } from './gain';
export { kWeightingFilters, defaultChannelWeights, measureLoudness, integratedLoudness, normalizeLoudness } from './loudness';
export type { Biquad, LoudnessOptions, LoudnessMeasurement } from './loudness';
export { fadeIn, fadeOut } from './fade';
export type { FadeShape, FadeOptions } from './fade';
export { findSound, trimSilence } from './trim';
export type { TrimSilenceOptions } from './trim';
