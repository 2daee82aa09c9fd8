// foley's DSP core: pure TypeScript over typed arrays (no I/O, no ONNX), usable in Node and browsers.
export { FftPlan } from './fft';
export { hannWindow, hammingWindow, blackmanWindow, createWindow, WINDOW_TYPES } from './windows';
export type { WindowType, WindowOptions } from './windows';
export { Stft, stft, istft } from './stft';
export type { StftOptions, PadMode, Spectrogram, ComplexSpectrogram } from './stft';
export { hzToMel, melToHz, melFilterbank, applyMelFilterbank } from './mel';
export type { MelScale, MelNorm, MelFilterbank, MelFilterbankOptions } from './mel';
export { LogMel, logMel, AUDIOLDM_LOG_MEL, logMelOptionsFromConfig } from './log-mel';
export type { LogMelOptions, LogMelSpectrogram, SnakeCaseMelConfig } from './log-mel';
export { melToLinear } from './mel-inverse';
export type { MelInverseOptions } from './mel-inverse';
export { griffinLim } from './griffin-lim';
export type { GriffinLimOptions } from './griffin-lim';
export { amplitudeToDb, powerToDb, dbToAmplitude, dbToPower } from './db';
export type { ToDbOptions } from './db';
export { PitchEstimator, centsBetween, midiToHz } from './pitch';
export type { PitchEstimatorOptions, PitchEstimate } from './pitch';
