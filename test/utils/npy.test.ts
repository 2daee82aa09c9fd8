import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy, encodeNpy } from '../../src/utils/npy';

const PYTHON = '/usr/bin/python3';
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe('.npy encoding', () => {
  const data = Float32Array.from({ length: 3 * 5 }, (_, i) => (i - 7) / 3);

  test('header is NumPy 1.0, 64-byte aligned, and decodes back exactly', () => {
    const bytes = encodeNpy(data, [3, 5]);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes[10 + headerLength - 1]).toBe(0x0a);
    const back = decodeNpy(bytes);
    expect(back.shape).toEqual([3, 5]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  (hasNumpy ? test : test.skip)('numpy.load reads the shape, dtype and values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foley-npy-'));
    try {
      const path = join(dir, 'a.npy');
      writeFileSync(path, encodeNpy(data, [3, 5]));
      writeFileSync(join(dir, 'b.npy'), encodeNpy(new Float32Array([1.5, -2]), [2]));
      const script = `import numpy as np, json, sys
a = np.load(sys.argv[1]); b = np.load(sys.argv[2])
print(json.dumps({'shape': a.shape, 'dtype': str(a.dtype), 'values': a.astype(float).ravel().tolist(), 'b': b.tolist(), 'bshape': b.shape}))`;
      const result = spawnSync(PYTHON, ['-c', script, path, join(dir, 'b.npy')], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      const parsed = JSON.parse(result.stdout) as { shape: number[]; dtype: string; values: number[]; b: number[]; bshape: number[] };
      expect(parsed.shape).toEqual([3, 5]);
      expect(parsed.dtype).toBe('float32');
      expect(parsed.values).toEqual(Array.from(data));
      expect(parsed.b).toEqual([1.5, -2]);
      expect(parsed.bshape).toEqual([2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a shape that does not fit the data, and foreign files, are rejected', () => {
    expect(() => encodeNpy(data, [4, 4])).toThrow(/shape \(4, 4\) does not describe 15 values/);
    expect(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(/not a \.npy file/);
  });
});
