/**
 * The demo page: controls, progress with a live predicted spectrogram, candidates, history, gallery, and Tone.js
 * auditioning. Generation runs in worker.ts; this thread only draws and plays.
 *
 * URL parameters: `bundle` (the bundle's URL, same origin; default set at build time, models/foley-small),
 * `threads` (onnxruntime-web threads when the page is cross-origin isolated; default 0 = its own choice).
 */
import { encodeWav } from '../src/audio/wav';
import { Audition, ROOT_NOTE, SEQUENCER_NOTES, SEQUENCER_STEPS, type FilterKind } from './audition';
import { drawLogMel, drawMessage, drawSpectrogramOf, drawWaveform } from './draw';
import { loadGallery, loadSample, type GalleryEntry } from './gallery';
import { describeWeakClass } from '../src/pipeline/class-reliability';
import { formatCents, type PitchCheck } from '../src/pipeline/prompted-note';
import type { FromWorker, GenerateRequest, ModelInfo, ToWorker } from './protocol';
import { Vocabulary, wordAt } from './vocabulary';

declare const __FOLEY_BUNDLE_URL__: string;

/** A sound that can be auditioned: a generated candidate or a gallery sample. */
interface Sound {
  key: string;
  title: string;
  detail: string;
  samples: Float32Array;
  sampleRate: number;
  fileStem: string;
  /** The scorer's cosine similarity to the prompt, for a generated sound from a bundle with a scorer. */
  score?: number;
}

interface HistoryEntry {
  id: number;
  request: GenerateRequest;
  seed: number;
  sounds: Sound[];
  wallSeconds: number;
  unknownWords: string[];
}

/** Read-only state for the browser tests and the benchmark (test/web, bench/browser.ts). */
export interface FoleyPageState {
  info(): ModelInfo | undefined;
  error(): string | undefined;
  busy(): boolean;
  /** Worker events in order (`step`, `preview`, `done`, `cancelled`, `error`) with the generation id. */
  events: { type: string; id?: number; step?: number }[];
  last(): { id: number; seed: number; sampleRate: number; wallSeconds: number; audios: number[][]; scores: (number | null)[] } | undefined;
  audition: { level(): number; state(): string; playing(): boolean };
}

