/**
 * DSP benchmark: our log-mel (60 s), STFT and iSTFT (60 s), Griffin-Lim-32 (5 s) against torch/torchaudio on
 * the same input in the same run (Debian's /usr/bin/python3, torch.set_num_threads(2)). Median of several
 * runs after a warm-up.
 *
 *   npm run build && node dist/bench/dsp.js
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { griffinLim } from '../src/dsp/griffin-lim';
import { LogMel } from '../src/dsp/log-mel';
import { melToLinear } from '../src/dsp/mel-inverse';
import { Stft } from '../src/dsp/stft';
import { PitchEstimator } from '../src/dsp/pitch';
import { HarmonicComb } from '../src/dsp/harmonic-comb';
import { HarmonicResynthesis } from '../src/dsp/harmonic-resynthesis';
import { Rng } from '../src/utils/random';
import { trainingDir } from './paths';

export interface BenchRow {
  /** Benchmark group ('dsp'). */
  group: string;
  /** What was measured. */
  name: string;
  /** Our median time, milliseconds. */
  oursMs: number;
  /** torchaudio's median time on the same input, milliseconds (undefined when Python/torch is unavailable). */
  referenceMs?: number;
  /** oursMs / referenceMs: below 1 we are faster. */
  ratio?: number;
  /** What the reference is, or why it is missing. */
  reference: string;
}

export interface DspBenchOptions {
  /** Timed runs per case (median reported); default 5. */
  repeats?: number;
  /** Python interpreter with torch and torchaudio; default /usr/bin/python3. */
  python?: string;
  /** Threads torch may use; default 2 (the machine's cores). */
  torchThreads?: number;
}

const SAMPLE_RATE = 16000;

