import { ClassReader } from '../models/class-reader';
import { LatentScorer } from '../models/scorer';
import { OnnxSession, type OnnxSessionOptions } from '../models/session';
import { PromptEncoder } from '../models/text-encoder';
import { WordTokenizer, type TokenizedPrompt } from '../models/tokenizer';
import { Denoiser } from '../models/unet';
import { VaeDecoder, VaeEncoder } from '../models/vae';
import type { Seconds } from '../types/units';
import { assert, assertInteger, assertRange } from '../utils/assert';
import { AbortError, InvalidArgumentError } from '../utils/errors';
import { Rng } from '../utils/random';
import { logMelOptionsFromConfig } from '../dsp/log-mel';
import { checkVocoderConfig, createVocoder, NeuralVocoder, type Vocoder } from '../models/vocoder';
import { createScheduler, inputToMel, levelPeak, postprocess, type InputAudio, type PipelineScheduler } from './deps';
import { circularFrames, fitFrames, lerp, slerp, uncircularFrames } from './latents';
import type { BundleReader } from './bundle-reader';
import { checkOnnxSignature, defaultGuidanceInterval, ONNX_COMPONENTS, openBundleFolder, shippedBundleDir, type ValidatedBundle } from './model-index';

/** The components the pipeline opens itself (the vocoder comes from src/models/vocoder). */
const DIFFUSION_COMPONENTS = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'] as const;
type DiffusionComponentName = (typeof DIFFUSION_COMPONENTS)[number];
import type { PipelineProgress, PipelineStage, ProgressCallback } from './progress';
import { GeneratedAudio, type GenerationResult, type StageTimings } from './result';
import { checkPitch, formatCents, IN_TUNE_CENTS, promptedNote, type PitchCheck, type PromptedNote } from './prompted-note';
import { PitchEstimator, type PitchEstimate } from '../dsp/pitch';
import { describeWeakClass, WeakClassFinder, type WeakClass } from './class-reliability';
import { isWordToken } from '../models/tokenizer';
import { HarmonicComb } from '../dsp/harmonic-comb';
import { HarmonicResynthesis } from '../dsp/harmonic-resynthesis';

/**
 * The bundle shipped with the package, resolved from the package root (works from src/ and dist/src/); in a
 * browser build (no `__dirname`) the relative URL `models/foley-small`.
 */
export const DEFAULT_BUNDLE: string = typeof __dirname === 'string' ? shippedBundleDir(__dirname) : 'models/foley-small';

export interface PipelineLoadOptions {
  /** Threads per ONNX operator (default 2). */
  intraOpNumThreads?: number;
  /** `neural` (the bundle's vocoder, default) or `griffin-lim` (model-free fallback). */
  vocoder?: 'neural' | 'griffin-lim';
  onProgress?: ProgressCallback;
}

/** How the finished waveform is levelled. */
export type Normalization = { kind: 'peak'; peakDb?: number } | { kind: 'loudness'; lufs: number } | { kind: 'none' };

export interface GenerateOptions {
  /** What the sound should not be (the unconditional branch of classifier-free guidance); default "". */
  negativePrompt?: string | string[];
  /** Output length; any positive length up to 600 s. The result is exactly this long (loops: see `loop`). */
  durationSeconds?: Seconds;
  /** Denoising steps (default from the bundle, model_index.json `defaults`). */
  numInferenceSteps?: number;
  /** Classifier-free guidance scale; guidance is off at ≤ 1. */
  guidanceScale?: number;
  /**
   * The guidance interval, as fractions of the denoising steps (diffusers' guider `start` / `stop`): step i of
   * N is guided when ⌊start · N⌋ ≤ i < ⌊stop · N⌋; the other steps take the conditional prediction alone, one
   * UNet pass instead of two. Defaults from the bundle (`defaults.guidance_start` / `guidance_stop`; 0 and 1
   * when absent).
   */
  guidanceStart?: number;
  guidanceStop?: number;
  /** A scheduler name or alias from `src/schedulers` (`ddim`, `dpm++2m`, `euler`, ...) or a full config object. */
  scheduler?: string | Record<string, unknown>;
  /** DDIM eta (stochastic schedulers only). */
  eta?: number;
  /** Seed of all the noise; random when absent (the result reports the one used). */
  seed?: number;
  /**
   * Waveforms per prompt; each gets its own noise stream `seed/k`. With a scorer in the bundle they are ordered
   * best first (`result.reranked`); without one they come in stream order.
   */
  numWaveformsPerPrompt?: number;
  /**
   * Best-of-N: denoise this many noise streams per requested waveform, rank them (pitch, class, scorer: see
   * `rankByPitch`, `rankByClass`) and keep the best (integer 1–16; default the bundle's `defaults.candidates`, else 1;
   * > 1 needs a bundle with a scorer). Costs about
   * N× the denoising time; only the kept latents are decoded and vocoded (all of them when ranking by pitch or by
   * class, `rankByClass`).
   */
  candidates?: number;
  /**
   * With `candidates` > 1 or `numWaveformsPerPrompt` > 1 and a prompt that names one note ("a cello note, g2";
   * chords and arpeggios excepted), waveforms and candidates whose estimated pitch is within ±50 cents of that
   * note as delivered (after the pitch guide) rank before those that are not, then by class and score
   * (`GeneratedAudio.pitch`). Every candidate is then
   * decoded and vocoded. Default true.
   */
  rankByPitch?: boolean;
  /**
   * With `candidates` > 1, a bundle with a class reader (`class_reader/`) and a prompt that names one sound class
   * it knows ("a tenor sax note", "a tight snare drum hit"): each candidate's sound is re-encoded by the VAE and
   * read by the class reader, and the candidate most likely to be that class is kept (after pitch, before the
   * scorer; `GeneratedAudio.classProbability`). Every candidate is then decoded and vocoded. Default true.
   */
  rankByClass?: boolean;
  /**
   * The pitch guide: a waveform whose prompt names one note and whose estimated pitch misses it by more than
   * ±50 cents is pulled toward the note (its spectrum weighted by a comb at the note's harmonics, then Griffin-Lim
   * phase; src/dsp/harmonic-comb.ts) and measured again (`GeneratedAudio.pitch.guided`). Waveforms in tune are
   * left alone, except notes below the vocoder's `pitch_floor_midi` (E3 for foley-small), whose phase the vocoder
   * cannot hold: those are always rebuilt from their harmonics at the note (src/dsp/harmonic-resynthesis.ts).
   * Loops are never guided. With candidates, every candidate is guided before they are ranked. Default true.
   */
  pitchGuide?: boolean;
  /**
   * With the pitch guide, a bundle with a class reader and a prompt whose sound class it reads: a guided waveform
   * that the reader finds more than CLASS_GUARD_NATS (1 nat) less likely to be that class than as generated is left
   * as generated (`GeneratedAudio.pitch.guideDeclined`): the guide may move a note, not change the instrument.
   * Default true.
   */
  classGuard?: boolean;
  /**
   * Initial noise [B, C, F, frames] (multiplied by the scheduler's initNoiseSigma, as diffusers does). With
   * `candidates` N > 1 it holds B · N latents, candidate j of waveform k at row k · N + j.
   */
  latents?: Float32Array;
  /** Make a seamless loop: the end flows into the start. The length is rounded to the latent grid (40 ms). */
  loop?: boolean;
  /** Levelling of the output (default: peak at -1 dBFS). */
  normalize?: Normalization;
  /** Fade-in and fade-out length (default 5 ms; none for loops). */
  fadeSeconds?: Seconds;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export interface VaryOptions extends Omit<GenerateOptions, 'durationSeconds' | 'loop' | 'latents' | 'numWaveformsPerPrompt' | 'candidates'> {
  /** How much to change, in (0, 1]: the fraction of the noise schedule re-run (SDEdit). Default 0.5. */
  strength?: number;
}

export interface InpaintOptions extends Omit<GenerateOptions, 'durationSeconds' | 'loop' | 'latents' | 'numWaveformsPerPrompt' | 'candidates'> {
  /** Start of the region to regenerate, in seconds. */
  start: Seconds;
  /** End of the region; beyond the end of the input it continues the clip. */
  end: Seconds;
}

/** One end of an interpolation: a prompt, a seed, or both. */
export interface InterpolationEnd {
  prompt?: string;
  seed?: number;
}

export interface InterpolateOptions extends Omit<GenerateOptions, 'latents' | 'numWaveformsPerPrompt' | 'candidates' | 'seed'> {
  /** Number of clips from A to B, both ends included (default 5). */
  steps?: number;
}

const MAX_DURATION: Seconds = 600;
const MAX_STEPS = 1000;
const MAX_BATCH = 64;
const MAX_CANDIDATES = 16;
/**
 * The class guard's tolerance: the pitch guide is undone when it lowers the class reader's log-probability of the
 * prompt's class by more than this. Chosen on 480 validation captions (seed 21, never the test prompts): with 1 nat,
 * single waveforms went from fine 0.675 to 0.688 at pitch 0.777 → 0.755; 0.5 and 2 nats gave 0.690 and 0.683.
 */
export const CLASS_GUARD_NATS = 1;

/** Everything one denoising run needs: built by generate/vary/inpaint/interpolate, consumed by `runDiffusion`. */
interface DiffusionJob {
  batch: number;
  /** Latent frames of the array fed to the UNet (a multiple of time_multiple). */
  frames: number;
  /** Loop period in latent frames (loop mode only). */
  loopPeriod?: number;
  cond: Float32Array;
  uncond?: Float32Array;
  guidanceScale: number;
  /** Guided fraction of the schedule, [start, stop) (see `GenerateOptions.guidanceStart`). */
  guidanceInterval: { start: number; stop: number };
  latents: Float32Array;
  schedulers: PipelineScheduler[];
  rngs: Rng[];
  /** First step index (SDEdit starts part-way). */
  startStep: number;
  eta?: number;
  /** Inpainting: clean known latents, their noise and a per-frame mask (1 = keep the original). */
  known?: { latents: Float32Array; noise: Float32Array; keepFrame: Uint8Array };
}

interface RunContext {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  timings: StageTimings;
}

/**
 * Text-to-sound with a latent diffusion model: tokenizer → text encoder → UNet sampled by a TypeScript
 * scheduler with classifier-free guidance → VAE decoder → vocoder. Sessions are shared by concurrent calls;
 * every call owns its buffers, so results do not depend on what else runs.
 *
 * Noise streams: waveform k of a call (k counts across prompts) starts from `new Rng(seed).fork(k)`. With
 * `candidates` N, candidate 0 of waveform k is that same stream and candidate j ≥ 1 is
 * `new Rng(seed).fork(k).fork(j)`, so N = 1 reproduces a call without the option bit for bit, and the same seed
 * and options give the same result. When the bundle has a scorer (`scorer/`, docs/bundle-format.md) every
 * waveform's clean latents are scored against its own prompt's embedding (`GeneratedAudio.score`), the best
 * candidate of each waveform is kept (`GeneratedAudio.candidate`; ties keep the lower j) and each prompt's
 * waveforms are ordered best first (`GeneratedAudio.stream` still names the stream each came from).
 *
 * @example
 * const pipeline = await AudioDiffusionPipeline.fromPretrained();
 * const result = await pipeline.generate('a soft cello note, g2', { durationSeconds: 2, seed: 42 });
 * await writeFile('cello.wav', result.audios[0].toWav({ format: 'pcm16' }));
 * await pipeline.dispose();
 */
export class AudioDiffusionPipeline {
  readonly bundle: ValidatedBundle;
  readonly tokenizer: WordTokenizer;
  readonly textEncoder: PromptEncoder;
  readonly denoiser: Denoiser;
  readonly vaeEncoder: VaeEncoder;
  readonly vaeDecoder: VaeDecoder;
  readonly vocoder: Vocoder;
  /** The bundle's text–audio scorer, when it has one. */
  readonly scorer: LatentScorer | undefined;
  /** The bundle's sound-class reader, when it has one (ranks candidates by the class their prompt names). */
  readonly classReader: ClassReader | undefined;
  private readonly sessions: OnnxSession[];
  /** Finds the weak classes prompts name; built on the first prompt that needs it. */
  private weakClassFinder: WeakClassFinder | undefined;
  private pitchEstimator: PitchEstimator | undefined;
  private pitchGuide: HarmonicComb | undefined;
  private lowNoteGuide: HarmonicResynthesis | undefined;
  private disposed = false;

