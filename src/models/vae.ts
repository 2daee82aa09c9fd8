import { ModelBundleError } from '../utils/errors';
import type { OnnxSession } from './session';

/** `vae_encoder/config.json` and `vae_decoder/config.json` keys the runtime uses (verbatim). */
export interface VaeConfig {
  latent_channels: number;
  /** Mel bands per latent row. */
  downsample_freq: number;
  /** Mel frames per latent frame. */
  downsample_time: number;
  /** UNet latents are `vae_mean · scaling_factor`. */
  scaling_factor: number;
}

/** Latents → log-mel: runs `vae_decoder/model.onnx` (`latent_sample` [B, C, F, T'] → `mel` [B, 1, n_mels, T'·downsample_time]). */
export class VaeDecoder {
  constructor(
    readonly session: OnnxSession,
    readonly config: VaeConfig,
    readonly nMels: number,
  ) {}

  /** Decodes UNet-scale latents (divided by `scaling_factor` here); returns the mel [B, 1, n_mels, frames·downsample_time]. */
  async decode(latents: Float32Array, batch: number, frames: number): Promise<Float32Array> {
    const { latent_channels, downsample_freq, downsample_time, scaling_factor } = this.config;
    const scaled = new Float32Array(latents.length);
    for (let i = 0; i < latents.length; i++) scaled[i] = latents[i] / scaling_factor;
    const { mel } = await this.session.run({
      latent_sample: { data: scaled, dims: [batch, latent_channels, this.nMels / downsample_freq, frames] },
    });
    const expected = [batch, 1, this.nMels, frames * downsample_time];
    if (mel.dims.join() !== expected.join()) {
      throw new ModelBundleError(`${this.session.modelPath}: mel must be [${expected.join(', ')}], got [${mel.dims.join(', ')}]`, mel.dims);
    }
    return mel.data;
  }
}

/** Log-mel → latents: runs `vae_encoder/model.onnx` (`mel` [B, 1, n_mels, T] → `latent_mean` [B, C, F, T/downsample_time]). */
export class VaeEncoder {
  constructor(
    readonly session: OnnxSession,
    readonly config: VaeConfig,
    readonly nMels: number,
  ) {}

  /** Encodes a mel whose frame count is a multiple of `downsample_time`; returns UNet-scale latents (mean · scaling_factor). */
  async encode(mel: Float32Array, batch: number, melFrames: number): Promise<Float32Array> {
    const { latent_channels, downsample_freq, downsample_time, scaling_factor } = this.config;
    if (melFrames % downsample_time !== 0) {
      throw new ModelBundleError(`${this.session.modelPath}: mel frames must be a multiple of downsample_time ${downsample_time}, got ${melFrames}`, melFrames);
    }
    const { latent_mean } = await this.session.run({ mel: { data: mel, dims: [batch, 1, this.nMels, melFrames] } });
    const expected = [batch, latent_channels, this.nMels / downsample_freq, melFrames / downsample_time];
    if (latent_mean.dims.join() !== expected.join()) {
      throw new ModelBundleError(`${this.session.modelPath}: latent_mean must be [${expected.join(', ')}], got [${latent_mean.dims.join(', ')}]`, latent_mean.dims);
    }
    const scaled = new Float32Array(latent_mean.data.length);
    for (let i = 0; i < scaled.length; i++) scaled[i] = latent_mean.data[i] * scaling_factor;
    return scaled;
  }
}
