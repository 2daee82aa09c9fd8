/**
 * Browser benchmark: seconds to generate 5 s of audio at the bundle's default settings (steps, scheduler,
 * guidance) in the demo page in Chromium, on onnxruntime-web's wasm with one thread and, on a cross-origin isolated
 * page, with several; next to the Node pipeline (onnxruntime-node, 1 and 2 threads per operator) in the same run.
 * Each setting loads the model, warms up with a 1 s clip, then times `--runs` clips (default 3) and reports the
 * fastest and the median. The page's figure is the worker's own time for `generate()`, live preview off.
 *
 *     npm run bench:browser [-- --bundle DIR] [--runs N] [--threads N] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { AudioDiffusionPipeline } from '../src/pipeline/audio-diffusion-pipeline';
import { buildDemo, launchChromium, pickBundle, ROOT, serveStatic } from '../test/web/support/browser';

const PROMPT = 'rain on a tin roof';
const CLIP_SECONDS = 5;

export interface BrowserBenchRow {
  setting: string;
  loadSeconds: number;
  /** Wall seconds of each timed 5 s clip. */
  runs: number[];
  fastest: number;
  median: number;
}

export interface BrowserBench {
  bundle: string;
  steps: number;
  scheduler: string;
  guidanceScale: number;
  rows: BrowserBenchRow[];
  machine: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const row = (setting: string, loadSeconds: number, runs: number[]): BrowserBenchRow => ({ setting, loadSeconds, runs, fastest: Math.min(...runs), median: median(runs) });

async function nodeRow(bundle: string, threads: number, runs: number): Promise<BrowserBenchRow> {
  const started = performance.now();
  const pipeline = await AudioDiffusionPipeline.fromPretrained(bundle, { intraOpNumThreads: threads });
  const loadSeconds = (performance.now() - started) / 1000;
  try {
    await pipeline.generate(PROMPT, { durationSeconds: 1, seed: 0 });
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await pipeline.generate(PROMPT, { durationSeconds: CLIP_SECONDS, seed: 1 });
      times.push((performance.now() - t) / 1000);
    }
    return row(`Node, onnxruntime-node, ${threads} thread${threads > 1 ? 's' : ''}`, loadSeconds, times);
  } finally {
    await pipeline.dispose();
  }
}

async function browserRow(browser: Browser, site: string, options: { isolate: boolean; threads: number; runs: number }): Promise<BrowserBenchRow> {
  const server = await serveStatic(site, { isolate: options.isolate });
  const page = await browser.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push((error as Error).message));
    await page.goto(`${server.url}?threads=${options.threads}`);
    await page.waitForFunction('window.__foley.info() !== undefined || window.__foley.error() !== undefined', { timeout: 300_000 });
    const info = await page.evaluate('window.__foley.info() ?? { error: window.__foley.error() }') as { error?: string; loadSeconds: number; numThreads: number; crossOriginIsolated: boolean };
    if (info.error !== undefined) throw new Error(`the page could not load the bundle: ${info.error}`);
    await page.evaluate(`(() => {
      document.getElementById('prompt').value = ${JSON.stringify(PROMPT)};
      document.getElementById('live-preview').checked = false;
      document.getElementById('waveforms').value = '1';
      document.getElementById('candidates').value = '1';
    })()`);
    const clip = async (seconds: number, seed: number): Promise<number> => {
      const before = await page.evaluate('window.__foley.last()?.id ?? 0') as number;
      await page.evaluate(`(() => {
        document.getElementById('duration').value = '${seconds}';
        document.getElementById('seed').value = '${seed}';
      })()`);
      await page.click('#generate-button');
      await page.waitForFunction(`(window.__foley.last()?.id ?? 0) > ${before} || window.__foley.events.some((e) => e.type === 'error')`, { timeout: 600_000, polling: 100 });
      const last = await page.evaluate('window.__foley.last()') as { id: number; wallSeconds: number } | undefined;
      if (last === undefined || last.id <= before) throw new Error(`generation failed in the page: ${await page.evaluate('document.getElementById("progress-text").textContent') as string}`);
      return last.wallSeconds;
    };
    await clip(1, 0);
    const times: number[] = [];
    for (let i = 0; i < options.runs; i++) times.push(await clip(CLIP_SECONDS, 1));
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const threads = info.crossOriginIsolated ? `${info.numThreads} threads, cross-origin isolated` : '1 thread';
    return row(`Chromium, onnxruntime-web wasm, ${threads}`, info.loadSeconds, times);
  } finally {
    await page.close();
    await server.close();
  }
}

/** Runs every setting once and returns the figures (printed as a table by the CLI entry below). */
export async function runBrowserBench(options: { bundle?: string; runs?: number; threads?: number } = {}): Promise<BrowserBench> {
  const bundle = options.bundle === undefined ? pickBundle() : resolve(options.bundle);
  if (bundle === undefined) throw new Error('no bundle: pass --bundle DIR (models/foley-small and training/cache/smoke/bundle are both absent)');
  const runs = options.runs ?? 3;
  const threads = options.threads ?? 2;
  const site = mkdtempSync(join(tmpdir(), 'foley-bench-site-'));
  const load = loadavg()[0];
  try {
    buildDemo(site, bundle);
    const pipeline = await AudioDiffusionPipeline.fromPretrained(bundle);
    const defaults = pipeline.bundle.index.defaults;
    await pipeline.dispose();
    const rows: BrowserBenchRow[] = [await nodeRow(bundle, 1, runs), await nodeRow(bundle, 2, runs)];
    const browser = await launchChromium();
    let version: string;
    try {
      version = await browser.version();
      rows.push(await browserRow(browser, site, { isolate: false, threads: 1, runs }));
      rows.push(await browserRow(browser, site, { isolate: true, threads, runs }));
    } finally {
      await browser.close();
    }
    return {
      bundle: relative(ROOT, bundle).startsWith('..') ? bundle : relative(ROOT, bundle),
      steps: defaults.num_inference_steps,
      scheduler: defaults.scheduler,
      guidanceScale: defaults.guidance_scale,
      rows,
      machine: `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${load.toFixed(2)} at the start, ${version}, Node ${process.version}`,
    };
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
}

/** A Markdown table of a report; ratios are against Node with one thread. */
export function formatBrowserBench(report: BrowserBench): string {
  const reference = report.rows[0].fastest;
  return [
    `${CLIP_SECONDS} s of audio, bundle ${report.bundle}: ${report.steps} steps ${report.scheduler}, guidance ${report.guidanceScale}; ${report.machine}`,
    '',
    `| setting | load (s) | ${CLIP_SECONDS} s clip, fastest (s) | median (s) | × real time | vs Node 1 thread |`,
    '|---|---|---|---|---|---|',
    ...report.rows.map((r) => `| ${r.setting} | ${r.loadSeconds.toFixed(2)} | ${r.fastest.toFixed(2)} | ${r.median.toFixed(2)} | ${(CLIP_SECONDS / r.fastest).toFixed(1)} | ${(r.fastest / reference).toFixed(2)}× |`),
  ].join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const number = (flag: string) => (value(flag) === undefined ? undefined : Number(value(flag)));
  runBrowserBench({ bundle: value('--bundle'), runs: number('--runs'), threads: number('--threads') }).then(
    (report) => process.stdout.write(`${args.includes('--json') ? JSON.stringify(report, null, 2) : formatBrowserBench(report)}\n`),
    (error: Error) => {
      process.stderr.write(`bench/browser: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
