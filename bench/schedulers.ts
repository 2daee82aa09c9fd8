/**
 * Scheduler cost: time per step per million latent elements for every scheduler, and its share of a sampling
 * loop whose model call is a fixed-cost stand-in (a busy wait of `modelMs`), all measured in this process.
 *
 * Run: `npm run build && node dist/bench/schedulers.js [--elements 1048576] [--model-ms 20]`
 */
import { performance } from 'node:perf_hooks';
import { SCHEDULER_ALIASES, schedulerFromConfig } from '../src/schedulers';
import { Rng } from '../src/utils/random';

export interface SchedulerBenchRow {
  /** CLI name (alias). */
  name: string;
  className: string;
  /** Latent elements per step (batch × channels × frames × bins). */
  elements: number;
  stepsTimed: number;
  /** Median milliseconds of one `scaleModelInput` + `step` call. */
  msPerStep: number;
  /** The same, scaled to 10⁶ elements. */
  msPerStepPerMillion: number;
  /** Scheduler time / (scheduler time + model stand-in time) over the loop. */
  loopShare: number;
}

export interface SchedulerBenchOptions {
  /** Latent elements (default 2 × 8 × 256 × 16 = 65 536: AudioLDM's latent for 10 s with guidance). */
  elements?: number;
  /** Inference steps per run (default 25). */
  steps?: number;
  /** Duration of the model stand-in per call, in ms (default 20). */
  modelMs?: number;
}

const AUDIOLDM = { beta_start: 0.0015, beta_end: 0.0195, beta_schedule: 'scaled_linear', clip_sample: false, set_alpha_to_one: false, steps_offset: 1, timestep_spacing: 'leading' };

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a model call of known duration
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times every scheduler alias on the same latent; see the module comment. */
export function runSchedulerBench(options: SchedulerBenchOptions = {}): SchedulerBenchRow[] {
  const elements = options.elements ?? 2 * 8 * 256 * 16;
  const steps = options.steps ?? 25;
  const modelMs = options.modelMs ?? 20;
  const rows: SchedulerBenchRow[] = [];
  const modelOutput = new Rng(1).fill(new Float32Array(elements), 0, 0.5);
  for (const [name, alias] of Object.entries(SCHEDULER_ALIASES)) {
    const scheduler = schedulerFromConfig(AUDIOLDM, { name, onWarning: () => undefined });
    const run = (withModel: boolean): { stepTimes: number[]; total: number } => {
      scheduler.setTimesteps(name === 'ddpm' ? Math.max(steps, 50) : steps);
      const rng = new Rng(2);
      let x = rng.fill(new Float32Array(elements), 0, scheduler.initNoiseSigma);
      const stepTimes: number[] = [];
      const start = performance.now();
      for (const t of scheduler.timesteps) {
        const t0 = performance.now();
        scheduler.scaleModelInput(x, t);
        const t1 = performance.now();
        if (withModel) busyWait(modelMs);
        const t2 = performance.now();
        x = scheduler.step(modelOutput, t, x, { rng, eta: 0 }).prevSample;
        stepTimes.push(t1 - t0 + (performance.now() - t2));
      }
      return { stepTimes, total: performance.now() - start };
    };
    run(false); // warm-up: JIT and buffer allocation
    const timed = run(false);
    const msPerStep = median(timed.stepTimes);
    const loop = run(true);
    const schedulerMs = loop.stepTimes.reduce((a, b) => a + b, 0);
    rows.push({
      name,
      className: alias.className,
      elements,
      stepsTimed: timed.stepTimes.length,
      msPerStep,
      msPerStepPerMillion: (msPerStep * 1e6) / elements,
      loopShare: schedulerMs / loop.total,
    });
  }
  return rows;
}

function argValue(flag: string): number | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (require.main === module) {
  const modelMs = argValue('--model-ms') ?? 20;
  const rows = runSchedulerBench({ elements: argValue('--elements'), modelMs, steps: argValue('--steps') });
  console.log(`scheduler bench: ${rows[0].elements} latent elements, model stand-in ${modelMs} ms/call (Node ${process.version})`);
  console.log('name             class                            ms/step  ms/step/1M elts  share of loop');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(16)} ${r.className.padEnd(32)} ${r.msPerStep.toFixed(3).padStart(7)}  ${r.msPerStepPerMillion.toFixed(2).padStart(15)}  ${(100 * r.loopShare).toFixed(2).padStart(12)} %`,
    );
  }
}
