// foley's public API: explicit named re-exports only.
export * from './utils/errors';
export type { Hertz, Seconds, Samples, Decibels, LUFS, NormalRange } from './types/units';
