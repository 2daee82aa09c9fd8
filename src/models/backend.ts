import type * as Ort from 'onnxruntime-node';

/**
 * The onnxruntime flavour the ONNX components run on. Node loads `onnxruntime-node` lazily on first use (so
 * that importing the library costs nothing until a model is loaded); a browser build injects
 * `onnxruntime-web` with `setOnnxBackend(ort, { serializeRuns: true })` because the wasm backend cannot run
 * two sessions at once.
 */
export interface OnnxBackend {
  readonly ort: OrtModule;
  /** When true, `OnnxSession.run` calls are queued one after another across all sessions. */
  readonly serializeRuns: boolean;
  readonly name: string;
}

/** The part of the onnxruntime API foley uses (onnxruntime-node and onnxruntime-web share it). */
export interface OrtModule {
  InferenceSession: {
    create(pathOrBytes: string | Uint8Array, options?: Ort.InferenceSession.SessionOptions): Promise<Ort.InferenceSession>;
  };
  Tensor: typeof Ort.Tensor;
}

let backend: OnnxBackend | undefined;

/** The backend in use; loads onnxruntime-node on first call unless another one was injected. */
export function onnxBackend(): OnnxBackend {
  if (backend === undefined) {
    // Lazy: a plain import would load the native binding whenever the package is imported.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require('onnxruntime-node') as OrtModule;
    backend = { ort, serializeRuns: false, name: 'onnxruntime-node' };
  }
  return backend;
}

/** Injects an onnxruntime module (for example `onnxruntime-web` in a browser build). */
export function setOnnxBackend(ort: OrtModule, options: { serializeRuns?: boolean; name?: string } = {}): void {
  backend = { ort, serializeRuns: options.serializeRuns ?? false, name: options.name ?? 'injected' };
}

let runQueue: Promise<unknown> = Promise.resolve();

/** Runs `task` now, or after every earlier queued task when the backend serialises runs. */
export function scheduleRun<T>(task: () => Promise<T>): Promise<T> {
  if (!onnxBackend().serializeRuns) return task();
  const result = runQueue.then(task);
  runQueue = result.catch(() => undefined);
  return result;
}