declare global {
  interface Window {
    __foley: FoleyPageState;
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page lacks #${id}`);
  return element as T;
};

const ui = {
  modelStatus: $('model-status'),
  loadBar: $('load-bar'),
  prompt: $<HTMLTextAreaElement>('prompt'),
  suggestions: $('suggestions'),
  unknownWords: $('unknown-words'),
  weakClasses: $('weak-classes'),
  negativePrompt: $<HTMLInputElement>('negative-prompt'),
  unknownNegative: $('unknown-negative'),
  duration: $<HTMLInputElement>('duration'),
  steps: $<HTMLInputElement>('steps'),
  guidance: $<HTMLInputElement>('guidance'),
  guidanceStart: $<HTMLInputElement>('guidance-start'),
  guidanceStop: $<HTMLInputElement>('guidance-stop'),
  scheduler: $<HTMLSelectElement>('scheduler'),
  seed: $<HTMLInputElement>('seed'),
  dice: $<HTMLButtonElement>('dice'),
  waveforms: $<HTMLInputElement>('waveforms'),
  candidates: $<HTMLInputElement>('candidates'),
  loop: $<HTMLInputElement>('loop'),
  pitchGuide: $<HTMLInputElement>('pitch-guide'),
  livePreview: $<HTMLInputElement>('live-preview'),
  generate: $<HTMLButtonElement>('generate-button'),
  cancel: $<HTMLButtonElement>('cancel-button'),
  progressBar: $('progress-bar'),
  progressText: $('progress-text'),
  preview: $<HTMLCanvasElement>('preview'),
  candidateList: $('candidates-list'),
  selectedTitle: $('selected-title'),
  waveform: $<HTMLCanvasElement>('waveform'),
  spectrogram: $<HTMLCanvasElement>('spectrogram'),
  play: $<HTMLButtonElement>('play'),
  stop: $<HTMLButtonElement>('stop'),
  loopPlay: $<HTMLInputElement>('loop-play'),
  download: $<HTMLButtonElement>('download'),
  rate: $<HTMLInputElement>('rate'),
  rateValue: $('rate-value'),
  pitch: $<HTMLInputElement>('pitch'),
  pitchValue: $('pitch-value'),
  filterType: $<HTMLSelectElement>('filter-type'),
  cutoff: $<HTMLInputElement>('cutoff'),
  cutoffValue: $('cutoff-value'),
  q: $<HTMLInputElement>('q'),
  qValue: $('q-value'),
  reverb: $<HTMLInputElement>('reverb'),
  reverbValue: $('reverb-value'),
  keyboard: $('keyboard'),
  sequencerToggle: $<HTMLButtonElement>('sequencer-toggle'),
  bpm: $<HTMLInputElement>('bpm'),
  bpmValue: $('bpm-value'),
  sequencerClear: $<HTMLButtonElement>('sequencer-clear'),
  sequencer: $('sequencer'),
  history: $('history'),
  historyEmpty: $('history-empty'),
  gallery: $('gallery'),
  galleryStatus: $('gallery-status'),
};

const params = new URLSearchParams(location.search);
const bundleUrl = new URL(params.get('bundle') ?? __FOLEY_BUNDLE_URL__, location.href).href;
const requestedThreads = Number(params.get('threads') ?? 0);

let info: ModelInfo | undefined;
let vocabulary: Vocabulary | undefined;
let loadError: string | undefined;
let current: { id: number; request: GenerateRequest; started: number } | undefined;
let nextId = 1;
let selected: Sound | undefined;
let lastDone: ReturnType<FoleyPageState['last']>;
const history: HistoryEntry[] = [];
const events: FoleyPageState['events'] = [];
const audition = new Audition();

window.__foley = {
  info: () => info,
  error: () => loadError,
  busy: () => current !== undefined,
  events,
  last: () => lastDone,
  audition: { level: () => audition.level(), state: () => audition.contextState(), playing: () => audition.playing },
};

// ---- the worker ----

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'foley-pipeline' });
const send = (message: ToWorker) => worker.postMessage(message);
worker.onmessage = (event: MessageEvent<FromWorker>) => onWorkerMessage(event.data);
worker.onerror = (event) => {
  event.preventDefault();
  fail(`the pipeline worker failed: ${event.message}`);
};
send({
  type: 'load', bundleUrl, ortUrl: new URL('ort/', location.href).href,
  numThreads: Number.isInteger(requestedThreads) && requestedThreads >= 0 ? requestedThreads : 0,
});

