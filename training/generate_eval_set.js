#!/usr/bin/env node
// Generates the evaluation set with the TypeScript pipeline (the product's own path, not the Python sampler):
//   npm run build && node training/generate_eval_set.js --bundle models/foley-small --prompts P.json --out DIR [--steps N] [--guidance G] [--guidance-start F] [--guidance-stop F] [--scheduler NAME] [--candidates K] [--no-pitch-rank] [--no-pitch-guide] [--no-class-guard]
// Writes DIR/<file> for every entry of the prompt set (foley_train.eval.prompt_set), with the entry's seed and
// duration and the bundle's default settings; existing files are kept (resumable).
'use strict';
const { existsSync, mkdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = resolve(__dirname, '..');
const { AudioDiffusionPipeline } = require(join(root, 'dist/src/pipeline/audio-diffusion-pipeline'));
const { writeWavFile } = require(join(root, 'dist/src/pipeline/wav-io'));

async function main() {
  const prompts = JSON.parse(readFileSync(option('--prompts'), 'utf8'));
  const out = option('--out');
  const steps = option('--steps') === undefined ? undefined : Number(option('--steps'));
  const guidanceScale = option('--guidance') === undefined ? undefined : Number(option('--guidance'));
  // The guidance interval, fractions of the steps (default: the bundle's).
  const guidanceStart = option('--guidance-start') === undefined ? undefined : Number(option('--guidance-start'));
  const guidanceStop = option('--guidance-stop') === undefined ? undefined : Number(option('--guidance-stop'));
  const scheduler = option('--scheduler');  // a name from src/schedulers (default: the bundle's)
  // Best of K (default: the bundle's defaults.candidates; K = 1: the plain sample): every candidate pitch-guided,
  // then in tune with a prompted note first, the class reader's pick, the scorer's; --no-pitch-rank drops the first.
  const candidates = option('--candidates') === undefined ? undefined : Number(option('--candidates'));
  const rankByPitch = !args.includes('--no-pitch-rank');
  // --no-pitch-guide: the sound as generated, even when it misses its prompted note.
  const pitchGuide = !args.includes('--no-pitch-guide');
  // --no-class-guard: keep the pitch guide's result even where the class reader hears another instrument in it.
  const classGuard = !args.includes('--no-class-guard');
  mkdirSync(out, { recursive: true });
  const pipeline = await AudioDiffusionPipeline.fromPretrained(resolve(option('--bundle', join(root, 'models/foley-small'))));
  const started = Date.now();
  let seconds = 0;
  for (const entry of prompts) {
    const file = join(out, entry.file);
    if (existsSync(file)) continue;
    const result = await pipeline.generate(entry.prompt, { durationSeconds: entry.duration, seed: entry.seed, numInferenceSteps: steps, guidanceScale, guidanceStart, guidanceStop, scheduler, candidates, rankByPitch, pitchGuide, classGuard });
    await writeWavFile(file, result.audio, result.audios[0].sampleRate, { format: 'pcm16', force: false });
    seconds += entry.duration;
  }
  await pipeline.dispose();
  const wall = (Date.now() - started) / 1000;
  process.stdout.write(`generated ${seconds.toFixed(1)} s of audio in ${wall.toFixed(1)} s\n`);
}

main().catch((error) => {
  process.stderr.write(`generate_eval_set: ${error.message}\n`);
  process.exitCode = 1;
});