  private constructor(bundle: ValidatedBundle, tokenizer: WordTokenizer, sessions: Record<DiffusionComponentName, OnnxSession>, vocoder: Vocoder, scorerSession?: OnnxSession, classReaderSession?: OnnxSession) {
    this.bundle = bundle;
    this.tokenizer = tokenizer;
    const nMels = bundle.index.audio.n_mels;
    this.textEncoder = new PromptEncoder(sessions.text_encoder, bundle.configs.text_encoder);
    this.denoiser = new Denoiser(sessions.unet, bundle.configs.unet);
    this.vaeEncoder = new VaeEncoder(sessions.vae_encoder, bundle.configs.vae_encoder, nMels);
    this.vaeDecoder = new VaeDecoder(sessions.vae_decoder, bundle.configs.vae_decoder, nMels);
    this.vocoder = vocoder;
    const scorerConfig = bundle.configs.scorer;
    this.scorer = scorerSession === undefined || scorerConfig === undefined ? undefined : new LatentScorer(scorerSession, scorerConfig);
    const readerConfig = bundle.configs.class_reader;
    this.classReader = classReaderSession === undefined || readerConfig === undefined ? undefined : new ClassReader(classReaderSession, readerConfig);
    this.sessions = [...Object.values(sessions), ...(vocoder instanceof NeuralVocoder ? [vocoder.session] : []), ...(scorerSession === undefined ? [] : [scorerSession]), ...(classReaderSession === undefined ? [] : [classReaderSession])];
  }

  /**
   * Loads and validates a bundle: a folder (Node; default: the shipped `models/foley-small`) or any
   * `BundleReader`, e.g. a `FetchBundleReader` for a bundle served over HTTP (browser).
   */
  static async fromPretrained(source: string | BundleReader = DEFAULT_BUNDLE, options: PipelineLoadOptions = {}): Promise<AudioDiffusionPipeline> {
    const reader = typeof source === 'string' ? openBundleFolder(source) : source;
    const bundle = await reader.readBundle();
    const scorerFile = bundle.files.onnx.scorer;
    const readerFile = bundle.files.onnx.class_reader;
    const total = ONNX_COMPONENTS.length + 1 + (scorerFile === undefined ? 0 : 1) + (readerFile === undefined ? 0 : 1);
    options.onProgress?.({ type: 'load', file: bundle.files.tokenizer, loaded: 0, total });
    const tokenizer = WordTokenizer.parse(await reader.readText(bundle.files.tokenizer), bundle.files.tokenizer);
    const sessionOptions: OnnxSessionOptions = { intraOpNumThreads: options.intraOpNumThreads };
    // A path (onnxruntime-node opens the file) or the model's bytes (fetched in a browser).
    const openSession = async (file: string) => {
      const model = await reader.readModel(file);
      return OnnxSession.create(file, sessionOptions, typeof model === 'string' ? undefined : model);
    };
    const sessions = {} as Record<DiffusionComponentName, OnnxSession>;
    let vocoder: Vocoder | undefined;
    let scorerSession: OnnxSession | undefined;
    let readerSession: OnnxSession | undefined;
    let loaded = 1;
    try {
      for (const name of DIFFUSION_COMPONENTS) {
        options.onProgress?.({ type: 'load', file: bundle.files.onnx[name], loaded, total });
        sessions[name] = await openSession(bundle.files.onnx[name]);
        checkOnnxSignature(name, sessions[name]);
        loaded += 1;
      }
      if (scorerFile !== undefined) {
        options.onProgress?.({ type: 'load', file: scorerFile, loaded, total });
        scorerSession = await openSession(scorerFile);
        checkOnnxSignature('scorer', scorerSession);
        loaded += 1;
      }
      if (readerFile !== undefined) {
        options.onProgress?.({ type: 'load', file: readerFile, loaded, total });
        readerSession = await openSession(readerFile);
        checkOnnxSignature('class_reader', readerSession);
        loaded += 1;
      }
      options.onProgress?.({ type: 'load', file: bundle.files.onnx.vocoder, loaded, total });
      const kind = options.vocoder ?? 'neural';
      if (kind === 'neural') {
        const config = checkVocoderConfig(bundle.configs.vocoder as unknown as Record<string, unknown>, bundle.files.configs.vocoder);
        vocoder = NeuralVocoder.fromSession(await openSession(bundle.files.onnx.vocoder), config);
      } else {
        vocoder = await createVocoder(kind, bundle.dir, { ...sessionOptions, audio: logMelOptionsFromConfig(bundle.index.audio) });
      }
      if (vocoder instanceof NeuralVocoder) checkOnnxSignature('vocoder', vocoder.session);
      options.onProgress?.({ type: 'load', file: bundle.files.onnx.vocoder, loaded: total, total });
      return new AudioDiffusionPipeline(bundle, tokenizer, sessions, vocoder, scorerSession, readerSession);
    } catch (error) {
      Object.values(sessions).forEach((session) => session.release());
      scorerSession?.release();
      readerSession?.release();
      vocoder?.release();
      throw error;
    }
  }

