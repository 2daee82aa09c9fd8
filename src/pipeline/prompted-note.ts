import { centsBetween, midiToHz, type PitchEstimate } from '../dsp/pitch';
import type { Hertz } from '../types/units';

/** A note a prompt asks for, as the tokenizer reads it ("c#4", "eb3": one token, scientific pitch, C4 = MIDI 60). */
export interface PromptedNote {
  /** The token as written in the (lowercased) prompt. */
  name: string;
  midi: number;
  frequency: Hertz;
}

/** How the pitch of a generated waveform compares with the note its prompt names. */
export interface PitchCheck {
  /** The prompted note, as written ("c#4"). */
  note: string;
  expected: Hertz;
  /** The estimated f0 (subharmonic summation, src/dsp/pitch.ts); undefined when the sound has no clear pitch. */
  estimated: Hertz | undefined;
  /** Cents from `expected` to `estimated` (positive: sharp); undefined without an estimate. */
  centsOff: number | undefined;
  /** |centsOff| ≤ IN_TUNE_CENTS: the tolerance of the evaluation's pitch accuracy. */
  inTune: boolean;
  /**
   * True when the waveform missed the note and the pitch guide (HarmonicComb, `GenerateOptions.pitchGuide`) pulled
   * it toward the note; the other fields then describe the guided waveform.
   */
  guided: boolean;
  /**
   * True when the pitch guide was tried and undone because the bundle's class reader found the guided sound much less
   * likely to be the prompt's sound class than the sound as generated (`GenerateOptions.classGuard`); the other
   * fields then describe the waveform as generated.
   */
  guideDeclined: boolean;
}

/** A waveform is in tune within ± this many cents of its prompted note (issue 5's pitch-accuracy tolerance). */
export const IN_TUNE_CENTS = 50;

const NOTE_TOKEN = /^([a-g])(#|b)?(-?[0-9])$/;
const SEMITONES: Readonly<Record<string, number>> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };
// A chord or arpeggio prompt names its root, not the one pitch the sound has.
const MANY_PITCH_WORDS = new Set(['chord', 'chords', 'arpeggio', 'arpeggios', 'arpeggiated']);

/** The note of one token ("c#4" → MIDI 61), or undefined when the token is not a note name with an octave. */
export function noteFromToken(token: string): PromptedNote | undefined {
  const match = NOTE_TOKEN.exec(token);
  if (match === null) return undefined;
  const [, letter, accidental, octave] = match;
  const midi = 12 * (Number(octave) + 1) + SEMITONES[letter] + (accidental === '#' ? 1 : accidental === 'b' ? -1 : 0);
  return { name: token, midi, frequency: midiToHz(midi) };
}

// The two Cs the training captions name in words (training/foley_train/data/captions.py): "middle c" and "high c".
const NAMED_CS: Readonly<Record<string, string>> = { middle: 'c4', high: 'c5' };

/**
 * The single note a tokenised prompt asks for: undefined when it names none, names several different pitches
 * ("c4 to g4"), or asks for a chord or an arpeggio. "middle c" is C4 and "high c" C5, as in the training captions.
 */
export function promptedNote(tokens: readonly string[]): PromptedNote | undefined {
  if (tokens.some((t) => MANY_PITCH_WORDS.has(t))) return undefined;
  const notes = tokens
    .map((t, i) => (t === 'c' && i > 0 && NAMED_CS[tokens[i - 1]] !== undefined ? { ...noteFromToken(NAMED_CS[tokens[i - 1]])!, name: `${tokens[i - 1]} c` } : noteFromToken(t)))
    .filter((n): n is PromptedNote => n !== undefined);
  if (notes.length === 0 || notes.some((n) => n.midi !== notes[0].midi)) return undefined;
  return notes[0];
}

/** "+702 cents", "-12 cents", "+0 cents": a pitch offset rounded to the cent, signed. */
export function formatCents(cents: number): string {
  const rounded = Math.round(cents);
  return `${rounded >= 0 ? '+' : ''}${rounded} cents`;
}

/** Compares an estimate with the prompted note. */
export function checkPitch(note: PromptedNote, estimate: PitchEstimate | undefined, guided = false): PitchCheck {
  const centsOff = estimate === undefined ? undefined : centsBetween(estimate.frequency, note.frequency);
  return { note: note.name, expected: note.frequency, estimated: estimate?.frequency, centsOff, inTune: centsOff !== undefined && Math.abs(centsOff) <= IN_TUNE_CENTS, guided, guideDeclined: false };
}
