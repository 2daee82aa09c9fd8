/**
 * Pipeline benchmark: real-time factor (seconds of audio per second of wall time) for 5 s and 30 s clips at the
 * bundle's default settings with one candidate (what the PyTorch reference sampler does), time per stage, peak
 * RSS, cold start (load + first sound), the share of time spent in TypeScript outside onnxruntime, and, when the training package is importable, the same generation in
 * PyTorch (the reference sampler `python3 -m foley_train.sample --bench-json`) as a ratio. When the bundle guides
 * only part of the steps (`defaults.guidance_stop` < 1), the first clip is also timed guided throughout, in the
 * same process, and the denoising times are given as a ratio. With a scorer, best of 4 (`candidates: 4`, foley-small's
 * default) of a 2 s drum hit and of a 2 s prompted note is timed against one candidate of the same prompt, in the same
 * process: with a class reader every candidate is decoded, vocoded, re-encoded and read, and a note's candidates are
 * pitch-guided before the ranking, so its cost is more than the denoising's.
 *
 *     npm run build && node dist/bench/pipeline.js [--bundle DIR] [--json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AudioDiffusionPipeline, DEFAULT_BUNDLE } from '../src/pipeline/audio-diffusion-pipeline';
import { defaultGuidanceInterval } from '../src/pipeline/model-index';
import type { StageTimings } from '../src/pipeline/result';
import { trainingDir } from './paths';

export interface ClipBench {
  durationSeconds: number;
  wallSeconds: number;
  /** Seconds of audio per second of wall time. */
  realTimeFactor: number;
  stages: StageTimings;
  /** Fraction of the wall time spent outside onnxruntime (TypeScript: schedulers, DSP, glue). */
  typescriptShare: number;
}

export interface PipelineBench {
  bundle: string;
  steps: number;
  scheduler: string;
  guidanceScale: number;
  guidanceInterval: [number, number];
  /** Load + the first 1 s generation, from a fresh pipeline. */
  coldStartSeconds: number;
  clips: ClipBench[];
  peakRssMb: number;
  /** The first clip guided over every step: its denoising time over the bundle default's. */
  fullGuidance?: { durationSeconds: number; denoiseSeconds: number; ratio: number };
  /** Best of 4 against one candidate, per prompt (2 s; a drum hit, a prompted note): wall times, their ratio, and the rank stage of best of 4. */
  bestOf4?: { prompt: string; classReader: boolean; oneSeconds: number; fourSeconds: number; ratio: number; rankSeconds: number }[];
  pytorch?: { durationSeconds: number; wallSeconds: number; ratio: number }[] | { skipped: string };
}

const PROMPT = 'rain on a tin roof';

/** Runs the benchmark once and returns its figures (also printed as a table by the CLI entry below). */
export async function runPipelineBench(options: { bundle?: string; durations?: number[]; pytorch?: boolean } = {}): Promise<PipelineBench> {
  const bundle = resolve(options.bundle ?? DEFAULT_BUNDLE);
  const durations = options.durations ?? [5, 30];
  const coldStarted = performance.now();
  const pipeline = await AudioDiffusionPipeline.fromPretrained(bundle);
  await pipeline.generate(PROMPT, { durationSeconds: 1, seed: 0, candidates: 1 });
  const coldStartSeconds = (performance.now() - coldStarted) / 1000;
  const defaults = pipeline.bundle.index.defaults;
  const interval = defaultGuidanceInterval(defaults);
  const clips: ClipBench[] = [];
  let fullGuidance: PipelineBench['fullGuidance'];
  let bestOf4: PipelineBench['bestOf4'];
  try {
    for (const durationSeconds of durations) {
      const onnxBefore = pipeline.onnxSeconds();
      const started = performance.now();
      const result = await pipeline.generate(PROMPT, { durationSeconds, seed: 1, candidates: 1 });
      const wallSeconds = (performance.now() - started) / 1000;
      const onnx = pipeline.onnxSeconds() - onnxBefore;
      clips.push({ durationSeconds, wallSeconds, realTimeFactor: durationSeconds / wallSeconds, stages: result.timings, typescriptShare: Math.max(0, wallSeconds - onnx) / wallSeconds });
    }
    if (interval.start > 0 || interval.stop < 1) {
      const first = clips[0];
      const full = await pipeline.generate(PROMPT, { durationSeconds: first.durationSeconds, seed: 1, candidates: 1, guidanceStart: 0, guidanceStop: 1 });
      fullGuidance = { durationSeconds: first.durationSeconds, denoiseSeconds: full.timings.denoise, ratio: full.timings.denoise / first.stages.denoise };
    }
    if (pipeline.hasScorer) {
      bestOf4 = [];
      for (const prompt of ['a tight snare drum hit', 'a soft cello note, a3']) {
        const timed = async (candidates: number) => {
          const started = performance.now();
          const result = await pipeline.generate(prompt, { durationSeconds: 2, seed: 1, candidates });
          return { seconds: (performance.now() - started) / 1000, rank: result.timings.rank };
        };
        const one = await timed(1);
        const four = await timed(4);
        bestOf4.push({ prompt, classReader: pipeline.classReader !== undefined, oneSeconds: one.seconds, fourSeconds: four.seconds, ratio: four.seconds / one.seconds, rankSeconds: four.rank });
      }
    }
  } finally {
    await pipeline.dispose();
  }
  const report: PipelineBench = {
    bundle,
    steps: defaults.num_inference_steps,
    scheduler: defaults.scheduler,
    guidanceScale: defaults.guidance_scale,
    guidanceInterval: [interval.start, interval.stop],
    coldStartSeconds,
    clips,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    fullGuidance,
    bestOf4,
  };
  if (options.pytorch ?? true) report.pytorch = pytorchReference(bundle, clips);
  return report;
}

