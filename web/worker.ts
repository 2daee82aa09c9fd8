/**
 * The pipeline worker: the same TypeScript pipeline as Node (src/pipeline, src/dsp, src/schedulers) on
 * onnxruntime-web's WebAssembly backend, injected with `setOnnxBackend`. The bundle is fetched from its URL.
 */
import * as ort from 'onnxruntime-web/wasm';
import { setOnnxBackend, type OrtModule } from '../src/models/backend';
import { AudioDiffusionPipeline } from '../src/pipeline/audio-diffusion-pipeline';
import { FetchBundleReader } from '../src/pipeline/bundle-reader';
import { defaultGuidanceInterval } from '../src/pipeline/model-index';
import { schedulerNames } from '../src/schedulers/registry';
import { AbortError } from '../src/utils/errors';
import type { FromWorker, GenerateRequest, ToWorker } from './protocol';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  readonly crossOriginIsolated: boolean;
}
const scope = self as unknown as WorkerScope;
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

let pipeline: AudioDiffusionPipeline | undefined;
let loading: Promise<void> | undefined;
const controllers = new Map<number, AbortController>();

/** Resolves on the next task: lets queued messages (a cancel) in between two model runs. */
const nextTask = (() => {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () => new Promise<void>((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
})();

/**
 * onnxruntime-web with a task boundary before every run: its wasm runs settle as microtasks, so without one a whole
 * generation would run before the worker saw a cancel message. The numbers are untouched.
 */
function yieldingOrt(module: typeof ort): OrtModule {
  return {
    Tensor: module.Tensor as unknown as OrtModule['Tensor'],
    InferenceSession: {
      async create(model, options) {
        const session = await module.InferenceSession.create(model as Uint8Array, options);
        const run = session.run.bind(session);
        session.run = (async (...args: Parameters<typeof run>) => {
          await nextTask();
          return run(...args);
        }) as typeof session.run;
        return session as unknown as Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;
      },
    },
  };
}

async function load(bundleUrl: string, numThreads: number, ortUrl: string): Promise<void> {
  const started = performance.now();
  // Threads need SharedArrayBuffer, i.e. a cross-origin isolated page (COOP + COEP headers); otherwise one.
  ort.env.wasm.numThreads = scope.crossOriginIsolated ? numThreads : 1;
  // onnxruntime-web starts its thread workers from the script holding its wasm loader: bundled into this worker,
  // that script would be this worker (and hang), so threads load the loader from its own file.
  if (ort.env.wasm.numThreads !== 1) ort.env.wasm.wasmPaths = ortUrl;
  ort.env.logLevel = 'error';
  setOnnxBackend(yieldingOrt(ort), { serializeRuns: true, name: 'onnxruntime-web (wasm)' });
  let current = { file: '', loaded: 0, total: 1 };
  const reader = new FetchBundleReader(bundleUrl, {
    onBytes: (file, loaded, total) => post({ type: 'loading', ...current, file, bytes: { loaded, total } }),
  });
  const loaded = await AudioDiffusionPipeline.fromPretrained(reader, {
    onProgress: (event) => {
      if (event.type !== 'load') return;
      current = { file: event.file, loaded: event.loaded, total: event.total };
      post({ type: 'loading', ...current });
    },
  });
  pipeline = loaded;
  const { index } = loaded.bundle;
  post({
    type: 'ready',
    info: {
      name: index.name,
      bundleUrl: reader.location,
      sampleRate: loaded.sampleRate,
      minDurationSeconds: loaded.minDurationSeconds,
      defaults: index.defaults,
      guidanceInterval: defaultGuidanceInterval(index.defaults),
      audio: index.audio,
      vocabulary: loaded.vocabulary,
      tokenizerJson: await reader.readText(loaded.bundle.files.tokenizer),
      schedulers: schedulerNames(),
      hasScorer: loaded.hasScorer,
      backend: 'onnxruntime-web (wasm)',
      numThreads: ort.env.wasm.numThreads ?? 1,
      crossOriginIsolated: scope.crossOriginIsolated,
      loadSeconds: (performance.now() - started) / 1000,
    },
  });
}

/**
 * Decodes the scheduler's current estimate of the clean latents (first waveform) into a log-mel for the page,
 * cropped from the latent grid to the requested duration.
 */
async function sendPreview(model: AudioDiffusionPipeline, id: number, step: number, x0: Float32Array, request: GenerateRequest): Promise<void> {
  const { in_channels: channels, freq_bins: bins } = model.bundle.configs.unet;
  const { n_mels: nMels, hop_length: hop } = model.bundle.index.audio;
  // x0 holds every row denoised: numWaveformsPerPrompt × candidates latents [C, F, frames]; row 0 is previewed.
  const latentFrames = x0.length / (request.numWaveformsPerPrompt * request.candidates * channels * bins);
  const decoded = await model.decodeLatents(x0.subarray(0, channels * bins * latentFrames), 1, latentFrames);
  const decodedFrames = decoded.length / nMels;
  const frames = Math.min(decodedFrames, Math.floor(Math.round(request.durationSeconds * model.sampleRate) / hop) + 1);
  const mel = new Float32Array(nMels * frames);
  for (let m = 0; m < nMels; m++) mel.set(decoded.subarray(m * decodedFrames, m * decodedFrames + frames), m * frames);
  post({ type: 'preview', id, step, mel, nMels, frames }, [mel.buffer]);
}

async function generate(id: number, request: GenerateRequest, preview: boolean): Promise<void> {
  if (loading !== undefined) await loading;
  const model = pipeline;
  if (model === undefined) throw new Error('the model is not loaded');
  const controller = new AbortController();
  controllers.set(id, controller);
  let previewBusy = false;
  const started = performance.now();
  try {
    const result = await model.generate(request.prompt, {
      negativePrompt: request.negativePrompt,
      durationSeconds: request.durationSeconds,
      numInferenceSteps: request.numInferenceSteps,
      guidanceScale: request.guidanceScale,
      guidanceStart: request.guidanceStart,
      guidanceStop: request.guidanceStop,
      scheduler: request.scheduler,
      seed: request.seed,
      numWaveformsPerPrompt: request.numWaveformsPerPrompt,
      candidates: request.candidates,
      loop: request.loop,
      pitchGuide: request.pitchGuide,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'stage') post({ type: 'stage', id, stage: event.stage });
        else if (event.type === 'warning') post({ type: 'warning', id, code: event.code, message: event.message });
        else if (event.type === 'step') {
          post({ type: 'step', id, step: event.step, totalSteps: event.totalSteps, elapsed: event.elapsed });
          // One preview decode at a time: a slow decode skips steps rather than piling up.
          if (preview && !previewBusy && event.predOriginalSample !== undefined && !controller.signal.aborted) {
            previewBusy = true;
            void sendPreview(model, id, event.step, event.predOriginalSample, request)
              .catch(() => undefined)
              .finally(() => (previewBusy = false));
          }
        }
      },
    });
    const audios = result.audios.map((audio) => audio.data.slice());
    post({
      type: 'done', id, audios, scores: result.audios.map((audio) => audio.score ?? null), pitches: result.audios.map((audio) => audio.pitch ?? null), sampleRate: result.sampleRate, seed: result.seed, unknownWords: result.unknownWords,
      timings: result.timings, wallSeconds: (performance.now() - started) / 1000,
    }, audios.map((a) => a.buffer));
  } finally {
    controllers.delete(id);
  }
}

function report(error: unknown, id?: number): void {
  if (error instanceof AbortError && id !== undefined) post({ type: 'cancelled', id });
  else post({ type: 'error', id, name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) });
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'load') {
    loading = load(message.bundleUrl, message.numThreads, message.ortUrl).catch((error: unknown) => report(error));
  } else if (message.type === 'generate') {
    generate(message.id, message.request, message.preview).catch((error: unknown) => report(error, message.id));
  } else if (message.type === 'cancel') {
    controllers.get(message.id)?.abort();
  }
};
