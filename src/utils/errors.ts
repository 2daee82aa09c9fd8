/**
 * Typed errors. Each carries the offending value so callers (and the CLI) can say what was wrong and how
 * to fix it. `exitCode` is what the CLI exits with: 2 for bad input or usage, 1 for a runtime failure.
 */
export class FoleyError extends Error {
  readonly exitCode: 1 | 2;
  readonly value: unknown;
  constructor(message: string, options: { value?: unknown; exitCode?: 1 | 2; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.value = options.value;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** An argument outside what the API accepts (empty prompt, negative duration, ...). */
export class InvalidArgumentError extends FoleyError {
  constructor(message: string, value?: unknown) {
    super(message, { value, exitCode: 2 });
  }
}

/** A WAV file (or buffer) that cannot be decoded, or audio that cannot be encoded. */
export class WavFormatError extends FoleyError {
  constructor(message: string, value?: unknown) {
    super(message, { value, exitCode: 2 });
  }
}

/** A model bundle whose manifest, files or ONNX signatures are not what foley expects. */
export class ModelBundleError extends FoleyError {
  constructor(message: string, value?: unknown) {
    super(message, { value, exitCode: 2 });
  }
}

/** A scheduler config with keys or values a scheduler cannot honour. */
export class SchedulerConfigError extends FoleyError {
  constructor(message: string, value?: unknown) {
    super(message, { value, exitCode: 2 });
  }
}

/** An output path that exists (without `force`) or cannot be written. */
export class OutputPathError extends FoleyError {
  constructor(message: string, value?: unknown) {
    super(message, { value, exitCode: 2 });
  }
}

/** A generation stopped through its AbortSignal. */
export class AbortError extends FoleyError {
  constructor(message = 'generation aborted') {
    super(message, { exitCode: 1 });
  }
}