/** The reference sampler's timings for the same clips, if `foley_train.sample` exists. */
function pytorchReference(bundle: string, clips: ClipBench[]): PipelineBench['pytorch'] {
  const training = trainingDir();
  if (!existsSync(join(training, 'foley_train/sample.py'))) return { skipped: 'training/foley_train/sample.py not found' };
  const out = spawnSync('/usr/bin/python3', ['-m', 'foley_train.sample', '--bench-json', '--bundle', bundle, '--prompt', PROMPT,
    '--durations', clips.map((c) => c.durationSeconds).join(',')], { cwd: training, encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
  if (out.status !== 0) return { skipped: `foley_train.sample failed: ${(out.stderr ?? '').trim().split('\n').pop() ?? out.status}` };
  try {
    const runs = JSON.parse(out.stdout) as { durationSeconds: number; wallSeconds: number }[];
    return runs.map((run) => {
      const ours = clips.find((c) => c.durationSeconds === run.durationSeconds);
      return { ...run, ratio: ours === undefined ? NaN : run.wallSeconds / ours.wallSeconds };
    });
  } catch {
    return { skipped: 'foley_train.sample --bench-json printed no JSON' };
  }
}

/** A Markdown table of a report. */
export function formatPipelineBench(report: PipelineBench): string {
  const lines = [
    `bundle ${report.bundle}: ${report.steps} steps ${report.scheduler}, guidance ${report.guidanceScale} over steps ${report.guidanceInterval[0]}–${report.guidanceInterval[1]}`,
    '',
    '| clip | wall (s) | × real time | encode | denoise | decode | vocode | post | TypeScript share |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.clips.map((c) => `| ${c.durationSeconds} s | ${c.wallSeconds.toFixed(2)} | ${c.realTimeFactor.toFixed(1)} | ${c.stages.encode.toFixed(3)} | ${c.stages.denoise.toFixed(3)} | ${c.stages.decode.toFixed(3)} | ${c.stages.vocode.toFixed(3)} | ${c.stages.postprocess.toFixed(3)} | ${(100 * c.typescriptShare).toFixed(1)}% |`),
    '',
    `cold start (load + 1 s of audio): ${report.coldStartSeconds.toFixed(2)} s; peak RSS ${report.peakRssMb.toFixed(0)} MB`,
  ];
  if (report.fullGuidance !== undefined) {
    const f = report.fullGuidance;
    lines.push(`guided over every step (${f.durationSeconds} s clip): denoise ${f.denoiseSeconds.toFixed(3)} s, ${f.ratio.toFixed(2)}× the default's`);
  }
  for (const b of report.bestOf4 ?? []) {
    lines.push(`best of 4 ("${b.prompt}", 2 s${b.classReader ? ', ranked by the class reader' : ', ranked by the scorer'}): ${b.fourSeconds.toFixed(2)} s against ${b.oneSeconds.toFixed(2)} s for one candidate, ${b.ratio.toFixed(2)}× (rank stage ${b.rankSeconds.toFixed(3)} s)`);
  }
  if (Array.isArray(report.pytorch)) {
    for (const run of report.pytorch) lines.push(`PyTorch eager ${run.durationSeconds} s: ${run.wallSeconds.toFixed(2)} s wall, ${run.ratio.toFixed(2)}× our time`);
  } else if (report.pytorch !== undefined) {
    lines.push(`PyTorch reference: skipped (${report.pytorch.skipped})`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const bundleIndex = args.indexOf('--bundle');
  const bundle = bundleIndex >= 0 ? args[bundleIndex + 1] : undefined;
  runPipelineBench({ bundle }).then(
    (report) => process.stdout.write(`${args.includes('--json') ? JSON.stringify(report, null, 2) : formatPipelineBench(report)}\n`),
    (error: Error) => {
      process.stderr.write(`bench/pipeline: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
