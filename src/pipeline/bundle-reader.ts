/**
 * Where a bundle's files come from: a folder (Node, `openBundleFolder` in node-bundle.ts) or a base URL (a browser,
 * `FetchBundleReader`). The pipeline loads through this interface only, so the same code runs in both.
 */
import { AbortError, ModelBundleError } from '../utils/errors';
import { bundleJsonFiles, checkInsideBundle, parseJsonObject, validateBundle, type BundleFiles, type ValidatedBundle } from './model-index';

export interface BundleReader {
  /** The bundle folder or base URL. */
  readonly location: string;
  /** Reads model_index.json, the configs and the vocabulary, and validates them (docs/bundle-format.md). */
  readBundle(): Promise<ValidatedBundle>;
  /** A text file of the bundle, named by its entry in `ValidatedBundle.files`. */
  readText(file: string): Promise<string>;
  /** An ONNX model, named by its entry in `ValidatedBundle.files`: a path (onnxruntime-node opens it) or its bytes. */
  readModel(file: string): Promise<string | Uint8Array>;
}

export interface FetchBundleReaderOptions {
  /** Called as a model's bytes arrive; `total` is 0 when the server sends no Content-Length. */
  onBytes?: (file: string, loaded: number, total: number) => void;
  /** Cancels the downloads (AbortError). */
  signal?: AbortSignal;
}

/**
 * A bundle served over HTTP, e.g. `new FetchBundleReader('models/foley-small/')` in a page or worker (relative URLs
 * resolve against the page or worker). The JSON files are fetched in parallel up front, then checked by the same
 * validator as a folder; a missing file is a ModelBundleError naming its URL and the HTTP status.
 */
export class FetchBundleReader implements BundleReader {
  readonly location: string;
  private readonly options: FetchBundleReaderOptions;

  constructor(baseUrl: string | URL, options: FetchBundleReaderOptions = {}) {
    const here = (globalThis as { location?: { href: string } }).location?.href;
    let base: URL;
    try {
      base = new URL(String(baseUrl), here);
    } catch {
      throw new ModelBundleError(`bundle URL ${JSON.stringify(String(baseUrl))} is not a URL (give an absolute one outside a page or worker)`, baseUrl);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.location = base.href;
    this.options = options;
  }

  async readBundle(): Promise<ValidatedBundle> {
    const indexUrl = this.url('model_index.json');
    const texts = new Map<string, string | ModelBundleError>([[indexUrl, await this.readText(indexUrl)]]);
    const components = parseJsonObject(indexUrl, texts.get(indexUrl) as string).components;
    const folders = typeof components === 'object' && components !== null ? (components as Record<string, unknown>) : {};
    // Fetch only paths inside the bundle; a bad one is reported by the validator, in its order, like any failure.
    const wanted = bundleJsonFiles(folders).filter((relativePath) => {
      try {
        checkInsideBundle(indexUrl, relativePath, relativePath, this.location);
        return true;
      } catch {
        return false;
      }
    });
    await Promise.all(wanted.map(async (relativePath) => {
      const url = this.url(relativePath);
      texts.set(url, await this.readText(url).catch((error: unknown) => {
        if (error instanceof ModelBundleError) return error;
        throw error;
      }));
    }));
    const files: BundleFiles = {
      root: this.location,
      locate: (relativePath) => this.url(relativePath),
      file: (relativePath, describe) => {
        checkInsideBundle(indexUrl, relativePath, describe, this.location);
        return this.url(relativePath);
      },
      json: (url) => {
        const text = texts.get(url);
        if (text instanceof ModelBundleError) throw text;
        if (text === undefined) throw new ModelBundleError(`${url}: not fetched (the validator asked for a file bundleJsonFiles does not list)`, url);
        return parseJsonObject(url, text);
      },
      optional: () => undefined,
    };
    return validateBundle(files);
  }

  async readText(file: string): Promise<string> {
    return (await this.get(file)).text();
  }

  async readModel(file: string): Promise<Uint8Array> {
    const response = await this.get(file);
    const onBytes = this.options.onBytes;
    if (onBytes === undefined || response.body === null) return new Uint8Array(await response.arrayBuffer());
    const total = Number(response.headers.get('content-length') ?? 0);
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      onBytes(file, loaded, Math.max(total, loaded));
    }
    const bytes = new Uint8Array(loaded);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  }

  private url(relativePath: string): string {
    return new URL(relativePath, this.location).href;
  }

  private async get(url: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { signal: this.options.signal });
    } catch (error) {
      if (this.options.signal?.aborted === true) throw new AbortError('bundle download aborted');
      throw new ModelBundleError(`${url}: cannot fetch it (${(error as Error).message}); is the bundle served at ${this.location}?`, url);
    }
    if (!response.ok) {
      throw new ModelBundleError(`${url}: HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}; the bundle at ${this.location} is missing or incomplete`, url);
    }
    return response;
  }
}