  get sampleRate(): number {
    return this.bundle.index.audio.sample_rate;
  }

  /** Samples per latent frame: hop_length · downsample_time. */
  get samplesPerLatentFrame(): number {
    return this.bundle.index.audio.hop_length * this.bundle.configs.vae_decoder.downsample_time;
  }

  /** Shortest duration that makes one latent grid step. */
  get minDurationSeconds(): Seconds {
    return this.samplesPerLatentFrame / this.sampleRate;
  }

  /** The words the model knows and its sound classes (tokenizer/vocabulary.json). */
  get vocabulary(): ValidatedBundle['vocabulary'] {
    return this.bundle.vocabulary;
  }

  /** Latent frames (a multiple of the UNet's time_multiple) covering `samples` output samples. */
  latentFramesFor(samples: number): number {
    const multiple = this.bundle.configs.unet.time_multiple;
    return Math.ceil(Math.ceil(samples / this.samplesPerLatentFrame) / multiple) * multiple;
  }

  /** Values in one latent [C, F, frames]. */
  latentSize(frames: number): number {
    return this.denoiser.latentSize(frames);
  }

  /**
   * Text to sound. Steps: 1 check inputs, 2 encode prompts, 3 prepare seeded latents (`candidates` per
   * waveform), 4 denoise, 5 rank (with a scorer: score, keep each waveform's best candidate, order each
   * prompt's waveforms best first; in-tune first for a prompted note), 6 decode, 7 vocode (then check the pitch
   * of prompted notes and guide the misses), 8 post-process.
   */
  async generate(prompt: string | string[], options: GenerateOptions = {}): Promise<GenerationResult> {
    const started = performance.now();
    const defaults = this.bundle.index.defaults;
    // 1. Check inputs.
    const prompts = this.checkPrompts(prompt);
    const perPrompt = options.numWaveformsPerPrompt ?? 1;
    assertInteger('numWaveformsPerPrompt', perPrompt, 1, MAX_BATCH);
    assert(prompts.length * perPrompt <= MAX_BATCH, `at most ${MAX_BATCH} waveforms per call, got ${prompts.length * perPrompt}`);
    const candidates = options.candidates ?? defaults.candidates ?? 1;
    assertInteger('candidates', candidates, 1, MAX_CANDIDATES);
    if (candidates > 1 && this.scorer === undefined) {
      throw new InvalidArgumentError(`candidates ${candidates} needs a scorer to pick the best, and the bundle ${this.bundle.dir} has none: use candidates 1, or a bundle whose model_index.json names a "scorer" component (docs/bundle-format.md)`, candidates);
    }
    assert(prompts.length * perPrompt * candidates <= MAX_BATCH, `at most ${MAX_BATCH} latents are denoised per call (prompts × numWaveformsPerPrompt × candidates), got ${prompts.length} × ${perPrompt} × ${candidates} = ${prompts.length * perPrompt * candidates}`);
    const durationSeconds = options.durationSeconds ?? defaults.duration_seconds;
    this.checkCommon(options, durationSeconds);
    const seed = options.seed ?? randomSeed();
    const ctx: RunContext = { onProgress: options.onProgress, signal: options.signal, timings: emptyTimings() };
    throwIfAborted(ctx.signal);
    const requestedSamples = Math.round(durationSeconds * this.sampleRate);
    let loopPeriod: number | undefined;
    let samples = requestedSamples;
    if (options.loop === true) {
      loopPeriod = Math.max(1, Math.round(requestedSamples / this.samplesPerLatentFrame));
      samples = loopPeriod * this.samplesPerLatentFrame;
      if (samples !== requestedSamples) {
        ctx.onProgress?.({ type: 'warning', code: 'loop-duration', message: `loop length rounded to ${(samples / this.sampleRate).toFixed(3)} s (the latent grid is ${this.minDurationSeconds * 1000} ms)` });
      }
    }
    const frames = loopPeriod === undefined ? this.latentFramesFor(samples) : Math.ceil(loopPeriod / this.bundle.configs.unet.time_multiple) * this.bundle.configs.unet.time_multiple;
    const batch = prompts.length * perPrompt;
    // Rows denoised: candidate j of waveform k is row k · candidates + j.
    const rows = batch * candidates;
    const waveformPrompts = prompts.flatMap((p) => Array<string>(perPrompt).fill(p));

    // 2. Encode the prompts and the negative prompts (one text encoder call).
    const guidanceScale = options.guidanceScale ?? defaults.guidance_scale;
    const negatives = this.negativePrompts(options.negativePrompt, prompts.length);
    const { cond, uncond, tokenized } = await this.encodePrompts(waveformPrompts, guidanceScale > 1 ? negatives.flatMap((n) => Array<string>(perPrompt).fill(n)) : undefined, ctx);
    const unknownWords = this.reportUnknownWords(tokenized, ctx);
    const weakClasses = this.reportWeakClasses(prompts, ctx);
    const D = this.bundle.configs.text_encoder.hidden_size;
    const rowCond = repeatRows(cond, D, candidates);

    // 3. Prepare the latents: one forked noise stream per waveform and candidate (see the class doc), so a
    //    waveform depends neither on its batch nor on how many candidates it has.
    const schedulers = Array.from({ length: rows }, () => this.makeScheduler(options));
    const steps = options.numInferenceSteps ?? defaults.num_inference_steps;
    schedulers.forEach((s) => s.setTimesteps(steps));
    const root = new Rng(seed);
    const rngs = Array.from({ length: rows }, (_, r) => candidateStream(root, Math.floor(r / candidates), r % candidates));
    const period = loopPeriod ?? frames;
    const size = this.latentSize(period);
    let latents: Float32Array;
    if (options.latents !== undefined) {
      const count = candidates === 1 ? `${batch}` : `${batch} waveform${batch === 1 ? '' : 's'} × ${candidates} candidates`;
      assert(options.latents.length === rows * size, `latents must hold ${count} × ${this.bundle.configs.unet.in_channels} × ${this.bundle.configs.unet.freq_bins} × ${period} = ${rows * size} values, got ${options.latents.length}`, options.latents.length);
      latents = Float32Array.from(options.latents, (v) => v * schedulers[0].initNoiseSigma);
    } else {
      latents = new Float32Array(rows * size);
      rngs.forEach((rng, r) => rng.fill(latents.subarray(r * size, (r + 1) * size), 0, schedulers[r].initNoiseSigma));
    }

    // 4. Denoise (every candidate in the same batched UNet calls).
    const clean = await this.runDiffusion({ batch: rows, frames, loopPeriod, cond: rowCond, uncond: uncond === undefined ? undefined : repeatRows(uncond, D, candidates), guidanceScale, guidanceInterval: this.guidanceInterval(options), latents, schedulers, rngs, startStep: 0, eta: options.eta }, ctx);

    // 5. Rank: score every candidate against its prompt (one scorer call). When ranking by pitch or by class, every
    //    candidate is decoded, vocoded, pitch-checked and guided first, so candidates compete as they would be
    //    delivered; then each waveform keeps its best candidate and each prompt's waveforms are ordered best first.
    const notes = waveformPrompts.map((_, k) => promptedNote(tokenized[k].tokens));
    const rankByPitch = (candidates > 1 || perPrompt > 1) && (options.rankByPitch ?? true) && notes.some((n) => n !== undefined);
    let rowScores: number[] | undefined;
    if (this.scorer !== undefined) rowScores = Array.from(await this.scoreRows(clean, rows, period, loopPeriod !== undefined ? frames : period, rowCond, ctx));
    const guide = (options.pitchGuide ?? true) && loopPeriod === undefined;
    // The one sound class each prompt asks for that the class reader knows (undefined: none, or unclear); read only
    // when candidates are ranked by it or a guided note's class is guarded.
    const classRanking = candidates > 1 && this.classReader !== undefined && (options.rankByClass ?? true);
    const classGuard = guide && this.classReader !== undefined && (options.classGuard ?? true) && notes.some((n) => n !== undefined);
    const promptClasses = classRanking || classGuard ? waveformPrompts.map((p) => this.readableClass(p)) : [];
    const rankByClass = classRanking && promptClasses.some((c) => c !== undefined);
    const guardClasses = classGuard ? promptClasses : undefined;
    const rowOf = (r: number): number => Math.floor(r / candidates);
    let rowAudio: Float32Array[] | undefined;
    let rowPitch: (PitchCheck | undefined)[] | undefined;
    let rowClass: (number | undefined)[] | undefined;
    if (rankByPitch || rankByClass) {
      rowAudio = await this.latentsToAudio(clean, rows, period, samples, loopPeriod !== undefined, ctx);
      rowPitch = rowAudio.map((w, r) => this.checkPitch(notes[rowOf(r)], w, ctx));
      const rowNotes = rowAudio.map((_, r) => notes[rowOf(r)]);
      const known = guide ? await this.guidePitch(rowAudio, rowPitch, rowNotes, guardClasses === undefined ? undefined : rowAudio.map((_, r) => guardClasses[rowOf(r)]), ctx) : [];
      if (rankByClass) {
        const unread = rowAudio.map((_, r) => (known[r] === undefined ? promptClasses[rowOf(r)] : undefined));
        const read = await this.readClassRows(rowAudio, unread, ctx);
        rowClass = read.map((v, r) => known[r] ?? v);
      }
    }
    const started5 = performance.now();
    // Larger is better: in tune (when ranking by pitch; as delivered, so after the pitch guide) before out of tune,
    // then the class reader's probability of the prompt's class (when ranking by class), then the scorer's score.
    const better = (a: number, b: number): boolean => {
      const tuneA = rankByPitch && rowPitch?.[a]?.inTune === true ? 1 : 0;
      const tuneB = rankByPitch && rowPitch?.[b]?.inTune === true ? 1 : 0;
      if (tuneA !== tuneB) return tuneA > tuneB;
      const classA = rowClass?.[a];
      const classB = rowClass?.[b];
      if (classA !== undefined && classB !== undefined && classA !== classB) return classA > classB;
      return (rowScores?.[a] ?? 0) > (rowScores?.[b] ?? 0);
    };
    const chosen = Array.from({ length: batch }, (_, k) => {
      let best = 0;
      for (let j = 1; j < candidates; j++) if (better(k * candidates + j, k * candidates + best)) best = j;
      return best;
    });
    const keptRows = chosen.map((j, k) => k * candidates + j);
    const scores = rowScores === undefined ? undefined : keptRows.map((r) => rowScores![r]);
    let order = Array.from({ length: batch }, (_, k) => k);
    if (this.scorer !== undefined) {
      order = prompts.flatMap((_, p) => Array.from({ length: perPrompt }, (_, i) => p * perPrompt + i).sort((a, b) => (better(keptRows[a], keptRows[b]) ? -1 : better(keptRows[b], keptRows[a]) ? 1 : a - b)));
    } else if (perPrompt > 1) {
      ctx.onProgress?.({ type: 'warning', code: 'no-scorer', message: 'this bundle has no scorer: waveforms are in seed-stream order, not ranked' });
    }
    if (this.scorer !== undefined || rankByPitch) ctx.timings.rank += (performance.now() - started5) / 1000;

    // 6.–8. Decode, vocode (the kept latents only, unless ranking did it already), check the pitch of prompted notes
    //       and guide those that miss them, post-process; then the ranked order.
    let waveforms: Float32Array[];
    let pitches: (PitchCheck | undefined)[];
    if (rowAudio !== undefined) {
      waveforms = keptRows.map((r) => rowAudio![r]);
      pitches = keptRows.map((r) => rowPitch![r]);
    } else {
      let kept = clean;
      if (candidates > 1) {
        kept = new Float32Array(batch * size);
        keptRows.forEach((r, k) => kept.set(clean.subarray(r * size, (r + 1) * size), k * size));
      }
      waveforms = await this.latentsToAudio(kept, batch, period, samples, loopPeriod !== undefined, ctx);
      pitches = waveforms.map((w, k) => this.checkPitch(notes[k], w, ctx));
      if (guide) await this.guidePitch(waveforms, pitches, notes, guardClasses, ctx);
    }
    this.reportPitchMisses(pitches, rankByPitch ? candidates : 1, ctx);
    waveforms = this.finish(waveforms, options, loopPeriod !== undefined, ctx);
    const classProbabilities = rowClass === undefined ? undefined : keptRows.map((r) => (rowClass![r] === undefined ? undefined : Math.exp(rowClass![r]!)));
    const audios = order.map((k, index) => new GeneratedAudio(waveforms[k], this.sampleRate, waveformPrompts[k], seed, k % perPrompt, index, scores?.[k], chosen[k], pitches[k], classProbabilities?.[k]));
    const reranked = this.scorer !== undefined && (perPrompt > 1 || candidates > 1);
    ctx.timings.total = (performance.now() - started) / 1000;
    return { audios, audio: audios[0].data, sampleRate: this.sampleRate, seed, unknownWords, weakClasses, reranked, candidates, durationSeconds: samples / this.sampleRate, timings: ctx.timings };
  }

