import { ModelBundleError } from '../utils/errors';

/** `tokenizer/tokenizer.json` as written by `training/foley_train/tokenizer.py` (keys verbatim). */
export interface TokenizerJson {
  type: 'word';
  lowercase: boolean;
  normalization?: string;
  max_length: number;
  pattern: string;
  pad_token: string;
  unk_token: string;
  vocab: Record<string, number>;
}

/** One prompt, tokenised. */
export interface TokenizedPrompt {
  /** Token ids, right-padded with the pad id to `maxLength`. */
  ids: number[];
  /** Token strings kept (after dropping unknown punctuation), before truncation. */
  tokens: string[];
  /** Words the vocabulary does not know (they map to `<unk>`), in prompt order. */
  unknownWords: string[];
  /** Tokens cut off by `max_length`. */
  truncatedTokens: string[];
}

/**
 * Python's `\s` for str patterns (what `str.isspace()` accepts). JavaScript's `\s` differs (it has U+FEFF and
 * lacks U+001C–U+001F and U+0085), so the pattern's `\s` is replaced by this class to match the Python tokenizer.
 */
const PYTHON_WHITESPACE = '\\t\\n\\v\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** A token with a letter, a digit or `#` is a word; other tokens are punctuation, dropped unless in the vocabulary. */
const WORD_CHARACTER = /[a-z0-9#]/;

/** True for a word token (`splitWords` output with a letter, digit or `#`), false for punctuation. */
export function isWordToken(token: string): boolean {
  return WORD_CHARACTER.test(token);
}

/**
 * The word-level prompt tokenizer of docs/bundle-format.md, identical to `training/foley_train/tokenizer.py`:
 * NFKC-normalise, lowercase, regex matches left to right, unknown words → `<unk>`, unknown punctuation dropped,
 * truncate to `max_length`, right-pad with `<pad>` (id 0).
 */
export class WordTokenizer {
  readonly maxLength: number;
  readonly padId: number;
  readonly unkId: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly pattern: RegExp;
  private readonly lowercase: boolean;

  constructor(json: TokenizerJson, source = 'tokenizer.json') {
    if (json.type !== 'word') throw new ModelBundleError(`${source}: "type" must be "word", got ${JSON.stringify(json.type)}`, json.type);
    if (!Number.isInteger(json.max_length) || json.max_length < 1) {
      throw new ModelBundleError(`${source}: "max_length" must be a positive integer, got ${JSON.stringify(json.max_length)}`, json.max_length);
    }
    if (typeof json.pattern !== 'string') throw new ModelBundleError(`${source}: "pattern" must be a string`, json.pattern);
    if (typeof json.vocab !== 'object' || json.vocab === null) throw new ModelBundleError(`${source}: "vocab" must be an object of word → id`, json.vocab);
    this.vocab = new Map(Object.entries(json.vocab));
    const padId = this.vocab.get(json.pad_token);
    const unkId = this.vocab.get(json.unk_token);
    if (padId !== 0 || unkId === undefined) {
      throw new ModelBundleError(`${source}: the vocabulary must map pad_token "${json.pad_token}" to 0 and contain unk_token "${json.unk_token}"`, json.vocab);
    }
    this.padId = padId;
    this.unkId = unkId;
    this.maxLength = json.max_length;
    this.lowercase = json.lowercase ?? true;
    try {
      this.pattern = new RegExp(json.pattern.replaceAll('\\s', PYTHON_WHITESPACE), 'gu');
    } catch (error) {
      throw new ModelBundleError(`${source}: "pattern" is not a valid regular expression (${(error as Error).message})`, json.pattern);
    }
  }

  /** Reads `tokenizer.json` (Node; node:fs is loaded on first use so that browser builds do not bundle it). */
  static async load(path: string): Promise<WordTokenizer> {
    let text: string;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { readFile } = require('node:fs/promises') as typeof import('node:fs/promises');
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ModelBundleError(`${path}: cannot read the tokenizer (${(error as Error).message})`, path);
    }
    return WordTokenizer.parse(text, path);
  }

  /** The tokenizer of a `tokenizer.json` text read from `source` (a path or URL, for messages). */
  static parse(text: string, source = 'tokenizer.json'): WordTokenizer {
    let json: TokenizerJson;
    try {
      json = JSON.parse(text) as TokenizerJson;
    } catch (error) {
      throw new ModelBundleError(`${source}: cannot read the tokenizer (${(error as Error).message})`, source);
    }
    return new WordTokenizer(json, source);
  }

  get vocabularySize(): number {
    return this.vocab.size;
  }

  has(word: string): boolean {
    return this.vocab.has(word);
  }

  /** The token strings of `text` before vocabulary lookup (Python `split_words`). */
  splitWords(text: string): string[] {
    let normalised = text.normalize('NFKC');
    if (this.lowercase) normalised = normalised.toLowerCase();
    return normalised.match(this.pattern) ?? [];
  }

  tokenize(text: string): TokenizedPrompt {
    const tokens = this.splitWords(text).filter((token) => this.vocab.has(token) || WORD_CHARACTER.test(token));
    const unknownWords = tokens.filter((token) => !this.vocab.has(token));
    const kept = tokens.slice(0, this.maxLength);
    const ids = kept.map((token) => this.vocab.get(token) ?? this.unkId);
    while (ids.length < this.maxLength) ids.push(this.padId);
    return { ids, tokens, unknownWords, truncatedTokens: tokens.slice(this.maxLength) };
  }

  /** Token ids of one prompt, padded to `maxLength`. */
  encode(text: string): number[] {
    return this.tokenize(text).ids;
  }

  /** The `input_ids` tensor for a batch of prompts: int64 [B, maxLength]. */
  encodeBatch(texts: readonly string[]): { data: BigInt64Array; dims: number[]; prompts: TokenizedPrompt[] } {
    const prompts = texts.map((text) => this.tokenize(text));
    const data = new BigInt64Array(texts.length * this.maxLength);
    prompts.forEach((prompt, b) => prompt.ids.forEach((id, i) => (data[b * this.maxLength + i] = BigInt(id))));
    return { data, dims: [texts.length, this.maxLength], prompts };
  }
}