function onWorkerMessage(message: FromWorker): void {
  switch (message.type) {
    case 'loading': {
      const fraction = message.bytes === undefined ? message.loaded / message.total : (message.loaded + message.bytes.loaded / Math.max(1, message.bytes.total)) / message.total;
      ui.loadBar.style.width = `${Math.min(100, 100 * fraction).toFixed(1)}%`;
      ui.modelStatus.textContent = `Loading the model: ${shortName(message.file)} (${message.loaded + 1}/${message.total})…`;
      break;
    }
    case 'ready':
      onReady(message.info);
      break;
    case 'stage':
      if (message.id === current?.id) {
        const labels = { encode: 'Encoding the prompt…', denoise: 'Denoising…', rank: 'Scoring…', decode: 'Decoding the spectrogram…', vocode: 'Vocoding…', postprocess: 'Finishing…' };
        ui.progressText.textContent = labels[message.stage];
        if (message.stage === 'decode') setProgress(0.92);
        if (message.stage === 'vocode') setProgress(0.96);
      }
      break;
    case 'step':
      events.push({ type: 'step', id: message.id, step: message.step });
      if (message.id === current?.id) {
        setProgress(0.05 + 0.85 * (message.step / message.totalSteps));
        ui.progressText.textContent = `Step ${message.step} of ${message.totalSteps} · ${message.elapsed.toFixed(1)} s`;
      }
      break;
    case 'preview':
      events.push({ type: 'preview', id: message.id, step: message.step });
      if (message.id === current?.id && info !== undefined) drawLogMel(ui.preview, message.mel, message.nMels, message.frames, info.audio);
      break;
    case 'warning':
      if (message.code !== 'unknown-words') ui.progressText.textContent = message.message;
      break;
    case 'done':
      events.push({ type: 'done', id: message.id });
      onDone(message);
      break;
    case 'cancelled':
      events.push({ type: 'cancelled', id: message.id });
      finishRun('Cancelled.');
      setProgress(0);
      break;
    case 'error':
      events.push({ type: 'error', id: message.id });
      if (message.id === undefined) fail(message.message);
      else {
        finishRun(`${message.name}: ${message.message}`);
        ui.progressText.dataset.state = 'error';
      }
      break;
  }
}

function fail(message: string): void {
  loadError = message;
  ui.modelStatus.textContent = `The model could not be loaded: ${message}`;
  ui.modelStatus.dataset.state = 'error';
  ui.generate.disabled = true;
}

function onReady(model: ModelInfo): void {
  info = model;
  vocabulary = new Vocabulary(model.tokenizerJson, model.vocabulary, `${model.bundleUrl}tokenizer/tokenizer.json`);
  ui.loadBar.style.width = '100%';
  const threads = model.crossOriginIsolated ? `${model.numThreads === 0 ? 'auto' : model.numThreads} threads` : '1 thread (page not cross-origin isolated)';
  ui.modelStatus.textContent = `${model.name} · ${model.sampleRate / 1000} kHz · ${model.backend}, ${threads} · loaded in ${model.loadSeconds.toFixed(1)} s`;
  ui.modelStatus.dataset.state = 'ready';
  for (const name of model.schedulers) ui.scheduler.append(new Option(name, name));
  ui.scheduler.value = model.defaults.scheduler;
  ui.steps.value = String(model.defaults.num_inference_steps);
  ui.guidance.value = String(model.defaults.guidance_scale);
  ui.guidanceStart.value = String(model.guidanceInterval.start);
  ui.guidanceStop.value = String(model.guidanceInterval.stop);
  ui.duration.value = String(model.defaults.duration_seconds);
  ui.duration.min = String(model.minDurationSeconds);
  // Best-of-N needs the bundle's scorer to choose: without one the control stays at 1.
  ui.candidates.disabled = !model.hasScorer;
  ui.candidates.value = String(model.defaults.candidates ?? 1);
  if (!model.hasScorer) {
    ui.candidates.value = '1';
    ui.candidates.title = 'This model has no scorer to choose among candidates';
  }
  ui.generate.disabled = false;
  drawMessage(ui.preview, 'The predicted spectrogram appears here, step by step.');
  updateVocabulary();
}

// ---- generating ----

