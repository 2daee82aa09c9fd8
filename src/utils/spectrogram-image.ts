/**
 * Renders a log-mel spectrogram as an RGB picture people can read: low frequencies at the bottom, a
 * perceptually ordered dark-blue → green → yellow colour ramp, a frequency axis labelled in Hz and a time axis in
 * seconds, drawn with a built-in 3 × 5 pixel font (scaled ×2). Pure: returns pixels; `encodePng` makes the file.
 */
import { hzToMel, type MelScale } from '../dsp/mel';

export interface SpectrogramImageOptions {
  /** Log-mel values, row-major `[mel][frame]`. */
  data: Float32Array;
  nMels: number;
  frames: number;
  /** Seconds between frames (hop / sample rate). */
  frameSeconds: number;
  fMin: number;
  fMax: number;
  melScale: MelScale;
  /** Dynamic range shown below the maximum, in natural-log units; default ln(10⁴) (80 dB of amplitude). */
  range?: number;
  /** Widest plot in pixels (longer inputs are max-pooled); default 1600. */
  maxPlotWidth?: number;
}

export interface RgbImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

// Ramp anchors, dark to light (increasing lightness, so greyscale prints keep the order).
const RAMP: ReadonlyArray<readonly [number, number, number]> = [
  [48, 8, 72],
  [58, 72, 140],
  [36, 130, 142],
  [52, 180, 110],
  [170, 215, 60],
  [250, 232, 40],
];

/** Colour of t ∈ [0, 1] on the ramp. */
export function rampColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i];
  const b = RAMP[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

// 3 × 5 glyphs, one string per row, '#' = ink.
const GLYPHS: Record<string, string[]> = {
  '0': ['###', '#.#', '#.#', '#.#', '###'],
  '1': ['.#.', '##.', '.#.', '.#.', '###'],
  '2': ['###', '..#', '###', '#..', '###'],
  '3': ['###', '..#', '.##', '..#', '###'],
  '4': ['#.#', '#.#', '###', '..#', '..#'],
  '5': ['###', '#..', '###', '..#', '###'],
  '6': ['###', '#..', '###', '#.#', '###'],
  '7': ['###', '..#', '.#.', '.#.', '.#.'],
  '8': ['###', '#.#', '###', '#.#', '###'],
  '9': ['###', '#.#', '###', '..#', '###'],
  '.': ['...', '...', '...', '...', '.#.'],
  k: ['#..', '#.#', '##.', '#.#', '#.#'],
  H: ['#.#', '#.#', '###', '#.#', '#.#'],
  z: ['...', '###', '.#.', '#..', '###'],
  s: ['...', '.##', '#..', '..#', '##.'],
};
const SCALE = 2;
const GLYPH_WIDTH = 4 * SCALE; // 3 columns + 1 spacing

/** Width in pixels of `text` in the built-in font. */
export function textWidth(text: string): number {
  return text.length * GLYPH_WIDTH - SCALE;
}

function drawText(image: RgbImage, text: string, x: number, y: number, colour: readonly [number, number, number]): void {
  for (let c = 0; c < text.length; c++) {
    const glyph = GLYPHS[text[c]];
    if (glyph === undefined) continue;
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 3; col++) {
        if (glyph[row][col] !== '#') continue;
        for (let dy = 0; dy < SCALE; dy++) {
          for (let dx = 0; dx < SCALE; dx++) setPixel(image, x + c * GLYPH_WIDTH + col * SCALE + dx, y + row * SCALE + dy, colour);
        }
      }
    }
  }
}

function setPixel(image: RgbImage, x: number, y: number, colour: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const i = 3 * (y * image.width + x);
  image.pixels[i] = colour[0];
  image.pixels[i + 1] = colour[1];
  image.pixels[i + 2] = colour[2];
}

function formatHz(hz: number): string {
  return hz >= 1000 ? `${hz / 1000}k` : `${hz}`;
}

function formatSeconds(s: number): string {
  return Number.isInteger(s) ? `${s}` : s.toFixed(s * 10 === Math.round(s * 10) ? 1 : 2);
}

