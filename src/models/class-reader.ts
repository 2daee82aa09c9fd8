import { ModelBundleError } from '../utils/errors';
import { checkLatentBatch } from './latent-input';
import type { OnnxSession } from './session';

/** `class_reader/config.json` keys the runtime uses (verbatim; the file also carries training figures). */
export interface ClassReaderConfig {
  /** Latent channels C (the UNet's `in_channels`). */
  in_channels: number;
  /** Latent frequency rows F (the UNet's `freq_bins`). */
  freq_bins: number;
  /** The latent time axis must be a multiple of this. */
  time_multiple: number;
  /** The sound classes, in the order of the model's output. */
  classes: string[];
  /** Per class, how often each word occurs in the captions of its training clips (note names left out). */
  caption_word_counts: Record<string, Record<string, number>>;
  /** A prompt asks for a class when the captions' naive Bayes gives it at least this posterior. */
  min_prompt_posterior: number;
}

/** The class a prompt asks for, as the training captions' words tell it. */
export interface PromptClass {
  className: string;
  /** Its posterior under the captions' naive Bayes (uniform prior over the classes). */
  posterior: number;
}

/**
 * The sound-class reader: runs `class_reader/model.onnx` (`latent` [B, C, F, T'] UNet-scale latents →
 * `log_probs` [B, K], the log-probability of each of `classes`). A classifier trained on the VAE encodings of real
 * training clips (training/foley_train/latent_classifier.py, adversarially: Madry et al. 2018), so that it reads
 * what a sound is rather than what a denoiser can imitate; the pipeline uses it to keep, of several candidates, the
 * one most likely to be the class its prompt names.
 */
export class ClassReader {
  private readonly index: ReadonlyMap<string, number>;
  /** log P(word | class) per class, Laplace-smoothed, and log P(unseen word | class). */
  private readonly wordLogProbs: ReadonlyMap<string, number>[];
  private readonly unseenLogProbs: number[];
  private readonly captionWords: ReadonlySet<string>;

  constructor(
    readonly session: OnnxSession,
    readonly config: ClassReaderConfig,
  ) {
    this.index = new Map(config.classes.map((name, k) => [name, k]));
    const tables = config.classes.map((name) => config.caption_word_counts[name] ?? {});
    this.captionWords = new Set(tables.flatMap((t) => Object.keys(t)));
    const V = this.captionWords.size;
    this.unseenLogProbs = [];
    this.wordLogProbs = tables.map((table, c) => {
      const total = Object.values(table).reduce((a, b) => a + b, 0);
      this.unseenLogProbs[c] = Math.log(1 / (total + V));
      return new Map(Object.entries(table).map(([word, n]) => [word, Math.log((n + 1) / (total + V))]));
    });
  }

  /**
   * The class a prompt's words ask for: multinomial naive Bayes on the training captions' words (Manning, Raghavan
   * & Schütze 2008, ch. 13, add-one smoothing, uniform prior), undefined when no class reaches `min_prompt_posterior`
   * or the prompt has no caption word. `words`: the prompt's word tokens (the tokenizer's split).
   */
  promptClass(words: readonly string[]): PromptClass | undefined {
    const known = words.filter((w) => this.captionWords.has(w));
    if (known.length === 0) return undefined;
    const scores = this.wordLogProbs.map((table, c) => known.reduce((sum, w) => sum + (table.get(w) ?? this.unseenLogProbs[c]), 0));
    let best = 0;
    for (let c = 1; c < scores.length; c++) if (scores[c] > scores[best]) best = c;
    const evidence = scores.reduce((sum, v) => sum + Math.exp(v - scores[best]), 0);
    const posterior = 1 / evidence;
    return posterior >= this.config.min_prompt_posterior ? { className: this.config.classes[best], posterior } : undefined;
  }

  /** Values in one latent of `frames` frames: C · F · frames. */
  latentSize(frames: number): number {
    return this.config.in_channels * this.config.freq_bins * frames;
  }

  /** The output column of a class, or undefined when the reader does not know it. */
  classIndex(name: string): number | undefined {
    return this.index.get(name);
  }

  /** Log-probabilities [B, K] (row-major) of the classes for `batch` latents [B, C, F, frames]. */
  async read(latents: Float32Array, batch: number, frames: number): Promise<Float32Array> {
    const { in_channels, freq_bins, classes } = this.config;
    const file = this.session.modelPath;
    checkLatentBatch(file, 'class_reader/config.json', this.config, latents, batch, frames);
    const { log_probs } = await this.session.run({ latent: { data: latents, dims: [batch, in_channels, freq_bins, frames] } });
    if (log_probs.dims.join() !== `${batch},${classes.length}`) {
      throw new ModelBundleError(`${file}: log_probs must be [${batch}, ${classes.length}] (classes in class_reader/config.json), got [${log_probs.dims.join(', ')}]`, log_probs.dims);
    }
    return log_probs.data;
  }
}
