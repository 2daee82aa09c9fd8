import { InvalidArgumentError } from './errors';

/** Throws InvalidArgumentError with `message` unless `condition` holds. */
export function assert(condition: unknown, message: string, value?: unknown): asserts condition {
  if (!condition) throw new InvalidArgumentError(message, value);
}

/** Asserts `min <= value <= max` and finite: "`name` must be within [min, max], got: value". */
export function assertRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be within [${min}, ${max}], got: ${value}`, value);
  }
}

/** Asserts an integer within [min, max]. */
export function assertInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer within [${min}, ${max}], got: ${value}`, value);
  }
}
