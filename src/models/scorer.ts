import { ModelBundleError } from '../utils/errors';
import { checkLatentBatch } from './latent-input';
import type { OnnxSession } from './session';

/** `scorer/config.json` keys the runtime uses (verbatim; the file also carries training figures). */
export interface ScorerConfig {
  /** Latent channels C (the UNet's `in_channels`). */
  in_channels: number;
  /** Latent frequency rows F (the UNet's `freq_bins`). */
  freq_bins: number;
  /** Size D of the prompt embedding it compares with (the text encoder's `hidden_size`). */
  hidden_size: number;
  /** The latent time axis must be a multiple of this. */
  time_multiple: number;
  /** What `score` is: "cosine" (a cosine similarity in [-1, 1]; higher = the sound matches the prompt better). */
  score: 'cosine';
}

/**
 * The contrastive text–audio scorer (CLAP-style): runs `scorer/model.onnx` (`latent` [B, C, F, T'] UNet-scale
 * latents, `text_embeds` [B, D] from the bundle's own text encoder → `score` [B], the cosine similarity of their
 * projections). Row b of the latents is scored against row b of the embeddings.
 */
export class LatentScorer {
  constructor(
    readonly session: OnnxSession,
    readonly config: ScorerConfig,
  ) {}

  /** Values in one latent of `frames` frames: C · F · frames. */
  latentSize(frames: number): number {
    return this.config.in_channels * this.config.freq_bins * frames;
  }

  /** Scores `batch` latents [B, C, F, frames] against `batch` prompt embeddings [B, hidden_size]; returns [B]. */
  async score(latents: Float32Array, batch: number, frames: number, textEmbeds: Float32Array): Promise<Float32Array> {
    const { in_channels, freq_bins, hidden_size } = this.config;
    const file = this.session.modelPath;
    checkLatentBatch(file, 'scorer/config.json', this.config, latents, batch, frames);
    if (textEmbeds.length !== batch * hidden_size) {
      throw new ModelBundleError(`${file}: text_embeds must hold ${batch} × hidden_size ${hidden_size} = ${batch * hidden_size} values, got ${textEmbeds.length}`, textEmbeds.length);
    }
    const { score } = await this.session.run({
      latent: { data: latents, dims: [batch, in_channels, freq_bins, frames] },
      text_embeds: { data: textEmbeds, dims: [batch, hidden_size] },
    });
    if (score.dims.join() !== String(batch)) {
      throw new ModelBundleError(`${file}: score must be [${batch}], got [${score.dims.join(', ')}]`, score.dims);
    }
    return score.data;
  }
}