  /** True when the bundle has a scorer: `candidates`, ranking, `score`, `scoreLatents` and `scoreAudio` work. */
  get hasScorer(): boolean {
    return this.scorer !== undefined;
  }

  /** The bundle's text embeddings [N, hidden_size] of `prompts`: what the UNet and the scorer are conditioned on. */
  async embedPrompts(prompts: string | string[]): Promise<Float32Array> {
    const texts = this.checkPrompts(prompts);
    assert(texts.length <= MAX_BATCH, `at most ${MAX_BATCH} prompts per call, got ${texts.length}`);
    return (await this.encodePrompts(texts, undefined, { timings: emptyTimings() })).cond;
  }

  /**
   * Scores UNet-scale latents [batch, C, F, frames] (what the denoising loop produces before the VAE decoder)
   * against prompt embeddings [batch, hidden_size] (`embedPrompts`), row by row, with the bundle's scorer:
   * cosine similarities in [-1, 1], higher = a better match. InvalidArgumentError when the bundle has no scorer.
   */
  async scoreLatents(latents: Float32Array, batch: number, frames: number, promptEmbeds: Float32Array): Promise<number[]> {
    const scorer = this.requireScorer('scoreLatents');
    assertInteger('batch', batch, 1, MAX_BATCH);
    const multiple = scorer.config.time_multiple;
    assert(Number.isInteger(frames) && frames >= multiple && frames % multiple === 0, `frames must be a positive multiple of the scorer's time_multiple ${multiple}, got ${frames}`, frames);
    assert(latents.length === batch * scorer.latentSize(frames), `latents must hold ${batch} × ${scorer.config.in_channels} × ${scorer.config.freq_bins} × ${frames} = ${batch * scorer.latentSize(frames)} values, got ${latents.length}`, latents.length);
    const D = scorer.config.hidden_size;
    assert(promptEmbeds.length === batch * D, `promptEmbeds must hold ${batch} × ${D} values (one text embedding per latent), got ${promptEmbeds.length}`, promptEmbeds.length);
    return Array.from(await scorer.score(latents, batch, frames, promptEmbeds));
  }

  /**
   * How well a recording matches a prompt (or each of several prompts): the clip is analysed to log-mel, padded to
   * the latent grid with silence, encoded with the VAE encoder and scored against each prompt's embedding.
   * Cosine similarities in [-1, 1], higher = a better match. InvalidArgumentError when the bundle has no scorer.
   */
  async scoreAudio(audio: InputAudio, prompt: string): Promise<number>;
  async scoreAudio(audio: InputAudio, prompts: string[]): Promise<number[]>;
  async scoreAudio(audio: InputAudio, prompt: string | string[]): Promise<number | number[]> {
    const scorer = this.requireScorer('scoreAudio');
    const prompts = this.checkPrompts(prompt);
    assert(prompts.length <= MAX_BATCH, `at most ${MAX_BATCH} prompts per call, got ${prompts.length}`);
    const ctx: RunContext = { timings: emptyTimings() };
    const { latents, frames } = await this.encodeAudio(audio, ctx);
    const { cond } = await this.encodePrompts(prompts, undefined, ctx);
    const scores = Array.from(await scorer.score(repeatRows(latents, latents.length, prompts.length), prompts.length, frames, cond));
    return Array.isArray(prompt) ? scores : scores[0];
  }

