import { ModelBundleError } from '../utils/errors';
import type { OnnxSession } from './session';

/** `unet/config.json` keys the runtime uses (verbatim). */
export interface UNetConfig {
  /** Latent channels C. */
  in_channels: number;
  /** Latent frequency rows F. */
  freq_bins: number;
  /** Size D of the conditioning vector (`encoder_hidden_states` [B, D]). */
  cross_attention_dim: number;
  /** The latent time axis must be a multiple of this (the UNet's total down-sampling). */
  time_multiple: number;
  prediction_type: 'epsilon' | 'v_prediction' | 'sample';
}

/** Inputs of one guided denoiser evaluation. Arrays are row-major, batch first. */
export interface GuidedPrediction {
  /** Latents [B, C, F, frames], already scaled by the scheduler's `scaleModelInput`. */
  sample: Float32Array;
  batch: number;
  frames: number;
  timestep: number;
  /** Conditional embeddings [B, D]. */
  cond: Float32Array;
  /** Unconditional (negative prompt) embeddings [B, D]; omitted when guidance is off. */
  uncond?: Float32Array;
  guidanceScale: number;
}

/** The latent denoiser: runs `unet/model.onnx` (`sample`, `timestep`, `encoder_hidden_states` → `out_sample`). */
export class Denoiser {
  constructor(
    readonly session: OnnxSession,
    readonly config: UNetConfig,
  ) {}

  /** Values in one latent of `frames` frames: C · F · frames. */
  latentSize(frames: number): number {
    return this.config.in_channels * this.config.freq_bins * frames;
  }

  /** One forward pass on a batch; `timestep` is shared by the batch. Returns [B, C, F, frames]. */
  async predict(sample: Float32Array, batch: number, frames: number, timestep: number, embeds: Float32Array): Promise<Float32Array> {
    const { in_channels, freq_bins, cross_attention_dim, time_multiple } = this.config;
    if (frames % time_multiple !== 0) {
      throw new ModelBundleError(`${this.session.modelPath}: latent frames must be a multiple of time_multiple ${time_multiple}, got ${frames}`, frames);
    }
    const dims = [batch, in_channels, freq_bins, frames];
    const { out_sample } = await this.session.run({
      sample: { data: sample, dims },
      timestep: { data: new Float32Array(batch).fill(timestep), dims: [batch] },
      encoder_hidden_states: { data: embeds, dims: [batch, cross_attention_dim] },
    });
    if (out_sample.dims.join() !== dims.join()) {
      throw new ModelBundleError(`${this.session.modelPath}: out_sample must be [${dims.join(', ')}], got [${out_sample.dims.join(', ')}]`, out_sample.dims);
    }
    return out_sample.data;
  }

  /**
   * Classifier-free guidance (Ho & Salimans 2022): `uncond + g · (cond − uncond)`, with the unconditional and
   * conditional halves batched into one call of 2B.
   */
  async predictGuided(input: GuidedPrediction): Promise<Float32Array> {
    const { sample, batch, frames, timestep, cond, uncond, guidanceScale } = input;
    if (uncond === undefined) return this.predict(sample, batch, frames, timestep, cond);
    const size = sample.length;
    const doubled = new Float32Array(2 * size);
    doubled.set(sample, 0);
    doubled.set(sample, size);
    const embeds = new Float32Array(uncond.length + cond.length);
    embeds.set(uncond, 0);
    embeds.set(cond, uncond.length);
    const both = await this.predict(doubled, 2 * batch, frames, timestep, embeds);
    const guided = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const u = both[i];
      guided[i] = u + guidanceScale * (both[size + i] - u);
    }
    return guided;
  }
}
