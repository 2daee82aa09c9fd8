/**
 * Audio benchmark: WAV decode and encode of 60 s of stereo 44.1 kHz 16-bit audio, against node-wav (same process)
 * and Python's soundfile (libsndfile) and torchaudio (Debian's /usr/bin/python3, same bytes, same run); plus
 * resampling 44.1 → 16 kHz and BS.1770 loudness of the same audio against torchaudio. Median of several runs
 * after a warm-up. Rows are `{ oursMs, referenceMs, ratio }`: a ratio below 1 means we are faster.
 *
 *   npm run build && node dist/bench/audio.js
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import wav from 'node-wav';
import { decodeWav, encodeWav } from '../src/audio/wav';
import { Resampler } from '../src/audio/resample';
import { integratedLoudness } from '../src/audio/loudness';
import { Rng } from '../src/utils/random';

export interface AudioBenchRow {
  /** Benchmark group ('audio'). */
  group: string;
  /** What was measured. */
  name: string;
  /** Our median time, milliseconds. */
  oursMs: number;
  /** Our fastest run, milliseconds (steadier than the median when page faults and GC make runs swing). */
  oursMinMs?: number;
  /** The reference's fastest run, milliseconds. */
  referenceMinMs?: number;
  /** The reference's median time on the same input, milliseconds (undefined when it could not run). */
  referenceMs?: number;
  /** oursMs / referenceMs: below 1 we are faster. */
  ratio?: number;
  /** What the reference is, or why it is missing. */
  reference: string;
}

export interface AudioBenchOptions {
  /** Timed runs per case (median reported); default 9. */
  repeats?: number;
  /** Python interpreter with numpy, soundfile, torch, torchaudio; default /usr/bin/python3. */
  python?: string;
  /** Threads torch may use; default 2 (the machine's cores). */
  torchThreads?: number;
}

const SAMPLE_RATE = 44100;
const SECONDS = 60;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function once(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** [median, min] of `repeats` runs after a warm-up. */
function time(repeats: number, fn: () => unknown): Stat {
  fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) times.push(once(fn));
  return [median(times), Math.min(...times)];
}

type Stat = [median: number, min: number];

/**
 * Medians of two functions timed in alternation, so both meet the same heap and machine state (the 10 MB
 * allocations of a 60 s decode make single runs swing between about 15 and 70 ms here).
 */
function timePair(repeats: number, a: () => unknown, b: () => unknown): [Stat, Stat] {
  a();
  b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < repeats; r++) {
    ta.push(once(a));
    tb.push(once(b));
  }
  return [[median(ta), Math.min(...ta)], [median(tb), Math.min(...tb)]];
}

/** 60 s of stereo programme-like audio: tones, a sweep and seeded noise, different per channel. */
function testAudio(): Float32Array[] {
  const n = SECONDS * SAMPLE_RATE;
  const rng = new Rng(44100);
  return [0, 1].map((c) => {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / SAMPLE_RATE;
      x[i] = 0.2 * Math.sin(2 * Math.PI * (220 + 110 * c) * t) + 0.1 * Math.sin(2 * Math.PI * (200 + 150 * (t % 20)) * t) + 0.05 * rng.nextNormal();
    }
    return x;
  });
}

const PYTHON_TIMER = String.raw`
import io, json, sys, time
import numpy as np
path, repeats, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, 'rb').read()
out = {}
def timed(fn, n, key):
    fn()
    times = []
    for _ in range(n):
        start = time.perf_counter(); fn(); times.append((time.perf_counter() - start) * 1000)
    out[key] = sorted(times)[len(times) // 2]
    out[key + '/min'] = min(times)
try:
    import soundfile as sf
    x, sr = sf.read(io.BytesIO(data), dtype='float32')
    timed(lambda: sf.read(io.BytesIO(data), dtype='float32'), repeats, 'decode/soundfile')
    def sf_write():
        buf = io.BytesIO(); sf.write(buf, x, sr, subtype='PCM_16', format='WAV'); return buf
    timed(sf_write, repeats, 'encode/soundfile')
except Exception as e:
    out['soundfile_error'] = repr(e)
try:
    import torch, torchaudio
    torch.set_num_threads(threads)
    y, sr = torchaudio.load(io.BytesIO(data))
    timed(lambda: torchaudio.load(io.BytesIO(data)), repeats, 'decode/torchaudio')
    def ta_write():
        buf = io.BytesIO(); torchaudio.save(buf, y, sr, format='wav', encoding='PCM_S', bits_per_sample=16); return buf
    timed(ta_write, repeats, 'encode/torchaudio')
    resampler = torchaudio.transforms.Resample(sr, 16000, resampling_method='kaiser_window', lowpass_filter_width=32, rolloff=0.9, beta=10.06)
    timed(lambda: resampler(y), repeats, 'resample/torchaudio')
    timed(lambda: torchaudio.functional.loudness(y, sr), repeats, 'loudness/torchaudio')
except Exception as e:
    out['torch_error'] = repr(e)
print(json.dumps(out))
`;

