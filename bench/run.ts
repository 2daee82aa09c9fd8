/**
 * Every benchmark in one run: DSP and audio against torchaudio / libsndfile, the schedulers' cost, and the
 * pipeline on the shipped bundle (with the PyTorch reference sampler as a ratio). Each figure is a ratio
 * against a reference measured in the same run.
 *
 *   npm run bench            (= npm run build && node dist/bench/run.js)
 */
import { formatAudioBenchRows, runAudioBench } from './audio';
import { formatBenchRows, formatQualityRows, runDspBench, runGriffinLimQuality } from './dsp';
import { formatPipelineBench, runPipelineBench } from './pipeline';
import { runSchedulerBench } from './schedulers';

async function main(): Promise<void> {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(`# foley benchmarks (Node ${process.version})\n\n## DSP vs torchaudio\n`);
  out(formatBenchRows(runDspBench({ torchThreads: 2 })));
  out('\nGriffin-Lim quality (mel-L1 vs original, nats; lower is better):\n');
  out(formatQualityRows(runGriffinLimQuality()));
  out('\n## WAV I/O, resampling and loudness\n');
  out(formatAudioBenchRows(runAudioBench()));
  out('\n## Schedulers (model call: a 20 ms stand-in)\n');
  out('| scheduler | ms/step | ms/step per 1M elements | share of loop |\n|---|---|---|---|');
  for (const r of runSchedulerBench({ modelMs: 20 })) {
    out(`| ${r.name} | ${r.msPerStep.toFixed(3)} | ${r.msPerStepPerMillion.toFixed(2)} | ${(100 * r.loopShare).toFixed(2)} % |`);
  }
  out('\n## Pipeline (shipped bundle)\n');
  out(formatPipelineBench(await runPipelineBench()));
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