/** Deterministic test audio: three tones, a sweep and seeded noise. */
function testSignal(seconds: number): Float32Array {
  const n = seconds * SAMPLE_RATE;
  const rng = new Rng(2024);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE;
    out[i] = 0.2 * Math.sin(2 * Math.PI * 220 * t) + 0.1 * Math.sin(2 * Math.PI * 1760 * t) + 0.1 * Math.sin(2 * Math.PI * (200 + 300 * (t % 10)) * t) + 0.05 * rng.nextNormal();
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(repeats: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

const PYTHON_TIMER = String.raw`
import json, sys, time
import numpy as np, torch, torchaudio
sys.path.insert(0, sys.argv[5])  # training/, for the pitch guide's PyTorch twin
from foley_train.pitch_guide import guide, resynthesize
torch.set_num_threads(int(sys.argv[4]))
repeats = int(sys.argv[3])
long = torch.from_numpy(np.fromfile(sys.argv[1], '<f4'))
short = torch.from_numpy(np.fromfile(sys.argv[2], '<f4'))
window = torch.hann_window(1024)
mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=1024, win_length=1024, hop_length=160, f_min=0.0,
    f_max=8000.0, n_mels=64, power=1.0, norm='slaney', mel_scale='slaney', center=True, pad_mode='reflect')
def timed(fn, n):
    fn()
    times = []
    for _ in range(n):
        start = time.perf_counter(); fn(); times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]
spec = torch.stft(long, 1024, 160, 1024, window, center=True, pad_mode='reflect', return_complex=True)
mag = torch.stft(short, 1024, 160, 1024, window, center=True, pad_mode='reflect', return_complex=True).abs()
out = {
    'logmel': timed(lambda: torch.log(torch.clamp(mel(long), min=1e-5)), repeats),
    'stft': timed(lambda: torch.stft(long, 1024, 160, 1024, window, center=True, pad_mode='reflect', return_complex=True), repeats),
    'istft': timed(lambda: torch.istft(spec, 1024, 160, 1024, window, length=long.numel()), repeats),
    'griffinlim': timed(lambda: torchaudio.functional.griffinlim(mag, window, 1024, 160, 1024, 1.0, 32, 0.99, short.numel(), True), max(1, repeats // 2)),
    'pitchguide': timed(lambda: guide(short[:32000], 261.63), repeats),
    'lownote': timed(lambda: resynthesize(short[:32000], 41.2034), repeats),
}
print(json.dumps(out))
`;

function torchTimes(long: Float32Array, short: Float32Array, options: Required<DspBenchOptions>): Record<string, number> | string {
  const dir = mkdtempSync(join(tmpdir(), 'foley-bench-'));
  try {
    const longPath = join(dir, 'long.f32');
    const shortPath = join(dir, 'short.f32');
    writeFileSync(longPath, new Uint8Array(long.buffer, long.byteOffset, long.byteLength));
    writeFileSync(shortPath, new Uint8Array(short.buffer, short.byteOffset, short.byteLength));
    const result = spawnSync(options.python, ['-c', PYTHON_TIMER, longPath, shortPath, String(options.repeats), String(options.torchThreads), trainingDir()], {
      encoding: 'utf8',
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
      timeout: 600_000,
    });
    if (result.error !== undefined) return `no reference: ${result.error.message}`;
    if (result.status !== 0) return `no reference: python exited ${result.status}: ${result.stderr.trim().split('\n').pop() ?? ''}`;
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the DSP benchmark and returns one row per case. */
export function runDspBench(options: DspBenchOptions = {}): BenchRow[] {
  const settings: Required<DspBenchOptions> = { repeats: options.repeats ?? 5, python: options.python ?? '/usr/bin/python3', torchThreads: options.torchThreads ?? 2 };
  const long = testSignal(60);
  const short = testSignal(5);
  const logMel = new LogMel();
  const stft = new Stft({ nFft: 1024, hopLength: 160 });
  const melOut = new Float32Array(64 * logMel.frameCount(long.length));
  const spec = stft.forward(long);
  const magnitude = stft.magnitude(short);
  const twoSeconds = short.subarray(0, 32000);
  const pitchEstimator = new PitchEstimator({ sampleRate: 16000 });
  const pitchGuide = new HarmonicComb({ sampleRate: 16000, nFft: 1024, hopLength: 160 });
  const lowNoteGuide = new HarmonicResynthesis({ sampleRate: 16000, nFft: 1024, hopLength: 160 });
  const ours: Record<string, number> = {
    logmel: time(settings.repeats, () => logMel.compute(long, melOut)),
    stft: time(settings.repeats, () => stft.forward(long, spec)),
    istft: time(settings.repeats, () => stft.inverse(spec, long.length)),
    griffinlim: time(Math.max(1, Math.floor(settings.repeats / 2)), () => griffinLim(magnitude, { nFft: 1024, hopLength: 160, iterations: 32, length: short.length })),
    // The pipeline's per-note work on a 2 s clip: the pitch estimate (no torch twin) and the pitch guide.
    pitch: time(settings.repeats, () => pitchEstimator.estimate(twoSeconds)),
    pitchguide: time(settings.repeats, () => pitchGuide.apply(twoSeconds, 261.63)),
    // Below the vocoder's pitch floor the guide rebuilds the note instead; E1 has the most harmonics (193).
    lownote: time(settings.repeats, () => lowNoteGuide.apply(twoSeconds, 41.2034)),
  };
  const reference = torchTimes(long, short, settings);
  const names: Record<string, string> = {
    logmel: 'log-mel, 60 s at 16 kHz (AudioLDM: n_fft 1024, hop 160, 64 Slaney mels)',
    stft: 'STFT, 60 s (n_fft 1024, hop 160, complex out)',
    istft: 'iSTFT, 60 s (n_fft 1024, hop 160)',
    griffinlim: 'Griffin-Lim, 32 iterations, momentum 0.99, 5 s',
    pitch: 'pitch estimate (subharmonic summation), 2 s',
    pitchguide: 'pitch guide (harmonic comb + 8 Griffin-Lim iterations), 2 s; reference foley_train/pitch_guide.py',
    lownote: 'pitch guide below E3 (harmonic resynthesis of E1, 193 harmonics), 2 s; reference pitch_guide.resynthesize',
  };
  return Object.keys(ours).map((key) => {
    const referenceMs = typeof reference === 'string' ? undefined : reference[key];
    return {
      group: 'dsp',
      name: names[key],
      oursMs: ours[key],
      referenceMs,
      ratio: referenceMs === undefined ? undefined : ours[key] / referenceMs,
      reference: typeof reference === 'string' ? reference : referenceMs === undefined ? 'no torch twin' : `torch ${settings.torchThreads} threads`,
    };
  });
}

export interface GriffinLimQualityRow {
  signal: string;
  /** Mean |log-mel(resynthesis) − log-mel(original)| for each setting, nats. */
  melL1: Record<string, number>;
}

/** Test signals for the quality table, 2 s at 16 kHz each. */
function qualitySignals(): Record<string, Float32Array> {
  const n = 2 * SAMPLE_RATE;
  const rng = new Rng(7);
  const make = (f: (t: number, i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i / SAMPLE_RATE, i));
  return {
    'chirp 100 Hz → 7 kHz': make((t) => 0.5 * Math.sin(2 * Math.PI * (100 * t + ((7000 - 100) / 4) * t * t))),
    'harmonic note 220 Hz, decaying': make((t) => Math.exp(-1.5 * t) * [1, 2, 3, 4, 5, 6].reduce((v, h) => v + (0.3 / h) * Math.sin(2 * Math.PI * 220 * h * t), 0)),
    'white noise': make(() => 0.1 * rng.nextNormal()),
    'clicks (4 per s) + tone': make((t, i) => (i % 4000 < 40 ? 0.8 * Math.exp(-(i % 4000) / 8) : 0) + 0.1 * Math.sin(2 * Math.PI * 660 * t)),
  };
}

/**
 * Griffin-Lim-32 quality on the AudioLDM log-mel: mel-L1 of the resynthesis against the original, for the clamped
 * pseudo-inverse alone and with 100 NNLS iterations, random and zero initial phase.
 */
export function runGriffinLimQuality(): GriffinLimQualityRow[] {
  const front = new LogMel();
  const o = front.options;
  const melL1 = (a: Float32Array, b: Float32Array) => {
    const x = front.compute(a).data;
    const y = front.compute(b).data;
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += Math.abs(x[i] - y[i]);
    return sum / x.length;
  };
  const settings: Record<string, { nnls: number; phase: 'random' | 'zero'; iterations: number }> = {
    'pinv, GL-32': { nnls: 0, phase: 'random', iterations: 32 },
    'pinv+NNLS-100, GL-0': { nnls: 100, phase: 'random', iterations: 0 },
    'pinv+NNLS-100, GL-32': { nnls: 100, phase: 'random', iterations: 32 },
    'pinv+NNLS-100, GL-32, zero phase': { nnls: 100, phase: 'zero', iterations: 32 },
  };
  return Object.entries(qualitySignals()).map(([signal, x]) => {
    const { data, frames } = front.compute(x);
    const mel = data.map(Math.exp);
    const result: Record<string, number> = {};
    for (const [name, setting] of Object.entries(settings)) {
      const magnitude = melToLinear(mel, frames, front.filterbank, { nnlsIterations: setting.nnls });
      const y = griffinLim(magnitude, { nFft: o.nFft, hopLength: o.hopLength, winLength: o.winLength, iterations: setting.iterations, initialPhase: setting.phase, length: x.length });
      result[name] = melL1(x, y);
    }
    return { signal, melL1: result };
  });
}

/** The quality rows as a Markdown table. */
export function formatQualityRows(rows: GriffinLimQualityRow[]): string {
  const columns = Object.keys(rows[0]?.melL1 ?? {});
  const lines = [`| signal | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.signal} | ${columns.map((c) => row.melL1[c].toFixed(3)).join(' | ')} |`);
  return lines.join('\n');
}

/** The rows as a Markdown table. */
export function formatBenchRows(rows: BenchRow[]): string {
  const lines = ['| case | ours (ms) | torchaudio (ms) | ours / torchaudio |', '|---|---:|---:|---:|'];
  for (const row of rows) {
    lines.push(`| ${row.name} | ${row.oursMs.toFixed(1)} | ${row.referenceMs?.toFixed(1) ?? '—'} | ${row.ratio?.toFixed(2) ?? row.reference} |`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const threads = Number(process.env.FOLEY_BENCH_TORCH_THREADS ?? 2);
  process.stdout.write(`${formatBenchRows(runDspBench({ torchThreads: threads }))}\n\nGriffin-Lim quality (mel-L1 vs original, nats; lower is better):\n\n`);
  process.stdout.write(`${formatQualityRows(runGriffinLimQuality())}\n`);
}