  /** Audio-to-audio variation (SDEdit, Meng et al. 2022): encode, noise to `strength`, denoise from there. */
  async vary(audio: InputAudio, prompt: string, options: VaryOptions = {}): Promise<GenerationResult> {
    const started = performance.now();
    const [text] = this.checkPrompts(prompt);
    const strength = options.strength ?? 0.5;
    assertRange('strength', strength, 0.01, 1);
    this.checkCommon(options, 1);
    const seed = options.seed ?? randomSeed();
    const ctx: RunContext = { onProgress: options.onProgress, signal: options.signal, timings: emptyTimings() };
    const { latents: original, frames, samples } = await this.encodeAudio(audio, ctx);
    const guidanceScale = options.guidanceScale ?? this.bundle.index.defaults.guidance_scale;
    const { cond, uncond, tokenized } = await this.encodePrompts([text], guidanceScale > 1 ? this.negativePrompts(options.negativePrompt, 1) : undefined, ctx);
    const unknownWords = this.reportUnknownWords(tokenized, ctx);
    const weakClasses = this.reportWeakClasses([text], ctx);
    const scheduler = this.makeScheduler(options);
    const steps = options.numInferenceSteps ?? this.bundle.index.defaults.num_inference_steps;
    scheduler.setTimesteps(steps);
    // diffusers img2img: run the last round(steps · strength) steps, starting from x0 noised to that timestep.
    const startStep = steps - Math.max(1, Math.min(steps, Math.round(steps * strength)));
    scheduler.setBeginIndex(startStep);
    const rng = new Rng(seed).fork(0);
    const noise = rng.fill(new Float32Array(original.length));
    const latents = scheduler.addNoise(original, noise, scheduler.timesteps[startStep]);
    const clean = await this.runDiffusion({ batch: 1, frames, cond, uncond, guidanceScale, guidanceInterval: this.guidanceInterval(options), latents, schedulers: [scheduler], rngs: [rng], startStep, eta: options.eta }, ctx);
    const score = this.scorer === undefined ? undefined : (await this.scoreRows(clean, 1, frames, frames, cond, ctx))[0];
    const waveforms = this.finish(await this.latentsToAudio(clean, 1, frames, samples, false, ctx), options, false, ctx);
    ctx.timings.total = (performance.now() - started) / 1000;
    const audios = [new GeneratedAudio(waveforms[0], this.sampleRate, text, seed, 0, 0, score)];
    return { audios, audio: audios[0].data, sampleRate: this.sampleRate, seed, unknownWords, weakClasses, reranked: false, candidates: 1, durationSeconds: samples / this.sampleRate, timings: ctx.timings };
  }

  /**
   * Regenerates the region [start, end) of a clip, or continues it when `end` is past its end. Each step the
   * latent frames outside the region are replaced by the original noised to the current level (RePaint,
   * Lugmayr et al. 2022, without resampling); outside the region the output keeps the original samples,
   * crossfaded over 20 ms at the borders.
   */
  async inpaint(audio: InputAudio, prompt: string, options: InpaintOptions): Promise<GenerationResult> {
    const started = performance.now();
    const [text] = this.checkPrompts(prompt);
    this.checkCommon(options, 1);
    const input = this.toInputSamples(audio);
    const inputSeconds = input.length / this.sampleRate;
    assertRange('start', options.start, 0, inputSeconds);
    assertRange('end', options.end, options.start + this.minDurationSeconds, inputSeconds + MAX_DURATION);
    const seed = options.seed ?? randomSeed();
    const ctx: RunContext = { onProgress: options.onProgress, signal: options.signal, timings: emptyTimings() };
    const samples = Math.max(input.length, Math.round(options.end * this.sampleRate));
    const padded = new Float32Array(samples);
    padded.set(input);
    const { latents: original, frames } = await this.encodeAudio({ data: padded, sampleRate: this.sampleRate }, ctx);
    const keepFrame = new Uint8Array(frames);
    const spl = this.samplesPerLatentFrame;
    for (let f = 0; f < frames; f++) {
      const frameStart = f * spl;
      const frameEnd = frameStart + spl;
      const inRegion = frameEnd > options.start * this.sampleRate && frameStart < options.end * this.sampleRate;
      keepFrame[f] = inRegion || frameStart >= input.length ? 0 : 1;
    }
    const guidanceScale = options.guidanceScale ?? this.bundle.index.defaults.guidance_scale;
    const { cond, uncond, tokenized } = await this.encodePrompts([text], guidanceScale > 1 ? this.negativePrompts(options.negativePrompt, 1) : undefined, ctx);
    const unknownWords = this.reportUnknownWords(tokenized, ctx);
    const weakClasses = this.reportWeakClasses([text], ctx);
    const scheduler = this.makeScheduler(options);
    scheduler.setTimesteps(options.numInferenceSteps ?? this.bundle.index.defaults.num_inference_steps);
    const rng = new Rng(seed).fork(0);
    const latents = rng.fill(new Float32Array(original.length), 0, scheduler.initNoiseSigma);
    const noise = rng.fill(new Float32Array(original.length));
    const clean = await this.runDiffusion({
      batch: 1, frames, cond, uncond, guidanceScale, guidanceInterval: this.guidanceInterval(options), latents, schedulers: [scheduler], rngs: [rng], startStep: 0, eta: options.eta,
      known: { latents: original, noise, keepFrame },
    }, ctx);
    const score = this.scorer === undefined ? undefined : (await this.scoreRows(clean, 1, frames, frames, cond, ctx))[0];
    const [generated] = await this.latentsToAudio(clean, 1, frames, samples, false, ctx);
    const merged = crossfadeRegion(input, generated, Math.round(options.start * this.sampleRate), Math.round(options.end * this.sampleRate), Math.round(0.02 * this.sampleRate));
    const [waveform] = this.finish([merged], { ...options, fadeSeconds: 0 }, false, ctx);
    ctx.timings.total = (performance.now() - started) / 1000;
    const audios = [new GeneratedAudio(waveform, this.sampleRate, text, seed, 0, 0, score)];
    return { audios, audio: waveform, sampleRate: this.sampleRate, seed, unknownWords, weakClasses, reranked: false, candidates: 1, durationSeconds: samples / this.sampleRate, timings: ctx.timings };
  }

  /**
   * `steps` clips morphing from A to B: the initial noise is slerped between A's and B's seeds and the text
   * embeddings are lerped between A's and B's prompts. A missing prompt or seed is taken from the other end.
   */
  async interpolate(a: InterpolationEnd, b: InterpolationEnd, options: InterpolateOptions = {}): Promise<GenerationResult> {
    const started = performance.now();
    const promptA = a.prompt ?? b.prompt;
    const promptB = b.prompt ?? a.prompt;
    assert(promptA !== undefined && promptB !== undefined, 'interpolate needs a prompt at one end at least');
    this.checkPrompts([promptA, promptB]);
    const count = options.steps ?? 5;
    assertInteger('steps', count, 2, MAX_BATCH);
    const durationSeconds = options.durationSeconds ?? this.bundle.index.defaults.duration_seconds;
    this.checkCommon(options, durationSeconds);
    const seedA = a.seed ?? b.seed ?? randomSeed();
    const seedB = b.seed ?? seedA;
    const ctx: RunContext = { onProgress: options.onProgress, signal: options.signal, timings: emptyTimings() };
    const samples = Math.round(durationSeconds * this.sampleRate);
    const frames = this.latentFramesFor(samples);
    const guidanceScale = options.guidanceScale ?? this.bundle.index.defaults.guidance_scale;
    const { cond: ends, uncond: uncondEnds, tokenized } = await this.encodePrompts([promptA, promptB], guidanceScale > 1 ? this.negativePrompts(options.negativePrompt, 2) : undefined, ctx);
    const unknownWords = this.reportUnknownWords(tokenized, ctx);
    const weakClasses = this.reportWeakClasses([promptA, promptB], ctx);
    const D = this.bundle.configs.text_encoder.hidden_size;
    const size = this.latentSize(frames);
    const schedulers = Array.from({ length: count }, () => this.makeScheduler(options));
    schedulers.forEach((s) => s.setTimesteps(options.numInferenceSteps ?? this.bundle.index.defaults.num_inference_steps));
    const noiseA = new Rng(seedA).fork(0).fill(new Float32Array(size));
    const noiseB = new Rng(seedB).fork(0).fill(new Float32Array(size));
    const cond = new Float32Array(count * D);
    const uncond = uncondEnds === undefined ? undefined : new Float32Array(count * D);
    const latents = new Float32Array(count * size);
    const fractions = Array.from({ length: count }, (_, i) => i / (count - 1));
    fractions.forEach((t, i) => {
      cond.set(lerp(ends.subarray(0, D), ends.subarray(D, 2 * D), t), i * D);
      if (uncond !== undefined && uncondEnds !== undefined) uncond.set(lerp(uncondEnds.subarray(0, D), uncondEnds.subarray(D, 2 * D), t), i * D);
      const noise = slerp(noiseA, noiseB, t);
      for (let j = 0; j < size; j++) latents[i * size + j] = noise[j] * schedulers[i].initNoiseSigma;
    });
    const rngs = fractions.map((_, i) => new Rng(seedA).fork(1 + i));
    const clean = await this.runDiffusion({ batch: count, frames, cond, uncond, guidanceScale, guidanceInterval: this.guidanceInterval(options), latents, schedulers, rngs, startStep: 0, eta: options.eta }, ctx);
    const waveforms = this.finish(await this.latentsToAudio(clean, count, frames, samples, false, ctx), options, false, ctx);
    ctx.timings.total = (performance.now() - started) / 1000;
    const audios = waveforms.map((data, i) => new GeneratedAudio(data, this.sampleRate, `${promptA} → ${promptB} @ ${fractions[i].toFixed(2)}`, seedA, 0, i));
    return { audios, audio: audios[0].data, sampleRate: this.sampleRate, seed: seedA, seedB, unknownWords, weakClasses, reranked: false, candidates: 1, durationSeconds: samples / this.sampleRate, timings: ctx.timings };
  }

