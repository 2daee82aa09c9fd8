import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, encodePng } from '../../src/utils/png';
import { rampColour, renderSpectrogram } from '../../src/utils/spectrogram-image';

const PYTHON = '/usr/bin/python3';
const hasPil = spawnSync(PYTHON, ['-c', 'import PIL'], { encoding: 'utf8' }).status === 0;

describe('PNG encoder', () => {
  test('CRC-32 of "123456789" is the standard check value 0xCBF43926', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  (hasPil ? test : test.skip)('Pillow decodes RGB and RGBA images pixel for pixel', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foley-png-'));
    try {
      const width = 7;
      const height = 3;
      const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
      const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 53) % 256);
      writeFileSync(join(dir, 'rgb.png'), encodePng(rgb, width, height, 3));
      writeFileSync(join(dir, 'rgba.png'), encodePng(rgba, width, height, 4));
      const script = `from PIL import Image; import json, sys
out = {}
for name in ('rgb', 'rgba'):
    im = Image.open(sys.argv[1] + '/' + name + '.png'); im.load()
    out[name] = {'mode': im.mode, 'size': im.size, 'bytes': list(im.tobytes())}
print(json.dumps(out))`;
      const result = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      const parsed = JSON.parse(result.stdout) as Record<string, { mode: string; size: number[]; bytes: number[] }>;
      expect(parsed.rgb).toEqual({ mode: 'RGB', size: [width, height], bytes: Array.from(rgb) });
      expect(parsed.rgba).toEqual({ mode: 'RGBA', size: [width, height], bytes: Array.from(rgba) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rejects a pixel buffer that does not match the size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow(/10 bytes do not make a 2 × 2 image of 3 channels/);
  });
});

describe('spectrogram picture', () => {
  test('the colour ramp gets lighter monotonically from dark to light', () => {
    let previous = -1;
    for (let i = 0; i <= 20; i++) {
      const [r, g, b] = rampColour(i / 20);
      const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      expect(luma).toBeGreaterThan(previous);
      previous = luma;
    }
  });

  test('low mels are drawn at the bottom; loud cells light, quiet cells dark; axes leave the plot framed', () => {
    const nMels = 64;
    const frames = 200;
    const data = new Float32Array(nMels * frames).fill(Math.log(1e-5));
    for (let t = 0; t < frames; t++) data[2 * frames + t] = 0; // a loud low band
    const image = renderSpectrogram({ data, nMels, frames, frameSeconds: 0.01, fMin: 0, fMax: 8000, melScale: 'slaney' });
    const pixel = (x: number, y: number) => Array.from(image.pixels.subarray(3 * (y * image.width + x), 3 * (y * image.width + x) + 3));
    // Rows are 4 px high; band 2 from the bottom of a 256-px plot starting at y = 18.
    const plotBottom = 18 + 256;
    const loudY = plotBottom - 2 * 4 - 2;
    const quietY = 18 + 10;
    const x = 48 + 100;
    expect(pixel(x, loudY)).toEqual(rampColour(1));
    expect(pixel(x, quietY)).toEqual(rampColour(0));
    // Labels drawn in ink somewhere left of the plot (frequency axis) and below it (time axis).
    const inkIn = (x0: number, x1: number, y0: number, y1: number) => {
      for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) if (pixel(xx, y)[0] === 20) return true;
      return false;
    };
    expect(inkIn(0, 40, 18, plotBottom)).toBe(true);
    expect(inkIn(48, image.width, plotBottom + 6, image.height)).toBe(true);
  });
});
