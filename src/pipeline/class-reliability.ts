import { isWordToken } from '../models/tokenizer';
import { ModelBundleError } from '../utils/errors';

/** How often the model rendered one sound class so that the evaluator heard it (tokenizer/vocabulary.json). */
export interface ClassAccuracy {
  /** Validation clips generated for prompts of this class. */
  clips: number;
  /** Of those, how many the evaluation classifier heard as this class. */
  right: number;
  /** The class the wrong ones were most often heard as; null when none was wrong. */
  heardAs: string | null;
}

/** A sound class a prompt names that the model rarely renders (`GenerationResult.weakClasses`). */
export interface WeakClass extends ClassAccuracy {
  /** The class, as vocabulary.json spells it ("bagpipe", "string ensemble 2"). */
  className: string;
}

/** Thresholds for calling a class weak. */
export interface WeakClassOptions {
  /** Fewer measured clips than this say too little to warn about (default 4). */
  minClips: number;
  /** A class is weak when right / clips is below this share (default 0.5: wrong more often than right). */
  maxShare: number;
}

export const WEAK_CLASS_DEFAULTS: Readonly<WeakClassOptions> = { minClips: 4, maxShare: 0.5 };

/**
 * Validates vocabulary.json's optional "class_accuracy" ({class: {clips, right, heard_as}}, written by
 * `training/foley_train/eval/class_reliability.py`); undefined when the bundle has none.
 */
export function parseClassAccuracy(file: string, raw: unknown, classes: readonly string[]): Map<string, ClassAccuracy> | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelBundleError(`${file}: "class_accuracy" must be an object {class: {clips, right, heard_as}}, got ${JSON.stringify(raw)}`, raw);
  }
  const known = new Set(classes);
  const table = new Map<string, ClassAccuracy>();
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    const row = entry as Record<string, unknown> | null;
    const clips = row?.clips;
    const right = row?.right;
    const heardAs = row?.heard_as;
    const valid = typeof row === 'object' && row !== null && Number.isInteger(clips) && (clips as number) >= 1
      && Number.isInteger(right) && (right as number) >= 0 && (right as number) <= (clips as number)
      && (heardAs === null || typeof heardAs === 'string');
    if (!valid) {
      throw new ModelBundleError(`${file}: "class_accuracy.${name}" must be {"clips": integer ≥ 1, "right": integer 0…clips, "heard_as": class or null}, got ${JSON.stringify(entry)}`, entry);
    }
    if (!known.has(name)) {
      throw new ModelBundleError(`${file}: "class_accuracy" names "${name}", which is not in "classes": measured on another bundle? Rerun training/run.sh eval`, name);
    }
    table.set(name, { clips: clips as number, right: right as number, heardAs: heardAs as string | null });
  }
  return table;
}

/**
 * The classes a prompt names: each class's words as a run of the prompt's words (the tokenizer's split), longest
 * classes first so that "acoustic grand piano" is not also read as a shorter class inside it. In prompt order.
 */
export function namedClasses(promptWords: readonly string[], classWords: ReadonlyMap<string, readonly string[]>): string[] {
  const taken = new Array<boolean>(promptWords.length).fill(false);
  const found: Array<[number, string]> = [];
  const byLength = [...classWords].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  for (const [name, words] of byLength) {
    if (words.length === 0) continue;
    for (let start = 0; start + words.length <= promptWords.length; start++) {
      let match = true;
      for (let k = 0; k < words.length && match; k++) match = !taken[start + k] && promptWords[start + k] === words[k];
      if (!match) continue;
      for (let k = 0; k < words.length; k++) taken[start + k] = true;
      found.push([start, name]);
      break;
    }
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, name]) => name);
}

/** The named classes whose measured share right is below `maxShare` over at least `minClips` clips. */
export function findWeakClasses(named: readonly string[], table: ReadonlyMap<string, ClassAccuracy>, options: Partial<WeakClassOptions> = {}): WeakClass[] {
  const { minClips, maxShare } = { ...WEAK_CLASS_DEFAULTS, ...options };
  const weak: WeakClass[] = [];
  for (const className of new Set(named)) {
    const row = table.get(className);
    if (row !== undefined && row.clips >= minClips && row.right / row.clips < maxShare) weak.push({ className, ...row });
  }
  return weak;
}

/**
 * The weak classes a set of prompts names, from a bundle's classes and measurement: what the pipeline warns about
 * and the demo page shows while typing, so both read prompts the same way. `splitWords` is the bundle tokenizer's
 * split (`WordTokenizer.splitWords`); each class's words are split once, here.
 */
export class WeakClassFinder {
  private readonly classWords: ReadonlyMap<string, readonly string[]>;

  constructor(
    private readonly splitWords: (text: string) => string[],
    classes: readonly string[],
    private readonly table: ReadonlyMap<string, ClassAccuracy>,
  ) {
    this.classWords = new Map(classes.map((name) => [name, splitWords(name).filter(isWordToken)]));
  }

  find(prompts: readonly string[]): WeakClass[] {
    return findWeakClasses(prompts.flatMap((prompt) => namedClasses(this.splitWords(prompt).filter(isWordToken), this.classWords)), this.table);
  }
}

/** One line for a user: what was asked, how often it came out right, what it tends to sound like instead. */
export function describeWeakClass(weak: WeakClass): string {
  const instead = weak.heardAs === null ? '' : ` (most often heard as ${weak.heardAs})`;
  return `the model renders "${weak.className}" poorly: ${weak.right} of ${weak.clips} validation clips were heard as ${weak.className}${instead}; expect another timbre (several seeds or candidates raise the odds)`;
}