  /** Decodes UNet-scale latents [B, C, F, frames] to log-mel [B, 1, n_mels, frames · downsample_time]. */
  async decodeLatents(latents: Float32Array, batch: number, frames: number): Promise<Float32Array> {
    return this.vaeDecoder.decode(latents, batch, frames);
  }

  /** Seconds spent inside onnxruntime by this pipeline's sessions so far (the rest of a call's time is TypeScript). */
  onnxSeconds(): number {
    return this.sessions.reduce((sum, session) => sum + session.stats.seconds, 0);
  }

  /** Releases every ONNX session; the pipeline cannot be used afterwards. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.sessions.forEach((session) => session.release());
    this.vocoder.release();
  }

  // ---- steps shared by the public calls ----

  private checkPrompts(prompt: string | string[]): string[] {
    assert(!this.disposed, 'this pipeline was disposed; load it again with AudioDiffusionPipeline.fromPretrained()');
    const prompts = Array.isArray(prompt) ? prompt : [prompt];
    assert(prompts.length > 0, 'give at least one prompt');
    for (const p of prompts) {
      if (typeof p !== 'string' || p.trim().length === 0) throw new InvalidArgumentError('the prompt is empty: describe the sound, e.g. "a soft cello note, g2"', p);
    }
    return prompts;
  }

  private checkCommon(options: GenerateOptions, durationSeconds: number): void {
    assertRange('durationSeconds', durationSeconds, this.minDurationSeconds, MAX_DURATION);
    if (options.numInferenceSteps !== undefined) assertInteger('numInferenceSteps', options.numInferenceSteps, 1, MAX_STEPS);
    if (options.guidanceScale !== undefined) assertRange('guidanceScale', options.guidanceScale, 0, 50);
    if (options.guidanceStart !== undefined) assertRange('guidanceStart', options.guidanceStart, 0, 1);
    if (options.guidanceStop !== undefined) assertRange('guidanceStop', options.guidanceStop, 0, 1);
    const { start, stop } = this.guidanceInterval(options);
    if (!(start < stop)) {
      throw new InvalidArgumentError(`guidanceStart (${start}) must be below guidanceStop (${stop}): both are fractions of the denoising steps, e.g. guidanceStart 0, guidanceStop 0.5 guides the first half`, { start, stop });
    }
    if (options.seed !== undefined) assertInteger('seed', options.seed, 0, Number.MAX_SAFE_INTEGER);
    if (options.eta !== undefined) assertRange('eta', options.eta, 0, 1);
    if (options.fadeSeconds !== undefined) assertRange('fadeSeconds', options.fadeSeconds, 0, durationSeconds / 2);
    // Fail on an unknown scheduler before any work.
    this.makeScheduler(options);
  }

  /** The guidance interval: the options', else the bundle's defaults, else the whole schedule. */
  private guidanceInterval(options: Pick<GenerateOptions, 'guidanceStart' | 'guidanceStop'>): { start: number; stop: number } {
    const defaults = defaultGuidanceInterval(this.bundle.index.defaults);
    return { start: options.guidanceStart ?? defaults.start, stop: options.guidanceStop ?? defaults.stop };
  }

  private negativePrompts(negative: string | string[] | undefined, count: number): string[] {
    if (Array.isArray(negative)) {
      assert(negative.length === count, `negativePrompt must hold one entry per prompt (${count}), got ${negative.length}`);
      return negative;
    }
    return Array<string>(count).fill(negative ?? '');
  }

  private makeScheduler(options: { scheduler?: string | Record<string, unknown> }): PipelineScheduler {
    return createScheduler(this.bundle.configs.scheduler, options.scheduler ?? this.bundle.index.defaults.scheduler);
  }

  /** Step 2: one text encoder call for the prompts and (with guidance) the negative prompts. */
  private async encodePrompts(prompts: string[], negatives: string[] | undefined, ctx: RunContext) {
    this.stage('encode', ctx);
    const started = performance.now();
    const all = negatives === undefined ? prompts : [...prompts, ...negatives];
    const ids = this.tokenizer.encodeBatch(all);
    const embeds = await this.textEncoder.encode(ids);
    const D = this.bundle.configs.text_encoder.hidden_size;
    const cond = embeds.slice(0, prompts.length * D);
    const uncond = negatives === undefined ? undefined : embeds.slice(prompts.length * D);
    ctx.timings.encode += (performance.now() - started) / 1000;
    return { cond, uncond, tokenized: ids.prompts.slice(0, prompts.length).concat(negatives === undefined ? [] : ids.prompts.slice(prompts.length)) };
  }

  private reportUnknownWords(tokenized: TokenizedPrompt[], ctx: RunContext): string[] {
    const unknown = [...new Set(tokenized.flatMap((t) => t.unknownWords))];
    if (unknown.length > 0) {
      ctx.onProgress?.({ type: 'warning', code: 'unknown-words', message: `the model does not know ${unknown.map((w) => `"${w}"`).join(', ')} (ignored as <unk>); "foley models --vocabulary" lists the words it knows` });
    }
    const truncated = tokenized.filter((t) => t.truncatedTokens.length > 0);
    if (truncated.length > 0) {
      ctx.onProgress?.({ type: 'warning', code: 'truncated-prompt', message: `prompt longer than ${this.tokenizer.maxLength} tokens: "${truncated[0].truncatedTokens.join(' ')}" was cut` });
    }
    return unknown;
  }

  /**
   * Warns (`weak-class`) for each sound class a prompt names that the model rendered right in under half of its
   * validation clips (vocabulary.json's class_accuracy): an honest answer before the user listens.
   */
  private reportWeakClasses(prompts: readonly string[], ctx: RunContext): WeakClass[] {
    const table = this.bundle.vocabulary.classAccuracy;
    if (table === undefined) return [];
    this.weakClassFinder ??= new WeakClassFinder((text) => this.tokenizer.splitWords(text), this.bundle.vocabulary.classes, table);
    const weak = this.weakClassFinder.find(prompts);
    for (const w of weak) ctx.onProgress?.({ type: 'warning', code: 'weak-class', message: describeWeakClass(w) });
    return weak;
  }

