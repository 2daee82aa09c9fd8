import { ModelBundleError } from '../utils/errors';

/** The latent grid a latent-reading component (scorer, class reader) declares in its config.json. */
export interface LatentGrid {
  in_channels: number;
  freq_bins: number;
  time_multiple: number;
}

/**
 * Checks a batch of UNet-scale latents [batch, C, F, frames] against a component's grid, naming the model file, the
 * component's config.json (`configFile`) and the offending value.
 */
export function checkLatentBatch(modelFile: string, configFile: string, grid: LatentGrid, latents: Float32Array, batch: number, frames: number): void {
  const { in_channels, freq_bins, time_multiple } = grid;
  if (!Number.isInteger(batch) || batch < 1) throw new ModelBundleError(`${modelFile}: batch must be a positive integer, got ${batch}`, batch);
  if (!Number.isInteger(frames) || frames < time_multiple || frames % time_multiple !== 0) {
    throw new ModelBundleError(`${modelFile}: latent frames must be a positive multiple of time_multiple ${time_multiple} (${configFile}), got ${frames}`, frames);
  }
  const latentValues = batch * in_channels * freq_bins * frames;
  if (latents.length !== latentValues) {
    throw new ModelBundleError(`${modelFile}: latent must hold ${batch} × ${in_channels} × ${freq_bins} × ${frames} = ${latentValues} values (in_channels × freq_bins from ${configFile}), got ${latents.length}`, latents.length);
  }
}
