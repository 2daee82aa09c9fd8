import { SingleBar, Presets } from 'cli-progress';
import type { PipelineProgress } from '../src/pipeline/progress';
import type { CliIo } from './index';

/** Turns pipeline progress events into a bar on a terminal, plain lines with --verbose, or nothing. */
export interface ProgressReporter {
  onProgress: (event: PipelineProgress) => void;
  /** Stops the bar (call in `finally`). */
  stop(): void;
}

/**
 * A progress bar (cli-progress) on stderr when stderr is a terminal; plain lines when `verbose`; nothing
 * otherwise. Warnings (unknown prompt words, ...) are always printed: nothing fails silently.
 */
export function createProgressReporter(io: CliIo, options: { verbose?: boolean; label?: string } = {}): ProgressReporter {
  const tty = io.stderr.isTTY === true;
  const verbose = options.verbose ?? false;
  let bar: SingleBar | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const onProgress = (event: PipelineProgress) => {
    switch (event.type) {
      case 'warning':
        if (bar !== undefined) stop();
        io.stderr.write(`foley: warning: ${event.message}\n`);
        break;
      case 'load':
        if (verbose) io.stderr.write(`loading ${event.file} (${event.loaded}/${event.total})\n`);
        break;
      case 'stage':
        if (event.stage !== 'denoise' && bar !== undefined) stop();
        if (verbose && !tty) io.stderr.write(`${options.label ?? ''}${event.stage}\n`);
        break;
      case 'step':
        if (tty) {
          if (bar === undefined) {
            bar = new SingleBar({
              stream: io.stderr as NodeJS.WritableStream,
              format: `${options.label ?? ''}denoise [{bar}] {value}/{total} steps | {duration_formatted}`,
              hideCursor: false,
              clearOnComplete: true,
            }, Presets.shades_classic);
            bar.start(event.totalSteps, 0);
          }
          bar.update(event.step);
        } else if (verbose) {
          io.stderr.write(`${options.label ?? ''}step ${event.step}/${event.totalSteps} t=${event.timestep} (${event.elapsed.toFixed(2)} s)\n`);
        }
        break;
    }
  };
  return { onProgress, stop };
}
