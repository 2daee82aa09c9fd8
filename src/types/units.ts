/** Unit aliases (Tone.js style): the name says what a number measures. */
export type Hertz = number;
export type Seconds = number;
/** A count of audio samples (per channel). */
export type Samples = number;
export type Decibels = number;
/** Integrated loudness, ITU-R BS.1770 / EBU R128. */
export type LUFS = number;
/** A number in [0, 1]. */
export type NormalRange = number;
