import { checkPitch, IN_TUNE_CENTS, noteFromToken, promptedNote } from '../../src/pipeline/prompted-note';

describe('prompted notes (the tokenizer\'s note tokens, C4 = MIDI 60)', () => {
  test('note tokens map to MIDI numbers and equal-tempered frequencies', () => {
    expect(noteFromToken('c4')).toEqual({ name: 'c4', midi: 60, frequency: expect.closeTo(261.626, 3) });
    expect(noteFromToken('a4')?.frequency).toBe(440);
    expect(noteFromToken('c#4')?.midi).toBe(61);
    expect(noteFromToken('db4')?.midi).toBe(61);
    expect(noteFromToken('bb3')?.midi).toBe(58);
    expect(noteFromToken('b3')?.midi).toBe(59);
    expect(noteFromToken('cb4')?.midi).toBe(59);
    expect(noteFromToken('c-1')?.midi).toBe(0);
    expect(noteFromToken('g9')?.midi).toBe(127);
    for (const word of ['c', 'h4', 'c44', 'guitar', '4', 'c#', 'e3x']) expect(noteFromToken(word)).toBeUndefined();
  });

  test('a prompt asks for one note only when it names exactly one pitch and no chord', () => {
    expect(promptedNote(['a', 'soft', 'cello', 'note', ',', 'g2'])?.midi).toBe(43);
    expect(promptedNote(['c#4', 'piano', 'db4'])?.midi).toBe(61);
    expect(promptedNote(['c4', 'to', 'g4'])).toBeUndefined();
    expect(promptedNote(['a', 'c4', 'major', 'chord', 'on', 'piano'])).toBeUndefined();
    expect(promptedNote(['a', 'rising', 'arpeggio', ',', 'e3'])).toBeUndefined();
    expect(promptedNote(['a', 'dog', 'barking'])).toBeUndefined();
  });

  test('"middle c" is C4 and "high c" C5, as the training captions name them; a lone "c" names nothing', () => {
    expect(promptedNote(['a', 'soft', 'piano', 'note', ',', 'middle', 'c'])).toEqual({ name: 'middle c', midi: 60, frequency: expect.closeTo(261.626, 3) });
    expect(promptedNote(['high', 'c', 'on', 'a', 'flute'])?.midi).toBe(72);
    expect(promptedNote(['middle', 'c', ',', 'c4'])?.midi).toBe(60);
    expect(promptedNote(['high', 'c', 'and', 'c4'])).toBeUndefined();
    expect(promptedNote(['c', 'major'])).toBeUndefined();
    expect(promptedNote(['low', 'c'])).toBeUndefined();
  });

  test('checkPitch measures cents from the note and calls ±50 in tune', () => {
    const a4 = noteFromToken('a4')!;
    const sharp = checkPitch(a4, { frequency: 440 * 2 ** (49 / 1200), pitchedShare: 1, pitchedFrames: 10 });
    expect(sharp.centsOff).toBeCloseTo(49, 8);
    expect(sharp.inTune).toBe(true);
    const fifth = checkPitch(a4, { frequency: 660, pitchedShare: 1, pitchedFrames: 10 });
    expect(fifth.centsOff).toBeCloseTo(701.955, 2);
    expect(fifth.inTune).toBe(false);
    expect(checkPitch(a4, { frequency: 440 * 2 ** (-(IN_TUNE_CENTS + 1) / 1200), pitchedShare: 1, pitchedFrames: 3 }).inTune).toBe(false);
    expect(checkPitch(a4, undefined)).toEqual({ note: 'a4', expected: 440, estimated: undefined, centsOff: undefined, inTune: false, guided: false, guideDeclined: false });
    expect(checkPitch(a4, { frequency: 441, pitchedShare: 1, pitchedFrames: 3 }, true).guided).toBe(true);
  });
});
