import { ModelBundleError } from '../utils/errors';
import type { OnnxSession } from './session';

/** `text_encoder/config.json` keys the runtime uses (verbatim). */
export interface TextEncoderConfig {
  /** Size D of one prompt embedding (`text_embeds` [B, D]); the UNet's `cross_attention_dim`. */
  hidden_size: number;
  /** Token ids per prompt (`input_ids` [B, max_length]). */
  max_length: number;
}

/** Prompt → embedding: runs `text_encoder/model.onnx` (`input_ids` int64 [B, L] → `text_embeds` [B, D]). */
export class PromptEncoder {
  constructor(
    readonly session: OnnxSession,
    readonly config: TextEncoderConfig,
  ) {}

  /** Embeds a batch of token-id rows; returns [B, hidden_size] row-major. */
  async encode(inputIds: { data: BigInt64Array; dims: readonly number[] }): Promise<Float32Array> {
    const [batch, length] = inputIds.dims;
    if (length !== this.config.max_length) {
      throw new ModelBundleError(`${this.session.modelPath}: input_ids rows must have max_length ${this.config.max_length} ids, got ${length}`, length);
    }
    const { text_embeds } = await this.session.run({ input_ids: inputIds });
    const expected = [batch, this.config.hidden_size];
    if (text_embeds.dims.join() !== expected.join()) {
      throw new ModelBundleError(`${this.session.modelPath}: text_embeds must be [${expected.join(', ')}] (config hidden_size), got [${text_embeds.dims.join(', ')}]`, text_embeds.dims);
    }
    return text_embeds.data;
  }
}