function pythonTimes(bytes: Uint8Array, options: Required<AudioBenchOptions>): Record<string, number | string> | string {
  const dir = mkdtempSync(join(tmpdir(), 'foley-bench-audio-'));
  try {
    const path = join(dir, 'in.wav');
    writeFileSync(path, bytes);
    const result = spawnSync(options.python, ['-c', PYTHON_TIMER, path, String(options.repeats), String(options.torchThreads)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
      timeout: 600_000,
    });
    if (result.error !== undefined) return `no reference: ${result.error.message}`;
    if (result.status !== 0) return `no reference: python exited ${result.status}: ${result.stderr.trim().split('\n').pop() ?? ''}`;
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number | string>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the audio benchmark and returns one row per (case, reference). */
export function runAudioBench(options: AudioBenchOptions = {}): AudioBenchRow[] {
  const settings: Required<AudioBenchOptions> = { repeats: options.repeats ?? 9, python: options.python ?? '/usr/bin/python3', torchThreads: options.torchThreads ?? 2 };
  const audio = testAudio();
  const bytes = encodeWav(audio, SAMPLE_RATE, { format: 'pcm16' });
  // node-wav needs an exact-size ArrayBuffer (toolchain.md §6).
  const exact = bytes.slice().buffer as unknown as Buffer;
  const resampler = new Resampler(SAMPLE_RATE, 16000);
  const decode = timePair(settings.repeats, () => decodeWav(bytes), () => wav.decode(exact));
  const encode = timePair(settings.repeats, () => encodeWav(audio, SAMPLE_RATE, { format: 'pcm16' }), () => wav.encode(audio, { sampleRate: SAMPLE_RATE, bitDepth: 16 }));
  const ours: Record<string, Stat> = {
    decode: decode[0],
    encode: encode[0],
    resample: time(settings.repeats, () => audio.map((channel) => resampler.process(channel))),
    loudness: time(settings.repeats, () => integratedLoudness(audio, SAMPLE_RATE)),
  };
  const nodeWav: Record<string, Stat> = { decode: decode[1], encode: encode[1] };
  const python = pythonTimes(bytes, settings);
  const label = `${SECONDS} s stereo ${SAMPLE_RATE / 1000} kHz`;
  const names: Record<string, string> = {
    decode: `WAV decode, ${label} 16-bit (${(bytes.length / 1e6).toFixed(1)} MB) → float32`,
    encode: `WAV encode, ${label} float32 → 16-bit`,
    resample: `resample ${label} → 16 kHz (Kaiser sinc, 32 zero crossings)`,
    loudness: `integrated loudness (BS.1770-4), ${label}`,
  };
  const rows: AudioBenchRow[] = [];
  const add = (key: string, reference: string, measured: Stat | undefined, why?: string) =>
    rows.push({
      group: 'audio',
      name: names[key],
      oursMs: ours[key][0],
      oursMinMs: ours[key][1],
      referenceMs: measured?.[0],
      referenceMinMs: measured?.[1],
      ratio: measured === undefined ? undefined : ours[key][0] / measured[0],
      reference: measured === undefined ? `${reference}: ${why ?? 'not available'}` : reference,
    });
  const fromPython = (key: string): Stat | undefined => {
    if (typeof python === 'string') return undefined;
    const m = python[key];
    const min = python[`${key}/min`];
    return typeof m === 'number' && typeof min === 'number' ? [m, min] : undefined;
  };
  const why = typeof python === 'string' ? python : undefined;
  for (const key of ['decode', 'encode']) {
    add(key, 'node-wav 0.0.2', nodeWav[key]);
    add(key, 'soundfile (libsndfile)', fromPython(`${key}/soundfile`), why);
    add(key, `torchaudio (torch ${settings.torchThreads} threads)`, fromPython(`${key}/torchaudio`), why);
  }
  for (const key of ['resample', 'loudness']) add(key, `torchaudio (torch ${settings.torchThreads} threads)`, fromPython(`${key}/torchaudio`), why);
  return rows;
}

/** The rows as a Markdown table. */
export function formatAudioBenchRows(rows: AudioBenchRow[]): string {
  const ms = (median: number | undefined, min: number | undefined) => (median === undefined ? '—' : `${median.toFixed(1)} (${min?.toFixed(1) ?? '—'})`);
  const lines = ['| case | ours, ms: median (min) | reference | reference, ms: median (min) | ours / reference (medians) |', '|---|---:|---|---:|---:|'];
  for (const row of rows) {
    lines.push(`| ${row.name} | ${ms(row.oursMs, row.oursMinMs)} | ${row.reference} | ${ms(row.referenceMs, row.referenceMinMs)} | ${row.ratio?.toFixed(2) ?? '—'} |`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const threads = Number(process.env.FOLEY_BENCH_TORCH_THREADS ?? 2);
  process.stdout.write(`${formatAudioBenchRows(runAudioBench({ torchThreads: threads }))}\n`);
}
