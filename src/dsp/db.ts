/**
 * Amplitude / power ↔ decibels, as torchaudio.functional.amplitude_to_DB and DB_to_amplitude:
 *   dB = multiplier·log10(max(x, amin)) − multiplier·log10(max(amin, ref)), multiplier 20 (amplitude) or 10 (power),
 * then, with `topDb`, clamped below at (max dB − topDb) over the whole array.
 */
import { InvalidArgumentError } from '../utils/errors';

export interface ToDbOptions {
  /** Reference value mapped to 0 dB; default 1. */
  ref?: number;
  /** Smallest value considered (avoids log(0)); default 1e-10 (torchaudio's AmplitudeToDB). */
  amin?: number;
  /** Dynamic range kept below the maximum, in dB; default none. */
  topDb?: number;
}

function toDb(values: ArrayLike<number>, multiplier: number, options: ToDbOptions, out?: Float32Array): Float32Array {
  const ref = options.ref ?? 1;
  const amin = options.amin ?? 1e-10;
  if (!(amin > 0)) throw new InvalidArgumentError(`amin must be positive, got: ${amin}`, amin);
  if (!(ref > 0)) throw new InvalidArgumentError(`ref must be positive, got: ${ref}`, ref);
  if (options.topDb !== undefined && !(options.topDb >= 0)) throw new InvalidArgumentError(`topDb must be non-negative, got: ${options.topDb}`, options.topDb);
  const result = out ?? new Float32Array(values.length);
  const offset = multiplier * Math.log10(Math.max(amin, ref));
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const db = multiplier * Math.log10(v > amin ? v : amin) - offset;
    result[i] = db;
    if (db > max) max = db;
  }
  if (options.topDb !== undefined) {
    const floor = max - options.topDb;
    for (let i = 0; i < result.length; i++) if (result[i] < floor) result[i] = floor;
  }
  return result;
}

/** 20·log10(amplitude / ref). */
export function amplitudeToDb(values: ArrayLike<number>, options: ToDbOptions = {}, out?: Float32Array): Float32Array {
  return toDb(values, 20, options, out);
}

/** 10·log10(power / ref). */
export function powerToDb(values: ArrayLike<number>, options: ToDbOptions = {}, out?: Float32Array): Float32Array {
  return toDb(values, 10, options, out);
}

/** ref·10^(dB/20). */
export function dbToAmplitude(values: ArrayLike<number>, ref = 1, out?: Float32Array): Float32Array {
  const result = out ?? new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) result[i] = ref * Math.pow(10, values[i] / 20);
  return result;
}

/** ref·10^(dB/10). */
export function dbToPower(values: ArrayLike<number>, ref = 1, out?: Float32Array): Float32Array {
  const result = out ?? new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) result[i] = ref * Math.pow(10, values[i] / 10);
  return result;
}
