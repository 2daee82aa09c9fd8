/** The model's vocabulary in the page: word suggestions while typing, and unknown words flagged before generating. */
import { WordTokenizer } from '../src/models/tokenizer';
import { WeakClassFinder, type ClassAccuracy, type WeakClass } from '../src/pipeline/class-reliability';

export class Vocabulary {
  readonly words: readonly string[];
  readonly classes: readonly string[];
  private readonly tokenizer: WordTokenizer;
  private readonly weakClassFinder: WeakClassFinder | undefined;

  /** `tokenizerJson` is the bundle's tokenizer.json: the page tokenises exactly as the pipeline will. */
  constructor(tokenizerJson: string, vocabulary: { words: string[]; classes: string[]; classAccuracy?: ReadonlyMap<string, ClassAccuracy> }, source = 'tokenizer.json') {
    this.tokenizer = WordTokenizer.parse(tokenizerJson, source);
    this.words = [...new Set(vocabulary.words)].filter((word) => !word.startsWith('<')).sort();
    this.classes = [...new Set(vocabulary.classes)].sort();
    const table = vocabulary.classAccuracy;
    this.weakClassFinder = table === undefined ? undefined : new WeakClassFinder((text) => this.tokenizer.splitWords(text), this.classes, table);
  }

  /** Sound classes `text` names that the model rendered right in under half of its validation clips (as the pipeline warns). */
  weakClasses(text: string): WeakClass[] {
    return this.weakClassFinder?.find([text]) ?? [];
  }

  /** Words of `text` the model does not know (they become `<unk>`), each once, in order. */
  unknownWords(text: string): string[] {
    return [...new Set(this.tokenizer.tokenize(text).unknownWords)];
  }

  /** Known words starting with `partial` (case-insensitive), shortest first; `partial` itself excluded. */
  complete(partial: string, limit = 12): string[] {
    const prefix = partial.normalize('NFKC').toLowerCase();
    if (prefix.length === 0) return [];
    return this.words
      .filter((word) => word.startsWith(prefix) && word !== prefix)
      .sort((a, b) => a.length - b.length || (a < b ? -1 : 1))
      .slice(0, limit);
  }
}

/** The word being typed at `caret`: its start index and text (letters, digits, # and '). */
export function wordAt(text: string, caret: number): { start: number; partial: string } {
  const before = text.slice(0, caret);
  const match = /[\p{L}\p{N}#']*$/u.exec(before);
  const partial = match?.[0] ?? '';
  return { start: caret - partial.length, partial };
}
