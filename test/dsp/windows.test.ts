import { createWindow, hannWindow, WINDOW_TYPES, type WindowType } from '../../src/dsp/windows';
import { InvalidArgumentError } from '../../src/utils/errors';
import { reference, referenceNames, relativeError } from './reference';

describe('windows match torch.*_window', () => {
  const names = referenceNames('window/');
  test('fixtures cover three kinds, both symmetries, five lengths', () => expect(names).toHaveLength(30));
  test.each(names)('%s', (name) => {
    const ref = reference(name);
    const { kind, periodic, length } = ref.params as { kind: WindowType; periodic: boolean; length: number };
    const ours = createWindow(kind, length, { periodic });
    expect(ours).toHaveLength(length);
    expect(relativeError(ours, ref.data)).toBeLessThan(1e-6);
  });
});

describe('windows', () => {
  test('periodic Hann of N is the symmetric Hann of N + 1 without its last sample', () => {
    const periodic = hannWindow(16);
    const symmetric = hannWindow(17, { periodic: false });
    expect(Array.from(periodic)).toEqual(Array.from(symmetric.subarray(0, 16)));
  });
  test('rectangular is all ones; unknown names and negative lengths are rejected', () => {
    expect(Array.from(createWindow('rectangular', 3))).toEqual([1, 1, 1]);
    expect(WINDOW_TYPES).toContain('blackman');
    expect(() => createWindow('kaiser' as WindowType, 8)).toThrow(/unknown window "kaiser"/);
    expect(() => hannWindow(-1)).toThrow(InvalidArgumentError);
  });
});