  /** Step 4: the denoising loop, with batched CFG and per-waveform schedulers. */
  private async runDiffusion(job: DiffusionJob, ctx: RunContext): Promise<Float32Array> {
    this.stage('denoise', ctx);
    const started = performance.now();
    const { batch, frames, loopPeriod, schedulers } = job;
    const period = loopPeriod ?? frames;
    const rows = batch * this.bundle.configs.unet.in_channels * this.bundle.configs.unet.freq_bins;
    const size = this.latentSize(period);
    const timesteps = schedulers[0].timesteps;
    const total = timesteps.length;
    // diffusers' guider rule: step i is guided when ⌊start · N⌋ ≤ i < ⌊stop · N⌋.
    const firstGuided = Math.floor(job.guidanceInterval.start * total);
    const endGuided = Math.floor(job.guidanceInterval.stop * total);
    let latents = job.latents;
    for (let i = job.startStep; i < total; i++) {
      throwIfAborted(ctx.signal);
      const t = timesteps[i];
      // Loops: roll by a step-dependent offset so that the wrap-around junction sits inside the UNet's field of view.
      const offset = loopPeriod === undefined ? 0 : Math.floor(((i * 0.6180339887498949) % 1) * loopPeriod);
      const scaled = new Float32Array(latents.length);
      for (let k = 0; k < batch; k++) scaled.set(schedulers[k].scaleModelInput(latents.subarray(k * size, (k + 1) * size), t), k * size);
      const modelInput = loopPeriod === undefined ? scaled : circularFrames(scaled, rows, period, frames, offset);
      const uncond = i >= firstGuided && i < endGuided ? job.uncond : undefined;
      const rawOutput = await this.denoiser.predictGuided({ sample: modelInput, batch, frames, timestep: t, cond: job.cond, uncond, guidanceScale: job.guidanceScale });
      const modelOutput = loopPeriod === undefined ? rawOutput : uncircularFrames(rawOutput, rows, period, frames, offset);
      throwIfAborted(ctx.signal);
      const next = new Float32Array(latents.length);
      const preview = ctx.onProgress === undefined ? undefined : new Float32Array(latents.length);
      for (let k = 0; k < batch; k++) {
        const out = schedulers[k].step(modelOutput.subarray(k * size, (k + 1) * size), t, latents.subarray(k * size, (k + 1) * size), { rng: job.rngs[k], eta: job.eta });
        next.set(out.prevSample, k * size);
        if (preview !== undefined && out.predOriginalSample !== undefined) preview.set(out.predOriginalSample, k * size);
      }
      if (job.known !== undefined) this.replaceKnown(next, job.known, schedulers[0], i + 1 < total ? timesteps[i + 1] : undefined, period);
      latents = next;
      ctx.onProgress?.({ type: 'step', step: i + 1 - job.startStep, totalSteps: total - job.startStep, timestep: t, elapsed: (performance.now() - started) / 1000, predOriginalSample: preview });
    }
    ctx.timings.denoise += (performance.now() - started) / 1000;
    return latents;
  }

  /** RePaint replacement: frames to keep get the original noised to the next timestep (or the original itself at the end). */
  private replaceKnown(latents: Float32Array, known: NonNullable<DiffusionJob['known']>, scheduler: PipelineScheduler, nextTimestep: number | undefined, frames: number): void {
    const noised = nextTimestep === undefined ? known.latents : scheduler.addNoise(known.latents, known.noise, nextTimestep);
    for (let i = 0; i < latents.length; i++) if (known.keepFrame[i % frames] === 1) latents[i] = noised[i];
  }

  /**
   * Step 5 (generate; also vary and inpaint): one scorer call on `rows` latents [rows, C, F, period] against
   * `embeds` [rows, D]. A loop's period is padded to `frames` (a multiple of the time grid) by wrapping around,
   * as the loop sounds when played.
   */
  private async scoreRows(latents: Float32Array, rows: number, period: number, frames: number, embeds: Float32Array, ctx: RunContext): Promise<Float32Array> {
    const scorer = this.requireScorer('scoring');
    this.stage('rank', ctx);
    const started = performance.now();
    const input = frames === period ? latents : circularFrames(latents, rows * scorer.config.in_channels * scorer.config.freq_bins, period, frames, 0);
    const scores = await scorer.score(input, rows, frames, embeds);
    ctx.timings.rank += (performance.now() - started) / 1000;
    return scores;
  }

  /** The pitch of a waveform whose prompt names a note, against that note (timed as ranking). */
  private checkPitch(note: PromptedNote | undefined, waveform: Float32Array, ctx: RunContext): PitchCheck | undefined {
    if (note === undefined) return undefined;
    const started = performance.now();
    const check = checkPitch(note, this.estimatePitch(waveform));
    ctx.timings.rank += (performance.now() - started) / 1000;
    return check;
  }

  /** The class `prompt` asks for, as the class reader's caption table reads it; undefined without a reader or a clear answer. */
  private readableClass(prompt: string): string | undefined {
    return this.classReader?.promptClass(this.tokenizer.splitWords(prompt).filter(isWordToken))?.className;
  }

  /**
   * The class reader's log-probability of `classes[r]` for each waveform r (undefined where no class is given): each
   * waveform, peak-levelled as `finish` delivers it, is analysed to log-mel and encoded by the VAE, all in one batch.
   */
  private async readClassRows(waveforms: Float32Array[], classes: (string | undefined)[], ctx: RunContext): Promise<(number | undefined)[]> {
    const reader = this.classReader!;
    this.stage('rank', ctx);
    const started = performance.now();
    const rows = waveforms.map((_, r) => r).filter((r) => classes[r] !== undefined);
    const out: (number | undefined)[] = waveforms.map(() => undefined);
    if (rows.length > 0) {
      const latents = await this.encodeWaveforms(rows.map((r) => levelPeak(waveforms[r], -1)));
      const logProbs = await reader.read(latents.latents, rows.length, latents.frames);
      const K = reader.config.classes.length;
      rows.forEach((r, i) => {
        out[r] = logProbs[i * K + reader.classIndex(classes[r]!)!];
      });
    }
    ctx.timings.rank += (performance.now() - started) / 1000;
    return out;
  }

  /**
   * Waveforms of one length at the bundle's rate → their VAE latents [B, C, F, frames] (one encoder call): each one's
   * log-mel, padded to the latent grid with the log floor (silence).
   */
  private async encodeWaveforms(waveforms: Float32Array[]): Promise<{ latents: Float32Array; frames: number }> {
    const audio = this.bundle.index.audio;
    const frames = this.latentFramesFor(waveforms[0].length);
    const targetMelFrames = frames * this.bundle.configs.vae_encoder.downsample_time;
    const size = audio.n_mels * targetMelFrames;
    const mels = new Float32Array(waveforms.length * size);
    waveforms.forEach((w, b) => {
      const { mel, frames: melFrames } = inputToMel.logMel(w, audio);
      mels.set(fitFrames(mel, audio.n_mels, melFrames, targetMelFrames, Math.log(audio.log_floor)), b * size);
    });
    return { latents: await this.vaeEncoder.encode(mels, waveforms.length, targetMelFrames), frames };
  }

  /**
   * What a sound is, to the bundle's class reader: its most likely classes, best first, with probabilities (the
   * clip analysed to log-mel, padded to the latent grid with silence and encoded by the VAE, as in `scoreAudio`).
   * InvalidArgumentError when the bundle has no class reader.
   */
  async readClasses(audio: InputAudio, top = 5): Promise<{ className: string; probability: number }[]> {
    const reader = this.classReader;
    if (reader === undefined) {
      throw new InvalidArgumentError(`readClasses needs a class reader, and the bundle ${this.bundle.dir} has none: use a bundle whose model_index.json names a "class_reader" component (docs/bundle-format.md)`, this.bundle.dir);
    }
    assertInteger('top', top, 1, reader.config.classes.length);
    const { latents, frames } = await this.encodeAudio(audio, { timings: emptyTimings() });
    const logProbs = await reader.read(latents, 1, frames);
    return reader.config.classes.map((className, k) => ({ className, probability: Math.exp(logProbs[k]) }))
      .sort((a, b) => b.probability - a.probability).slice(0, top);
  }

  /** The pipeline's pitch estimate of one waveform (the estimator and its buffers are made once). */
  private estimatePitch(waveform: Float32Array): PitchEstimate | undefined {
    this.pitchEstimator ??= new PitchEstimator({ sampleRate: this.sampleRate });
    return this.pitchEstimator.estimate(waveform);
  }