function readRequest(): GenerateRequest {
  const number = (input: HTMLInputElement, name: string) => {
    const value = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(value)) throw new Error(`${name} must be a number, got "${input.value}"`);
    return value;
  };
  const integer = (input: HTMLInputElement, name: string, min: number, max: number) => {
    const value = number(input, name);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${input.value}`);
    return value;
  };
  return {
    prompt: ui.prompt.value,
    negativePrompt: ui.negativePrompt.value,
    durationSeconds: number(ui.duration, 'duration'),
    numInferenceSteps: number(ui.steps, 'steps'),
    guidanceScale: number(ui.guidance, 'guidance'),
    ...guidedFraction(number(ui.guidanceStart, 'guided from'), number(ui.guidanceStop, 'guided until')),
    scheduler: ui.scheduler.value,
    seed: number(ui.seed, 'seed'),
    numWaveformsPerPrompt: integer(ui.waveforms, 'waveforms', 1, 4),
    candidates: info?.hasScorer === true ? integer(ui.candidates, 'candidates', 1, 8) : 1,
    loop: ui.loop.checked,
    pitchGuide: ui.pitchGuide.checked,
  };
}

/** The guided fraction of the steps, checked here so the form says what is wrong before the worker is asked. */
function guidedFraction(start: number, stop: number): { guidanceStart: number; guidanceStop: number } {
  if (start < 0 || stop > 1 || start >= stop) {
    throw new Error(`guided from (${start}) and guided until (${stop}) are fractions of the steps with 0 ≤ from < until ≤ 1, e.g. 0 and 0.5 to guide the first half`);
  }
  return { guidanceStart: start, guidanceStop: stop };
}

function startGeneration(): void {
  if (current !== undefined || info === undefined) return;
  let request: GenerateRequest;
  try {
    request = readRequest();
  } catch (error) {
    ui.progressText.textContent = (error as Error).message;
    ui.progressText.dataset.state = 'error';
    return;
  }
  current = { id: nextId++, request, started: performance.now() };
  ui.progressText.dataset.state = '';
  ui.progressText.textContent = 'Starting…';
  ui.generate.disabled = true;
  ui.cancel.disabled = false;
  setProgress(0.02);
  if (ui.livePreview.checked) drawMessage(ui.preview, 'Waiting for the first step…');
  send({ type: 'generate', id: current.id, request, preview: ui.livePreview.checked });
}

function finishRun(text: string): void {
  current = undefined;
  ui.generate.disabled = info === undefined;
  ui.cancel.disabled = true;
  ui.progressText.textContent = text;
}

function setProgress(fraction: number): void {
  ui.progressBar.style.width = `${(100 * fraction).toFixed(1)}%`;
}

function onDone(message: Extract<FromWorker, { type: 'done' }>): void {
  const run = current;
  if (run === undefined || run.id !== message.id) return;
  const { request } = run;
  const stem = slug(request.prompt);
  const sounds = message.audios.map((samples, k): Sound => ({
    key: `g${message.id}-${k}`,
    title: request.prompt,
    score: message.scores[k] ?? undefined,
    detail: `seed ${message.seed}${message.audios.length > 1 ? ` · waveform ${k + 1}` : ''}${scoreText(message.scores[k])}${pitchText(message.pitches[k])}${request.candidates > 1 ? ` · best of ${request.candidates}` : ''} · ${request.numInferenceSteps} steps · ${request.scheduler} · guidance ${request.guidanceScale}${guidedText(request)}`,
    samples,
    sampleRate: message.sampleRate,
    fileStem: `${stem}-seed${message.seed}${message.audios.length > 1 ? `-${k + 1}` : ''}`,
  }));
  const entry: HistoryEntry = { id: message.id, request, seed: message.seed, sounds, wallSeconds: message.wallSeconds, unknownWords: message.unknownWords };
  history.unshift(entry);
  lastDone = { id: message.id, seed: message.seed, sampleRate: message.sampleRate, wallSeconds: message.wallSeconds, audios: message.audios.map((a) => Array.from(a)), scores: message.scores };
  setProgress(1);
  finishRun(`Done: ${(request.durationSeconds).toFixed(2)} s of audio in ${message.wallSeconds.toFixed(2)} s${message.unknownWords.length > 0 ? ` · ignored unknown words: ${message.unknownWords.join(', ')}` : ''}.`);
  renderCandidates(sounds);
  renderHistory();
  select(sounds[0]);
}

function renderCandidates(sounds: Sound[]): void {
  ui.candidateList.replaceChildren(...sounds.map((sound, k) => {
    const row = document.createElement('div');
    row.className = 'item';
    row.dataset.key = sound.key;
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 32;
    canvas.style.width = '160px';
    canvas.style.margin = '0';
    drawWaveform(canvas, sound.samples);
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = sounds.length > 1 ? `Waveform ${k + 1}` : 'Result';
    const meta = document.createElement('span');
    meta.className = 'meta score';
    meta.textContent = sound.score === undefined ? '' : `score ${sound.score.toFixed(3)}`;
    meta.title = 'The model\'s text–audio scorer: cosine similarity to the prompt in [-1, 1], higher = a better match';
    row.append(canvas, label, meta, button('▶', 'Play', () => void select(sound, true)), button('Select', 'Audition this one', () => select(sound)));
    return row;
  }));
}

function renderHistory(): void {
  ui.historyEmpty.hidden = history.length > 0;
  ui.history.replaceChildren(...history.flatMap((entry) => entry.sounds.map((sound) => {
    const item = document.createElement('li');
    item.className = 'item';
    item.dataset.key = sound.key;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = sound.title;
    label.title = sound.detail;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `${(sound.samples.length / sound.sampleRate).toFixed(2)} s · seed ${entry.seed}${scoreText(sound.score ?? null)}`;
    item.append(
      label, meta,
      button('▶', 'Play', () => void select(sound, true)),
      button('Settings', 'Put these settings back into the form', () => restore(entry.request, entry.seed)),
      button('WAV', 'Download as WAV', () => download(sound)),
    );
    return item;
  })));
  markSelected();
}

function restore(request: GenerateRequest, seed: number): void {
  ui.prompt.value = request.prompt;
  ui.negativePrompt.value = request.negativePrompt;
  ui.duration.value = String(request.durationSeconds);
  ui.steps.value = String(request.numInferenceSteps);
  ui.guidance.value = String(request.guidanceScale);
  ui.guidanceStart.value = String(request.guidanceStart);
  ui.guidanceStop.value = String(request.guidanceStop);
  ui.scheduler.value = request.scheduler;
  ui.seed.value = String(seed);
  ui.waveforms.value = String(request.numWaveformsPerPrompt);
  if (!ui.candidates.disabled) ui.candidates.value = String(request.candidates);
  ui.loop.checked = request.loop;
  ui.pitchGuide.checked = request.pitchGuide;
  updateVocabulary();
}

// ---- auditioning ----

function select(sound: Sound, play = false): void {
  selected = sound;
  audition.setSound(sound.samples, sound.sampleRate);
  ui.selectedTitle.textContent = `${sound.title} — ${sound.detail}`;
  ui.selectedTitle.title = sound.detail;
  drawWaveform(ui.waveform, sound.samples);
  if (info !== undefined && sound.sampleRate === info.sampleRate) drawSpectrogramOf(ui.spectrogram, sound.samples, info.audio);
  else drawMessage(ui.spectrogram, `${sound.sampleRate} Hz audio: no spectrogram with this model's front end`);
  for (const control of [ui.play, ui.stop, ui.download, ui.sequencerToggle]) control.disabled = false;
  markSelected();
  if (play) void audition.play();
}

