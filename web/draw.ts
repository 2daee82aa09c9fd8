/** Canvas drawings: waveform, log-mel spectrogram (src/dsp, the image `foley mel` writes), messages. */
import { LogMel, logMelOptionsFromConfig } from '../src/dsp/log-mel';
import type { MelScale } from '../src/dsp/mel';
import type { AudioConfig } from '../src/pipeline/model-index';
import { renderSpectrogram } from '../src/utils/spectrogram-image';

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('this browser gives no 2D canvas');
  return ctx;
}

/** Min/max per pixel column, centred, with a faint zero line. */
export function drawWaveform(canvas: HTMLCanvasElement, samples: Float32Array, colour = '#5fc7a0'): void {
  const ctx = context(canvas);
  const { width, height } = canvas;
  ctx.fillStyle = '#0d0f14';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#2f3442';
  ctx.fillRect(0, Math.floor(height / 2), width, 1);
  ctx.fillStyle = colour;
  const perColumn = samples.length / width;
  for (let x = 0; x < width; x++) {
    let lo = 0;
    let hi = 0;
    const end = Math.min(samples.length, Math.ceil((x + 1) * perColumn));
    for (let i = Math.floor(x * perColumn); i < end; i++) {
      if (samples[i] < lo) lo = samples[i];
      if (samples[i] > hi) hi = samples[i];
    }
    const top = Math.round((0.5 - hi / 2) * height);
    const bottom = Math.round((0.5 - lo / 2) * height);
    ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
}

/** A log-mel `[nMels][frames]` with frequency and time axes. */
export function drawLogMel(canvas: HTMLCanvasElement, mel: Float32Array, nMels: number, frames: number, audio: AudioConfig): void {
  const image = renderSpectrogram({
    data: mel, nMels, frames, frameSeconds: audio.hop_length / audio.sample_rate,
    fMin: audio.f_min, fMax: audio.f_max, melScale: audio.mel_scale as MelScale, maxPlotWidth: 800,
  });
  canvas.width = image.width;
  canvas.height = image.height;
  const rgba = new ImageData(image.width, image.height);
  for (let i = 0, j = 0; i < image.pixels.length; i += 3, j += 4) {
    rgba.data[j] = image.pixels[i];
    rgba.data[j + 1] = image.pixels[i + 1];
    rgba.data[j + 2] = image.pixels[i + 2];
    rgba.data[j + 3] = 255;
  }
  context(canvas).putImageData(rgba, 0, 0);
}

/** The log-mel of a waveform with the bundle's front end, drawn. */
export function drawSpectrogramOf(canvas: HTMLCanvasElement, samples: Float32Array, audio: AudioConfig): void {
  const { data, nMels, frames } = new LogMel(logMelOptionsFromConfig(audio)).compute(samples);
  drawLogMel(canvas, data, nMels, frames, audio);
}

/** A centred message in place of a drawing. */
export function drawMessage(canvas: HTMLCanvasElement, text: string): void {
  const ctx = context(canvas);
  ctx.fillStyle = '#0d0f14';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#9aa1b2';
  ctx.font = '13px "DejaVu Sans", sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, canvas.width / 2, canvas.height / 2);
}