/** Renders the spectrogram with axes; see the module comment. */
export function renderSpectrogram(options: SpectrogramImageOptions): RgbImage {
  const { data, nMels, frames, frameSeconds, fMin, fMax, melScale } = options;
  const range = options.range ?? Math.log(1e4);
  const maxPlotWidth = options.maxPlotWidth ?? 1600;
  // Plot size: one column per frame (max-pooled when long), rows stretched to about 256 pixels.
  const pool = Math.max(1, Math.ceil(frames / maxPlotWidth));
  const columns = Math.ceil(frames / pool);
  const columnWidth = Math.max(1, Math.floor(400 / columns));
  const plotWidth = columns * columnWidth;
  const rowHeight = Math.max(1, Math.round(256 / nMels));
  const plotHeight = nMels * rowHeight;
  const left = 48;
  const top = 18;
  const bottom = 24;
  const right = 28;
  const image: RgbImage = { width: left + plotWidth + right, height: top + plotHeight + bottom, pixels: new Uint8Array(0) };
  image.pixels = new Uint8Array(3 * image.width * image.height).fill(255);
  const ink = [20, 20, 20] as const;

  let max = -Infinity;
  for (const v of data) if (v > max) max = v;
  const lo = max - range;
  for (let c = 0; c < columns; c++) {
    for (let m = 0; m < nMels; m++) {
      let v = -Infinity;
      for (let t = c * pool; t < Math.min(frames, (c + 1) * pool); t++) v = Math.max(v, data[m * frames + t]);
      const colour = rampColour((v - lo) / (max - lo || 1));
      const y0 = top + (nMels - 1 - m) * rowHeight;
      for (let dy = 0; dy < rowHeight; dy++) for (let dx = 0; dx < columnWidth; dx++) setPixel(image, left + c * columnWidth + dx, y0 + dy, colour);
    }
  }
  // Frame around the plot.
  for (let x = left - 1; x <= left + plotWidth; x++) {
    setPixel(image, x, top - 1, ink);
    setPixel(image, x, top + plotHeight, ink);
  }
  for (let y = top - 1; y <= top + plotHeight; y++) {
    setPixel(image, left - 1, y, ink);
    setPixel(image, left + plotWidth, y, ink);
  }

  // Frequency axis: band m's centre is mel point m + 1 of nMels + 2 evenly spaced points.
  const melMin = hzToMel(fMin, melScale);
  const step = (hzToMel(fMax, melScale) - melMin) / (nMels + 1);
  let lastLabelY = Infinity;
  for (const hz of [8000, 4000, 2000, 1000, 500, 250, 125, 16000, 11000, 22000].sort((a, b) => b - a)) {
    if (hz < fMin || hz > fMax) continue;
    const row = (hzToMel(hz, melScale) - melMin) / step - 1;
    if (row < -0.5 || row > nMels - 0.5) continue;
    const y = Math.round(top + plotHeight - (row + 0.5) * rowHeight);
    if (Math.abs(y - lastLabelY) < 12) continue;
    lastLabelY = y;
    for (let dx = 1; dx <= 4; dx++) setPixel(image, left - 1 - dx, y, ink);
    const label = formatHz(hz);
    drawText(image, label, left - 7 - textWidth(label), y - 5, ink);
  }
  drawText(image, 'Hz', left - 7 - textWidth('Hz'), 2, ink);

  // Time axis: frame t is at t · frameSeconds.
  const duration = (frames - 1) * frameSeconds;
  const pixelsPerSecond = plotWidth / Math.max(frames * frameSeconds, 1e-9);
  const tickStep = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600].find((s) => s * pixelsPerSecond >= 50) ?? 600;
  for (let i = 0; i * tickStep <= duration + 1e-9; i++) {
    const seconds = Math.round(i * tickStep * 1000) / 1000;
    const x = Math.round(left + (seconds / frameSeconds / pool + 0.5) * columnWidth);
    for (let dy = 1; dy <= 4; dy++) setPixel(image, x, top + plotHeight + dy, ink);
    const label = formatSeconds(seconds);
    drawText(image, label, x - Math.floor(textWidth(label) / 2), top + plotHeight + 8, ink);
  }
  drawText(image, 's', left + plotWidth + 6, top + plotHeight + 8, ink);
  return image;
}