  /**
   * Pulls each waveform that misses its prompted note toward it, and rebuilds every one whose note lies below the
   * vocoder's pitch floor (in place), and measures them again. With `classes` (the prompt's class per waveform; the
   * class guard), a guided waveform the class reader finds more than CLASS_GUARD_NATS less likely to be its class
   * is put back as generated. Returns the reader's log-probability of the class for the waveforms it read.
   */
  private async guidePitch(waveforms: Float32Array[], pitches: (PitchCheck | undefined)[], notes: (PromptedNote | undefined)[], classes: (string | undefined)[] | undefined, ctx: RunContext): Promise<(number | undefined)[]> {
    let started = performance.now();
    const audio = this.bundle.index.audio;
    const stft = { sampleRate: this.sampleRate, nFft: audio.n_fft, hopLength: audio.hop_length, winLength: audio.win_length };
    const floor = this.bundle.configs.vocoder.pitch_floor_midi;
    const guided: { k: number; before: Float32Array; check: PitchCheck }[] = [];
    waveforms.forEach((waveform, k) => {
      const note = notes[k];
      if (note === undefined || pitches[k] === undefined) return;
      if (floor !== undefined && note.midi < floor) {
        // The pipeline's estimator hears the harmonics' spacing, so it can call such a note in tune while the
        // waveform repeats at the vocoder's 33.3 Hz instead: rebuild it whatever the estimate.
        this.lowNoteGuide ??= new HarmonicResynthesis(stft);
        waveforms[k] = this.lowNoteGuide.apply(waveform, note.frequency);
      } else if (!pitches[k]!.inTune) {
        this.pitchGuide ??= new HarmonicComb(stft);
        waveforms[k] = this.pitchGuide.apply(waveform, note.frequency);
      } else {
        return;
      }
      guided.push({ k, before: waveform, check: pitches[k]! });
      pitches[k] = checkPitch(note, this.estimatePitch(waveforms[k]), true);
    });
    ctx.timings.postprocess += (performance.now() - started) / 1000;
    const reads: (number | undefined)[] = waveforms.map(() => undefined);
    const guarded = classes === undefined ? [] : guided.filter((g) => classes[g.k] !== undefined);
    if (guarded.length === 0) return reads;
    // One reader batch: each guarded waveform as generated, then guided.
    const logProbs = await this.readClassRows([...guarded.map((g) => g.before), ...guarded.map((g) => waveforms[g.k])], [...guarded, ...guarded].map((g) => classes![g.k]), ctx);
    started = performance.now();
    guarded.forEach((g, i) => {
      const [before, after] = [logProbs[i]!, logProbs[guarded.length + i]!];
      if (after >= before - CLASS_GUARD_NATS) {
        reads[g.k] = after;
        return;
      }
      waveforms[g.k] = g.before;
      pitches[g.k] = { ...g.check, guideDeclined: true };
      reads[g.k] = before;
    });
    ctx.timings.postprocess += (performance.now() - started) / 1000;
    return reads;
  }

  /** An honest answer: a `pitch-miss` warning for each waveform that is not at the note its prompt asks for. */
  private reportPitchMisses(pitches: (PitchCheck | undefined)[], rankedCandidates: number, ctx: RunContext): void {
    const misses = pitches.filter((p): p is PitchCheck => p !== undefined && !p.inTune);
    if (misses.length === 0) return;
    const what = misses.map((p) => (p.estimated === undefined ? `${p.note} asked, no clear pitch` : `${p.note} asked, ${p.estimated.toFixed(1)} Hz (${formatCents(p.centsOff!)})`) + (p.guided ? ' after the pitch guide' : p.guideDeclined ? ', left as generated: the pitch guide would have changed its sound class' : ''));
    const advice = rankedCandidates > 1 ? `none of the ${rankedCandidates} candidates was in tune: try more candidates or another seed` : 'try candidates 4 (--candidates 4, ranked by pitch) or another seed';
    ctx.onProgress?.({ type: 'warning', code: 'pitch-miss', message: `${misses.length} of ${pitches.filter((p) => p !== undefined).length} waveforms are off their prompted note by more than ${IN_TUNE_CENTS} cents (${what.join('; ')}): ${advice}` });
  }

  private requireScorer(what: string): LatentScorer {
    if (this.scorer === undefined) {
      throw new InvalidArgumentError(`${what} needs a scorer, and the bundle ${this.bundle.dir} has none: use a bundle whose model_index.json names a "scorer" component (docs/bundle-format.md)`, this.bundle.dir);
    }
    return this.scorer;
  }

  /** Steps 6 and 7: latents → mel → waveform, cropped to `samples`; loops decode with wrap-around padding. */
  private async latentsToAudio(latents: Float32Array, batch: number, period: number, samples: number, loop: boolean, ctx: RunContext): Promise<Float32Array[]> {
    this.stage('decode', ctx);
    let started = performance.now();
    const rows = batch * this.bundle.configs.unet.in_channels * this.bundle.configs.unet.freq_bins;
    // Loops: decode [last pad | period | first pad] so that both ends see their true neighbours, then crop the middle.
    const pad = loop ? Math.min(period, 2 * this.bundle.configs.unet.time_multiple) : 0;
    const decodeFrames = period + 2 * pad;
    const input = loop ? circularFrames(latents, rows, period, decodeFrames, -pad) : latents;
    const mel = await this.vaeDecoder.decode(input, batch, decodeFrames);
    ctx.timings.decode += (performance.now() - started) / 1000;
    throwIfAborted(ctx.signal);
    this.stage('vocode', ctx);
    started = performance.now();
    const melFrames = decodeFrames * this.bundle.configs.vae_decoder.downsample_time;
    const waveforms = await this.vocoder.vocode(mel, batch, melFrames);
    ctx.timings.vocode += (performance.now() - started) / 1000;
    const offset = pad * this.samplesPerLatentFrame;
    return waveforms.map((w) => {
      const out = new Float32Array(samples);
      out.set(w.subarray(offset, offset + Math.min(samples, w.length - offset)));
      return out;
    });
  }

  /** Step 8: fades and levelling. */
  private finish(waveforms: Float32Array[], options: GenerateOptions, loop: boolean, ctx: RunContext): Float32Array[] {
    this.stage('postprocess', ctx);
    const started = performance.now();
    const out = waveforms.map((w) => postprocess(w, this.sampleRate, {
      fadeSeconds: loop ? 0 : (options.fadeSeconds ?? 0.005),
      normalize: options.normalize ?? { kind: 'peak', peakDb: -1 },
    }));
    ctx.timings.postprocess += (performance.now() - started) / 1000;
    return out;
  }

  private toInputSamples(audio: InputAudio): Float32Array {
    return inputToMel.samples(audio, this.sampleRate);
  }

  /** Log-mel of an input clip, padded to the latent grid with silence, through the VAE encoder. */
  private async encodeAudio(audio: InputAudio, ctx: RunContext): Promise<{ latents: Float32Array; frames: number; samples: number }> {
    this.stage('encode', ctx);
    const started = performance.now();
    const samples = this.toInputSamples(audio);
    assert(samples.length >= this.samplesPerLatentFrame, `the input audio is too short: at least ${this.minDurationSeconds} s`);
    const { latents, frames } = await this.encodeWaveforms([samples]);
    ctx.timings.encode += (performance.now() - started) / 1000;
    return { latents, frames, samples: samples.length };
  }

  private stage(stage: PipelineStage, ctx: RunContext): void {
    throwIfAborted(ctx.signal);
    ctx.onProgress?.({ type: 'stage', stage });
  }
}

function emptyTimings(): StageTimings {
  return { encode: 0, denoise: 0, rank: 0, decode: 0, vocode: 0, postprocess: 0, total: 0 };
}

/** Candidate j of waveform k: the waveform's own stream for j = 0 (as without candidates), a fork of it otherwise. */
function candidateStream(root: Rng, waveform: number, candidate: number): Rng {
  return candidate === 0 ? root.fork(waveform) : root.fork(waveform).fork(candidate);
}

/** Each `rowSize` row of `x` repeated `times` times in place ([a, b] → [a, a, b, b]); `x` itself when times is 1. */
function repeatRows(x: Float32Array, rowSize: number, times: number): Float32Array {
  if (times === 1) return x;
  const rows = x.length / rowSize;
  const out = new Float32Array(x.length * times);
  for (let r = 0; r < rows; r++) for (let j = 0; j < times; j++) out.set(x.subarray(r * rowSize, (r + 1) * rowSize), (r * times + j) * rowSize);
  return out;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError();
}

/** Original outside [start, end), generated inside, linear crossfades of `fade` samples at both borders. */
function crossfadeRegion(original: Float32Array, generated: Float32Array, start: number, end: number, fade: number): Float32Array {
  const out = new Float32Array(generated.length);
  for (let i = 0; i < out.length; i++) {
    const o = i < original.length ? original[i] : 0;
    let w: number; // weight of the generated signal
    if (i >= original.length) w = 1;
    else if (i < start - fade || i >= end + fade) w = 0;
    else if (i < start) w = (i - (start - fade)) / fade;
    else if (i >= end) w = 1 - (i - end) / fade;
    else w = 1;
    // Outside the fades, copy verbatim: 0 · g + o would turn an original -0 into +0 (and a NaN in g would leak).
    out[i] = w === 0 ? o : w === 1 ? generated[i] : w * generated[i] + (1 - w) * o;
  }
  return out;
}

export type { PipelineProgress };
