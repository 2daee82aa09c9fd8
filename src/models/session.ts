import type * as Ort from 'onnxruntime-node';
import { ModelBundleError } from '../utils/errors';
import { onnxBackend, scheduleRun } from './backend';

/** A tensor handed to `OnnxSession.run`: int64 for token ids, float32 for everything else. */
export interface FeedTensor {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

/** A float32 tensor returned by `OnnxSession.run`. */
export interface OutputTensor {
  data: Float32Array;
  dims: number[];
}

/** What the model declares about one input or output. `shape` holds numbers for fixed axes, names for dynamic ones. */
export interface TensorSignature {
  name: string;
  type: string;
  shape: ReadonlyArray<number | string>;
}

export interface OnnxSessionOptions {
  /** Threads inside one operator (default 2: the machines foley targets have 2 cores). */
  intraOpNumThreads?: number;
}

const TYPE_OF_DATA = (data: FeedTensor['data']): 'float32' | 'int64' | 'other' =>
  data instanceof Float32Array ? 'float32' : data instanceof BigInt64Array ? 'int64' : 'other';

/**
 * A thin wrapper over an onnxruntime InferenceSession: checks every feed against the model's declared
 * inputs before running (naming every missing input, rejecting unknown ones, checking dtype, rank and
 * fixed dims), and returns plain `{data, dims}` float32 tensors. Errors are `ModelBundleError`s naming the model file.
 */
export class OnnxSession {
  readonly modelPath: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  /** Runs completed and seconds spent inside onnxruntime (for the benchmark's TypeScript share). */
  readonly stats = { runs: 0, seconds: 0 };
  private session: Ort.InferenceSession | undefined;
  private inFlight = 0;
  private releaseWhenIdle = false;

  private constructor(modelPath: string, session: Ort.InferenceSession) {
    this.modelPath = modelPath;
    this.session = session;
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
    this.inputs = describe(session.inputNames, session.inputMetadata);
    this.outputs = describe(session.outputNames, session.outputMetadata);
  }

  /** Loads a model file (or its bytes, for the browser). */
  static async create(modelPath: string, options: OnnxSessionOptions = {}, bytes?: Uint8Array): Promise<OnnxSession> {
    const { ort } = onnxBackend();
    const sessionOptions: Ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.intraOpNumThreads ?? 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    };
    try {
      const session = await ort.InferenceSession.create(bytes ?? modelPath, sessionOptions);
      return new OnnxSession(modelPath, session);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ModelBundleError(`${modelPath}: cannot load the ONNX model (${reason}); re-export the bundle`, modelPath);
    }
  }

  signatureOf(name: string): TensorSignature | undefined {
    return this.inputs.find((s) => s.name === name) ?? this.outputs.find((s) => s.name === name);
  }

  /** Checks `feeds` against the model's inputs; throws a ModelBundleError listing every problem. */
  validateFeeds(feeds: Record<string, FeedTensor>): void {
    const problems: string[] = [];
    const missing = this.inputNames.filter((name) => !(name in feeds));
    if (missing.length > 0) problems.push(`missing input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`);
    for (const [name, tensor] of Object.entries(feeds)) {
      const signature = this.inputs.find((s) => s.name === name);
      if (signature === undefined) {
        problems.push(`unknown input "${name}" (the model takes ${this.inputNames.map((n) => `"${n}"`).join(', ')})`);
        continue;
      }
      const type = TYPE_OF_DATA(tensor.data);
      if (type !== signature.type) problems.push(`input "${name}" must be ${signature.type}, got ${type}`);
      if (signature.shape.length > 0 && tensor.dims.length !== signature.shape.length) {
        problems.push(`input "${name}" must have rank ${signature.shape.length} [${signature.shape.join(', ')}], got [${tensor.dims.join(', ')}]`);
      } else {
        signature.shape.forEach((axis, i) => {
          if (typeof axis === 'number' && axis > 0 && tensor.dims[i] !== axis) {
            problems.push(`input "${name}" axis ${i} must be ${axis}, got ${tensor.dims[i]}`);
          }
        });
      }
      const size = tensor.dims.reduce((a, b) => a * b, 1);
      if (size !== tensor.data.length) problems.push(`input "${name}" has ${tensor.data.length} values for dims [${tensor.dims.join(', ')}] (${size})`);
    }
    if (problems.length > 0) throw new ModelBundleError(`${this.modelPath}: ${problems.join('; ')}`, Object.keys(feeds));
  }

  /** Runs the model; resolves with every output as float32. */
  async run(feeds: Record<string, FeedTensor>): Promise<Record<string, OutputTensor>> {
    this.validateFeeds(feeds);
    if (this.session === undefined) throw new ModelBundleError(`${this.modelPath}: session already released`, this.modelPath);
    const session = this.session;
    const { ort } = onnxBackend();
    const ortFeeds: Record<string, Ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) {
      const type = tensor.data instanceof BigInt64Array ? 'int64' : 'float32';
      ortFeeds[name] = new ort.Tensor(type, tensor.data, [...tensor.dims]);
    }
    this.inFlight += 1;
    try {
      const started = performance.now();
      const results = await scheduleRun(() => session.run(ortFeeds));
      this.stats.runs += 1;
      this.stats.seconds += (performance.now() - started) / 1000;
      const outputs: Record<string, OutputTensor> = {};
      for (const name of this.outputNames) {
        const value = results[name];
        if (value === undefined || !(value.data instanceof Float32Array)) {
          throw new ModelBundleError(`${this.modelPath}: output "${name}" must be float32, got ${value?.type ?? 'nothing'}`, name);
        }
        outputs[name] = { data: value.data, dims: value.dims.map(Number) };
      }
      return outputs;
    } finally {
      this.inFlight -= 1;
      if (this.releaseWhenIdle && this.inFlight === 0) this.releaseNow();
    }
  }

  /** Frees the native session (after any run in flight finishes). Further runs throw. */
  release(): void {
    if (this.inFlight > 0) this.releaseWhenIdle = true;
    else this.releaseNow();
  }

  get released(): boolean {
    return this.session === undefined;
  }

  private releaseNow(): void {
    const session = this.session;
    this.session = undefined;
    this.releaseWhenIdle = false;
    if (session !== undefined) void session.release().catch(() => undefined);
  }
}

function describe(names: readonly string[], metadata: readonly Ort.InferenceSession.ValueMetadata[] | undefined): TensorSignature[] {
  return names.map((name, i) => {
    const meta = metadata?.[i];
    if (meta !== undefined && meta.isTensor) return { name, type: meta.type, shape: [...meta.shape] };
    return { name, type: 'unknown', shape: [] };
  });
}