function markSelected(): void {
  for (const element of document.querySelectorAll<HTMLElement>('.item[data-key]')) element.classList.toggle('selected', element.dataset.key === selected?.key);
}

function download(sound: Sound | undefined): void {
  if (sound === undefined) return;
  const bytes = encodeWav([sound.samples], sound.sampleRate, { format: 'pcm16' });
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${sound.fileStem}.wav`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function readAudition(): void {
  const cutoff = 20 * 1000 ** Number(ui.cutoff.value);
  audition.set({
    playbackRate: Number(ui.rate.value),
    pitch: Number(ui.pitch.value),
    filterType: ui.filterType.value as FilterKind,
    cutoff,
    resonance: Number(ui.q.value),
    reverb: Number(ui.reverb.value),
    loop: ui.loopPlay.checked,
    bpm: Number(ui.bpm.value),
  });
  ui.rateValue.textContent = `${Number(ui.rate.value).toFixed(2)}×`;
  ui.pitchValue.textContent = `${Number(ui.pitch.value) > 0 ? '+' : ''}${ui.pitch.value} st`;
  ui.cutoffValue.textContent = `${Math.round(cutoff)} Hz`;
  ui.qValue.textContent = Number(ui.q.value).toFixed(1);
  ui.reverbValue.textContent = `${Math.round(100 * Number(ui.reverb.value))}%`;
  ui.bpmValue.textContent = `${ui.bpm.value} bpm`;
}

/** C4–C5 on screen and on the computer keyboard (A–K white keys, W E T Y U black keys). */
function buildKeyboard(): void {
  const keys = [
    ['C4', 'a', false], ['C#4', 'w', true], ['D4', 's', false], ['D#4', 'e', true], ['E4', 'd', false], ['F4', 'f', false],
    ['F#4', 't', true], ['G4', 'g', false], ['G#4', 'y', true], ['A4', 'h', false], ['A#4', 'u', true], ['B4', 'j', false], ['C5', 'k', false],
  ] as const;
  const whiteWidth = 100 / keys.filter(([, , black]) => !black).length;
  let whiteIndex = 0;
  const byLetter = new Map<string, { note: string; element: HTMLButtonElement }>();
  for (const [note, letter, black] of keys) {
    const key = document.createElement('button');
    key.type = 'button';
    key.className = `key ${black ? 'black' : 'white'}`;
    key.dataset.note = note;
    key.title = `${note} (${letter.toUpperCase()})`;
    const label = document.createElement('span');
    label.textContent = black ? letter.toUpperCase() : note === ROOT_NOTE || note === 'C5' ? `${letter.toUpperCase()} · ${note}` : letter.toUpperCase();
    key.append(label);
    if (black) {
      key.style.left = `${whiteIndex * whiteWidth - whiteWidth * 0.3}%`;
      key.style.width = `${whiteWidth * 0.6}%`;
    } else {
      key.style.left = `${whiteIndex * whiteWidth}%`;
      key.style.width = `${whiteWidth}%`;
      whiteIndex += 1;
    }
    const down = () => {
      key.classList.add('down');
      void audition.noteOn(note);
    };
    const up = () => {
      if (!key.classList.contains('down')) return;
      key.classList.remove('down');
      audition.noteOff(note);
    };
    key.addEventListener('pointerdown', down);
    key.addEventListener('pointerup', up);
    key.addEventListener('pointerleave', up);
    ui.keyboard.append(key);
    byLetter.set(letter, { note, element: key });
  }
  const typing = (event: KeyboardEvent) => event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement;
  document.addEventListener('keydown', (event) => {
    const key = byLetter.get(event.key.toLowerCase());
    if (key === undefined || event.repeat || typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    key.element.classList.add('down');
    void audition.noteOn(key.note);
  });
  document.addEventListener('keyup', (event) => {
    const key = byLetter.get(event.key.toLowerCase());
    if (key === undefined || !key.element.classList.contains('down')) return;
    key.element.classList.remove('down');
    audition.noteOff(key.note);
  });
}

function buildSequencer(): void {
  const cells: HTMLButtonElement[][] = [];
  SEQUENCER_NOTES.forEach((note, row) => {
    const label = document.createElement('span');
    label.className = 'row-label';
    label.textContent = note;
    ui.sequencer.append(label);
    cells[row] = [];
    for (let step = 0; step < SEQUENCER_STEPS; step++) {
      const cell = document.createElement('button');
      cell.type = 'button';
      cell.className = `cell${step % 4 === 0 ? ' beat' : ''}`;
      cell.title = `${note}, step ${step + 1}`;
      cell.classList.toggle('on', audition.pattern[row][step]);
      cell.addEventListener('click', () => {
        audition.pattern[row][step] = !audition.pattern[row][step];
        cell.classList.toggle('on', audition.pattern[row][step]);
      });
      ui.sequencer.append(cell);
      cells[row][step] = cell;
    }
  });
  let lit = -1;
  audition.onStep = (step) => {
    for (const row of cells) {
      row[lit]?.classList.remove('now');
      row[step].classList.add('now');
    }
    lit = step;
  };
  ui.sequencerClear.addEventListener('click', () => {
    audition.pattern.forEach((row, r) => row.forEach((_, s) => {
      row[s] = false;
      cells[r][s].classList.remove('on');
    }));
  });
  ui.sequencerToggle.addEventListener('click', () => {
    void audition.toggleSequencer().then((running) => {
      ui.sequencerToggle.textContent = running ? '■ Stop' : '▶ Start';
      ui.sequencerToggle.classList.toggle('active', running);
      if (!running) for (const row of cells) row[lit]?.classList.remove('now');
    });
  });
}

// ---- vocabulary ----

function updateVocabulary(): void {
  if (vocabulary === undefined) return;
  const flag = (text: string, input: HTMLElement, output: HTMLElement) => {
    const unknown = vocabulary?.unknownWords(text) ?? [];
    input.classList.toggle('has-unknown', unknown.length > 0);
    output.hidden = unknown.length === 0;
    output.textContent = unknown.length === 0 ? '' : `Unknown to the model (it will ignore them): ${unknown.map((w) => `“${w}”`).join(', ')}`;
  };
  flag(ui.prompt.value, ui.prompt, ui.unknownWords);
  flag(ui.negativePrompt.value, ui.negativePrompt, ui.unknownNegative);
  // An honest word before generating: classes the model measurably gets wrong more often than right.
  const weak = vocabulary.weakClasses(ui.prompt.value);
  ui.weakClasses.hidden = weak.length === 0;
  ui.weakClasses.textContent = weak.map((w) => `${describeWeakClass(w).replace(/^the model/, 'The model')}.`).join(' ');
  const caret = ui.prompt.selectionStart ?? ui.prompt.value.length;
  const { start, partial } = wordAt(ui.prompt.value, caret);
  const words = vocabulary.complete(partial);
  const chips = words.length > 0
    ? words.map((word) => chip(word, 'known', `Complete with “${word}”`, () => insertWord(start, caret, word)))
    : vocabulary.classes.slice(0, 16).map((name) => chip(name, 'known class', 'A sound class the model was trained on', () => insertWord(caret, caret, name)));
  ui.suggestions.replaceChildren(...chips);
}

function insertWord(start: number, end: number, word: string): void {
  const text = ui.prompt.value;
  const before = text.slice(0, start);
  const separator = before.length > 0 && !/\s$/.test(before) && start === end ? ' ' : '';
  const insert = `${separator}${word} `;
  ui.prompt.value = before + insert + text.slice(end).replace(/^\s+/, '');
  const caret = start + insert.length;
  ui.prompt.focus();
  ui.prompt.setSelectionRange(caret, caret);
  updateVocabulary();
}

// ---- gallery ----

async function buildGallery(): Promise<void> {
  let entries: GalleryEntry[];
  try {
    entries = await loadGallery();
  } catch (error) {
    ui.galleryStatus.textContent = `The gallery could not be loaded: ${(error as Error).message}`;
    return;
  }
  if (entries.length === 0) {
    ui.galleryStatus.textContent = 'No rendered samples in this build yet: run `bash samples/make_gallery.sh`, then `npm run demo` again.';
    return;
  }
  ui.galleryStatus.textContent = `${entries.length} sounds rendered with the shipped model; they play without generating.`;
  ui.gallery.replaceChildren(...entries.map((entry) => {
    const item = document.createElement('li');
    item.className = 'item';
    item.dataset.key = `s-${entry.id}`;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = entry.prompt;
    label.title = entry.command ?? entry.prompt;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = entry.durationSeconds === undefined ? '' : `${entry.durationSeconds} s`;
    const open = async (play: boolean) => {
      try {
        const { samples, sampleRate } = await loadSample(entry);
        select({ key: `s-${entry.id}`, title: entry.prompt, detail: entry.command ?? 'gallery sample', samples, sampleRate, fileStem: entry.id }, play);
      } catch (error) {
        ui.galleryStatus.textContent = `${entry.file}: ${(error as Error).message}`;
      }
    };
    item.append(label, meta, button('▶', 'Play', () => void open(true)), button('Select', 'Audition this one', () => void open(false)));
    return item;
  }));
}

// ---- helpers ----

function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  element.title = title;
  element.addEventListener('click', onClick);
  return element;
}

function chip(text: string, kind: string, title: string, onClick: () => void): HTMLElement {
  const element = document.createElement('span');
  element.className = `chip ${kind}`;
  element.textContent = text;
  element.title = title;
  element.setAttribute('role', 'button');
  element.addEventListener('mousedown', (event) => event.preventDefault());
  element.addEventListener('click', onClick);
  return element;
}

/** ` · score 0.741`, or nothing without a score. */
function scoreText(score: number | null): string {
  return score === null ? '' : ` · score ${score.toFixed(3)}`;
}

/** " on 0.5–1 of the steps · no pitch guide": the settings that differ from guiding every step with the pitch guide on. */
function guidedText(request: GenerateRequest): string {
  const guided = request.guidanceStart === 0 && request.guidanceStop === 1 ? '' : ` on ${request.guidanceStart}–${request.guidanceStop} of the steps`;
  return `${guided}${request.pitchGuide ? '' : ' · no pitch guide'}`;
}

/** " · c4 asked: 263.1 Hz, +9 cents" (an honest answer when the model misses the note). */

function pitchText(pitch: PitchCheck | null): string {
  if (pitch === null) return '';
  if (pitch.estimated === undefined || pitch.centsOff === undefined) return ` · ${pitch.note} asked: no clear pitch`;
  return ` · ${pitch.note} asked: ${pitch.estimated.toFixed(1)} Hz, ${formatCents(pitch.centsOff)}${pitch.inTune ? '' : ' (off)'}${pitch.guided ? ' · pitch-guided' : ''}`;
}

function slug(text: string): string {
  const stem = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return stem === '' ? 'sound' : stem;
}

function shortName(file: string): string {
  return file.replace(bundleUrl, '').replace(/\/model\.onnx$/, '');
}

// ---- wiring ----

ui.generate.addEventListener('click', startGeneration);
ui.cancel.addEventListener('click', () => {
  if (current === undefined) return;
  send({ type: 'cancel', id: current.id });
  ui.cancel.disabled = true;
  ui.progressText.textContent = 'Cancelling…';
});
ui.prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) startGeneration();
});
ui.dice.addEventListener('click', () => (ui.seed.value = String(Math.floor(Math.random() * 2 ** 31))));
for (const event of ['input', 'click', 'keyup']) ui.prompt.addEventListener(event, updateVocabulary);
ui.negativePrompt.addEventListener('input', updateVocabulary);
ui.play.addEventListener('click', () => void audition.play());
ui.stop.addEventListener('click', () => audition.stop());
ui.download.addEventListener('click', () => download(selected));
for (const control of [ui.rate, ui.pitch, ui.filterType, ui.cutoff, ui.q, ui.reverb, ui.loopPlay, ui.bpm]) control.addEventListener('input', readAudition);
readAudition();
buildKeyboard();
buildSequencer();
drawMessage(ui.waveform, 'Waveform');
drawMessage(ui.spectrogram, 'Spectrogram');
drawMessage(ui.preview, 'Loading the model…');
void buildGallery();
