/**
 * The demo page in a real browser (Debian's Chromium through puppeteer-core): `npm run test:browser`.
 *
 * Builds web/ with Vite, serves it on 127.0.0.1, and drives the page like a user: generate with a fixed seed and
 * compare the samples with the Node pipeline's, audition through Tone.js, download the WAV, cancel a generation,
 * vocabulary hints, a missing bundle, threads under cross-origin isolation, and the offline guarantees (CSP, no
 * request off localhost, no console errors). Saves a screenshot (FOLEY_SCREENSHOT, default
 * .ci/out/demo-screenshot.png).
 *
 * The bundle: FOLEY_BUNDLE, else models/foley-small, else training/cache/smoke/bundle (made by
 * `bash training/run.sh all --smoke`, which .ci/run runs first).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { decodeWav } from '../../src/audio/wav';
import { AudioDiffusionPipeline, type GenerateOptions } from '../../src/pipeline/audio-diffusion-pipeline';
import { readBundle } from '../../src/pipeline/model-index';
import { buildDemo, launchChromium, pickBundle, ROOT, serveStatic, type StaticServer } from './support/browser';
import { maxAbsDiff } from '../support/parity';

const BUNDLE = pickBundle();
if (BUNDLE === undefined) {
  throw new Error('no model bundle for the browser tests: models/foley-small is absent and so is training/cache/smoke/bundle (run `bash training/run.sh all --smoke`), or set FOLEY_BUNDLE');
}
const SCREENSHOT = resolve(ROOT, process.env.FOLEY_SCREENSHOT ?? '.ci/out/demo-screenshot.png');

/** The clip both sides generate: short, few steps, the bundle's default scheduler and guidance. */
const CLIP = { prompt: 'glass breaking on a stone floor', durationSeconds: 0.5, numInferenceSteps: 4, seed: 1234 };

interface PageEvent { type: string; id?: number; step?: number }
interface LastResult { id: number; seed: number; sampleRate: number; wallSeconds: number; audios: number[][]; scores: (number | null)[] }
interface Info { name: string; sampleRate: number; numThreads: number; crossOriginIsolated: boolean; defaults: { scheduler: string; guidance_scale: number; candidates?: number }; guidanceInterval: { start: number; stop: number }; vocabulary: { words: string[]; classes: string[] } }

const evaluate = <T>(page: Page, expression: string): Promise<T> => page.evaluate(expression) as Promise<T>;
const waitFor = (page: Page, expression: string, timeout = 120_000) => page.waitForFunction(expression, { timeout, polling: 50 });
const setValue = (page: Page, id: string, value: string | number) => page.evaluate(`(() => {
  const element = document.getElementById(${JSON.stringify(id)});
  element.value = ${JSON.stringify(String(value))};
  element.dispatchEvent(new Event('input', { bubbles: true }));
})()`);
const text = (page: Page, id: string) => evaluate<string>(page, `document.getElementById(${JSON.stringify(id)}).textContent`);
const events = (page: Page) => evaluate<PageEvent[]>(page, 'window.__foley.events');

/** Opens the page and records console errors, uncaught errors and every request. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${(error as Error).message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? '?'})`));
  page.on('request', (request) => requests.push(request.url()));
  await page.setViewport({ width: 1280, height: 1000 });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests };
}

/** Fills the form with CLIP (and `extra` fields), clicks Generate, and returns the run's id. */
async function generate(page: Page, fields: Record<string, string | number> = {}): Promise<number> {
  const before = (await events(page)).length;
  await setValue(page, 'prompt', CLIP.prompt);
  await setValue(page, 'duration', CLIP.durationSeconds);
  await setValue(page, 'steps', CLIP.numInferenceSteps);
  await setValue(page, 'seed', CLIP.seed);
  await setValue(page, 'waveforms', 1);
  await setValue(page, 'candidates', 1);
  for (const [id, value] of Object.entries(fields)) await setValue(page, id, value);
  await page.click('#generate-button');
  await waitFor(page, `window.__foley.events.length > ${before}`);
  const started = (await events(page)).slice(before).find((e) => e.id !== undefined);
  if (started?.id === undefined) throw new Error('the page started no generation');
  return started.id;
}

const finished = (page: Page, id: number) => waitFor(page, `window.__foley.events.some((e) => e.id === ${id} && ['done', 'cancelled', 'error'].includes(e.type))`);

/** How many of 1000 arguments give a different Math.exp / log / sin / cos in the page than in Node, per function. */
async function mathCensus(page: Page): Promise<string> {
  const code = `(() => {
    const xs = Array.from({ length: 1000 }, (_, i) => (i - 500) * 0.0173 + 1e-3);
    return Object.fromEntries(['exp', 'log', 'sin', 'cos'].map((f) => [f, xs.map((x) => Math[f](f === 'log' ? Math.abs(x) + 1e-3 : x))]));
  })()`;
  const inPage = await evaluate<Record<string, number[]>>(page, code);
  // eslint-disable-next-line no-eval
  const here = (0, eval)(code) as Record<string, number[]>;
  return Object.keys(here).map((f) => `${f} ${here[f].filter((v, i) => !Object.is(v, inPage[f][i])).length}/1000`).join(', ');
}

const rms = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0) / x.length);

describe(`the demo page in Chromium (bundle ${BUNDLE})`, () => {
  let outDir: string;
  let buildLog: string;
  let server: StaticServer;
  let browser: Browser;
  let main: Awaited<ReturnType<typeof openPage>>;
  let info: Info;
  let browserSamples: Float32Array;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'foley-demo-'));
    buildLog = buildDemo(outDir, BUNDLE);
    server = await serveStatic(outDir);
    browser = await launchChromium();
    main = await openPage(browser, server.url);
    await waitFor(main.page, 'window.__foley.info() !== undefined || window.__foley.error() !== undefined');
    const error = await evaluate<string | undefined>(main.page, 'window.__foley.error()');
    if (error !== undefined) throw new Error(`the page could not load the bundle: ${error}`);
    info = await evaluate<Info>(main.page, 'window.__foley.info()');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
  });

  it('builds without Node-only modules in the browser bundle', () => {
    expect(buildLog).not.toMatch(/externalized for browser compatibility/);
    const scripts = readdirSync(join(outDir, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(outDir, 'assets', f), 'utf8'));
    expect(scripts.length).toBeGreaterThanOrEqual(2); // the page and the worker
    for (const script of scripts) {
      // onnxruntime-node and node:fs appear only in the stub that throws if a Node-only path were ever reached.
      const mentions = script.match(/onnxruntime-node|node:fs|node-wav/g) ?? [];
      const stubs = script.match(/is Node-only and not in the browser build/g) ?? [];
      expect(mentions.length).toBeLessThanOrEqual(stubs.length);
      expect(script).not.toMatch(/onnxruntime_binding|\.node['"]\)/);
    }
  });

  it('loads the bundle in a worker on single-threaded wasm (the page is not cross-origin isolated)', async () => {
    expect(info.sampleRate).toBe(16000);
    expect(info.crossOriginIsolated).toBe(false);
    expect(info.numThreads).toBe(1);
    expect(await evaluate<string>(main.page, 'document.getElementById("model-status").dataset.state')).toBe('ready');
    expect(await text(main.page, 'model-status')).toContain('onnxruntime-web');
    // Before any generation, the form stands at the bundle's default candidate count (best of 4 for foley-small).
    expect(await evaluate<string>(main.page, 'document.getElementById("candidates").value')).toBe(String(info.defaults.candidates ?? 1));
  });

  it('generates the same samples as the Node pipeline for the same seed and options, with a live preview per step', async () => {
    const id = await generate(main.page);
    await finished(main.page, id);
    const log = (await events(main.page)).filter((e) => e.id === id);
    expect(log.map((e) => e.type)).toContain('done');
    expect(log.filter((e) => e.type === 'step').map((e) => e.step)).toEqual([1, 2, 3, 4]);
    // Previews are decoded between steps and may skip a step when a decode is slow; at least one arrives.
    expect(log.filter((e) => e.type === 'preview').length).toBeGreaterThanOrEqual(1);
    const last = await evaluate<LastResult>(main.page, 'window.__foley.last()');
    expect(last.id).toBe(id);
    expect(last.seed).toBe(CLIP.seed);
    browserSamples = Float32Array.from(last.audios[0]);
    expect(browserSamples.length).toBe(Math.round(CLIP.durationSeconds * info.sampleRate));
    expect(rms(browserSamples)).toBeGreaterThan(1e-3);

    // The same seed again in the page (no live preview this time): the same bits.
    await main.page.click('#live-preview');
    const replay = await generate(main.page);
    await finished(main.page, replay);
    await main.page.click('#live-preview');
    const again = Float32Array.from((await evaluate<LastResult>(main.page, 'window.__foley.last()')).audios[0]);
    expect(Buffer.from(again.buffer).equals(Buffer.from(browserSamples.buffer))).toBe(true);

    // The Node pipeline on onnxruntime-node. Not bit for bit: Chromium's V8 and Node 20's round Math.exp, log, sin
    // and cos differently in the last bit for a few percent of arguments (counted below), so the STFT window and
    // twiddles and the scheduler's coefficients differ by an ulp (and native float32 kernels may sum in another
    // order than wasm's). Those 1e-7-relative differences pass through the network and the steps; the test asks for
    // agreement within 1e-3 of full scale (about -60 dB), both at the worst sample and in RMS.
    const options: GenerateOptions = {
      negativePrompt: '', durationSeconds: CLIP.durationSeconds, numInferenceSteps: CLIP.numInferenceSteps,
      guidanceScale: info.defaults.guidance_scale, scheduler: info.defaults.scheduler, seed: CLIP.seed, numWaveformsPerPrompt: 1, loop: false,
      candidates: 1,
    };
    const native = await AudioDiffusionPipeline.fromPretrained(BUNDLE);
    const nodeResult = await native.generate(CLIP.prompt, options);
    const nodeSamples = nodeResult.audio;
    await native.dispose();
    // The page shows the scorer's score of the clip: the Node pipeline's, within the same tolerance (null without a scorer).
    const browserScore = (await evaluate<LastResult>(main.page, 'window.__foley.last()')).scores[0];
    const nodeScore = nodeResult.audios[0].score ?? null;
    expect(browserScore === null).toBe(nodeScore === null);
    if (browserScore !== null && nodeScore !== null) {
      expect(Math.abs(browserScore - nodeScore)).toBeLessThan(1e-3);
      expect(await text(main.page, 'candidates-list')).toContain(`score ${browserScore.toFixed(3)}`);
    }
    const worst = maxAbsDiff(browserSamples, nodeSamples);
    const difference = Float32Array.from(browserSamples, (v, i) => v - nodeSamples[i]);
    expect(worst).toBeLessThan(1e-3);
    expect(rms(difference) / rms(nodeSamples)).toBeLessThan(1e-3);
    const census = await mathCensus(main.page);
    // eslint-disable-next-line no-console
    console.log(`browser vs Node: max |difference| ${worst.toExponential(2)}, relative RMS ${(rms(difference) / rms(nodeSamples)).toExponential(2)}; ` +
      `Math results that differ between the two V8s: ${census}`);
  });

  it('draws the result, lists it in the candidates and the history, and saves a screenshot', async () => {
    expect(await evaluate<number>(main.page, 'document.querySelectorAll("#candidates-list .item").length')).toBe(1);
    expect(await evaluate<number>(main.page, 'document.querySelectorAll("#history .item").length')).toBeGreaterThanOrEqual(1);
    expect(await text(main.page, 'selected-title')).toContain(CLIP.prompt);
    // The spectrogram canvas holds the labelled log-mel image (not the placeholder's dark background).
    const lit = await evaluate<number>(main.page, `(() => {
      const c = document.getElementById('spectrogram');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let bright = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 600) bright++;
      return bright / (d.length / 4);
    })()`);
    expect(lit).toBeGreaterThan(0.1);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await main.page.screenshot({ path: SCREENSHOT as `${string}.png`, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
  });

  it('plays the sound through Tone.js: the player, the keyboard and the step sequencer', async () => {
    const { page } = main;
    await page.click('#play');
    await waitFor(page, 'window.__foley.audition.state() === "running" && window.__foley.audition.level() > 0.01', 10_000);
    await page.click('#stop');
    await waitFor(page, '!window.__foley.audition.playing() && window.__foley.audition.level() < 0.005', 10_000);
    // The keyboard: G (G4) while the focus is outside the form.
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.down('g');
    await waitFor(page, 'window.__foley.audition.level() > 0.01 && document.querySelector(".key.down")?.dataset.note === "G4"', 10_000);
    await page.keyboard.up('g');
    await waitFor(page, 'window.__foley.audition.level() < 0.005', 10_000);
    await page.click('#sequencer-toggle');
    await waitFor(page, 'document.querySelector(".sequencer .cell.now") !== null && window.__foley.audition.level() > 0.01', 10_000);
    await page.click('#sequencer-toggle');
    expect(await text(page, 'sequencer-toggle')).toContain('Start');
  });

  it('downloads the sound as a WAV holding the same samples (16-bit)', async () => {
    const downloads = mkdtempSync(join(tmpdir(), 'foley-download-'));
    try {
      const session = await browser.target().createCDPSession();
      await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
      await main.page.click('#download');
      const deadline = Date.now() + 10_000;
      let file: string | undefined;
      while (file === undefined && Date.now() < deadline) {
        file = readdirSync(downloads).find((f) => f.endsWith('.wav'));
        if (file === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(file).toMatch(/^glass-breaking-on-a-stone-floor-seed1234\.wav$/);
      const wav = decodeWav(readFileSync(join(downloads, file as string)));
      expect(wav.sampleRate).toBe(info.sampleRate);
      expect(wav.format.containerBits).toBe(16);
      // pcm16 rounds to the nearest step of 2^-15: half a step at most.
      expect(maxAbsDiff(wav.channelData[0], browserSamples)).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
    } finally {
      rmSync(downloads, { recursive: true, force: true });
    }
  });

  it('sends the guided fraction of the steps and the pitch guide switch: the page matches Node run with them', async () => {
    const { page } = main;
    // The form starts at the bundle's guided fraction.
    expect(await evaluate<string>(page, 'document.getElementById("guidance-start").value')).toBe(String(info.guidanceInterval.start));
    expect(await evaluate<string>(page, 'document.getElementById("guidance-stop").value')).toBe(String(info.guidanceInterval.stop));
    expect(await evaluate<boolean>(page, 'document.getElementById("pitch-guide").checked')).toBe(true);

    // A note prompt and a seed for which the Node pipeline's pitch guide acts, so that switching it off shows.
    const prompt = 'a soft cello note, g2';
    const options: GenerateOptions = {
      negativePrompt: '', durationSeconds: CLIP.durationSeconds, numInferenceSteps: CLIP.numInferenceSteps, guidanceScale: info.defaults.guidance_scale,
      guidanceStart: 0.5, guidanceStop: 1, scheduler: info.defaults.scheduler, numWaveformsPerPrompt: 1, loop: false,
      candidates: 1,
    };
    const native = await AudioDiffusionPipeline.fromPretrained(BUNDLE);
    let seed: number | undefined;
    let guided: Float32Array | undefined;
    let unguided: Float32Array | undefined;
    try {
      for (let s = 1; s <= 12 && seed === undefined; s++) {
        const withGuide = await native.generate(prompt, { ...options, seed: s });
        if (withGuide.audios[0].pitch?.guided !== true) continue;
        seed = s;
        guided = withGuide.audio;
        unguided = (await native.generate(prompt, { ...options, seed: s, pitchGuide: false })).audio;
      }
    } finally {
      await native.dispose();
    }
    expect(seed).toBeDefined(); // the pitch guide acted for one of 12 seeds

    await page.click('#pitch-guide');
    const id = await generate(page, { prompt, seed: seed as number, 'guidance-start': 0.5, 'guidance-stop': 1 });
    await finished(page, id);
    await page.click('#pitch-guide');
    await setValue(page, 'guidance-start', info.guidanceInterval.start);
    await setValue(page, 'guidance-stop', info.guidanceInterval.stop);
    const samples = Float32Array.from((await evaluate<LastResult>(page, 'window.__foley.last()')).audios[0]);
    expect(maxAbsDiff(samples, unguided as Float32Array)).toBeLessThan(1e-3);
    expect(maxAbsDiff(samples, guided as Float32Array)).toBeGreaterThan(1e-2);
    expect(await text(page, 'selected-title')).toContain('on 0.5–1 of the steps · no pitch guide');

    // A guided fraction the pipeline would refuse is named in the form before anything runs.
    await setValue(page, 'guidance-start', 0.6);
    await setValue(page, 'guidance-stop', 0.4);
    await page.click('#generate-button');
    expect(await text(page, 'progress-text')).toMatch(/guided from \(0\.6\) and guided until \(0\.4\).*0 ≤ from < until ≤ 1/);
    expect(await evaluate<boolean>(page, 'window.__foley.busy()')).toBe(false);
    await setValue(page, 'guidance-start', info.guidanceInterval.start);
    await setValue(page, 'guidance-stop', info.guidanceInterval.stop);
  });

  it('cancels a generation: it stops before its last step and the page can generate again', async () => {
    const { page } = main;
    const steps = 200;
    const id = await generate(page, { duration: 3, steps });
    await waitFor(page, `window.__foley.events.some((e) => e.id === ${id} && e.type === 'step')`);
    await page.click('#cancel-button');
    await finished(page, id);
    const log = (await events(page)).filter((e) => e.id === id);
    expect(log.map((e) => e.type)).toContain('cancelled');
    expect(log.map((e) => e.type)).not.toContain('done');
    expect(Math.max(...log.filter((e) => e.type === 'step').map((e) => e.step ?? 0))).toBeLessThan(steps);
    expect(await text(page, 'progress-text')).toBe('Cancelled.');
    expect(await evaluate<boolean>(page, 'window.__foley.busy()')).toBe(false);
    const again = await generate(page, { steps: 2, waveforms: 2 });
    await finished(page, again);
    expect((await events(page)).filter((e) => e.id === again).map((e) => e.type)).toContain('done');
    expect(await evaluate<number>(page, 'document.querySelectorAll("#candidates-list .item").length')).toBe(2);
    expect(await evaluate<number>(page, 'window.__foley.last().audios.length')).toBe(2);
  });

  it('suggests vocabulary words while typing and flags unknown words before generating', async () => {
    const { page } = main;
    const word = info.vocabulary.words.find((w) => /^[a-z]{5,}$/.test(w));
    expect(word).toBeDefined();
    const prefix = (word as string).slice(0, -1);
    await page.click('#prompt', { clickCount: 3 });
    await page.keyboard.press('Backspace');
    await page.keyboard.type(`zqxjv ${prefix}`);
    const chips = await evaluate<string[]>(page, '[...document.querySelectorAll("#suggestions .chip")].map((c) => c.textContent)');
    expect(chips.length).toBeGreaterThan(0);
    for (const chip of chips) expect(chip.startsWith(prefix)).toBe(true);
    expect(await evaluate<boolean>(page, 'document.getElementById("unknown-words").hidden')).toBe(false);
    expect(await text(page, 'unknown-words')).toContain('“zqxjv”');
    await page.click('#suggestions .chip');
    const prompt = await evaluate<string>(page, 'document.getElementById("prompt").value');
    expect(prompt).toMatch(new RegExp(`^zqxjv ${prefix}\\S* $`));
    expect(await text(page, 'unknown-words')).not.toContain(prefix);
  });

  it('says before generating when the prompt names a class the model measurably renders poorly', async () => {
    const { page } = main;
    const typePrompt = async (prompt: string) => {
      await page.click('#prompt', { clickCount: 3 });
      await page.keyboard.press('Backspace');
      await page.keyboard.type(prompt);
    };
    // The bundle's own measurement (vocabulary.json's class_accuracy), read here by the Node side.
    const table = readBundle(BUNDLE).vocabulary.classAccuracy ?? new Map();
    const measured = [...table].filter(([, row]) => row.clips >= 4).sort((a, b) => a[1].right / a[1].clips - b[1].right / b[1].clips || (a[0] < b[0] ? -1 : 1));
    const strong = measured.length > 0 && measured[measured.length - 1][1].right / measured[measured.length - 1][1].clips >= 0.5 ? measured[measured.length - 1][0] : 'zqxjv';
    await typePrompt(`a ${strong} sound`);
    expect(await evaluate<boolean>(page, 'document.getElementById("weak-classes").hidden')).toBe(true);
    const weak = measured.find(([, row]) => row.right / row.clips < 0.5);
    if (weak === undefined) return; // a bundle without a weak class (the smoke bundle): nothing to warn about
    const [name, row] = weak;
    await typePrompt(`a ${name} sound`);
    expect(await evaluate<boolean>(page, 'document.getElementById("weak-classes").hidden')).toBe(false);
    expect(await text(page, 'weak-classes')).toContain(`The model renders "${name}" poorly: ${row.right} of ${row.clips} validation clips`);
  });

  it('keeps everything on localhost: a CSP forbids other origins, no request left, no console errors', async () => {
    const csp = await evaluate<string>(main.page, 'document.querySelector("meta[http-equiv=Content-Security-Policy]").content');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const offsite = main.requests.filter((url) => !url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(offsite).toEqual([]);
    expect(main.errors).toEqual([]);
    // The policy is enforced: a fetch to another origin is refused before it leaves (a CSP violation, no request).
    const blocked = await evaluate<{ rejected: boolean; violation: string }>(main.page, `new Promise((done) => {
      let violation = '';
      document.addEventListener('securitypolicyviolation', (e) => (violation = e.violatedDirective));
      fetch('http://192.0.2.1/').then(() => done({ rejected: false, violation }), () => setTimeout(() => done({ rejected: true, violation }), 50));
    })`);
    expect(blocked).toEqual({ rejected: true, violation: 'connect-src' });
    expect(main.requests.some((url) => url.startsWith('http://192.0.2.1'))).toBe(false);
  });

  it('shows the samples gallery: the rendered samples/*.wav, playable without generating, or says there are none', async () => {
    const prompts = JSON.parse(readFileSync(join(ROOT, 'samples/prompts.json'), 'utf8')) as { id: string; prompt: string }[];
    const rendered = prompts.filter((p) => existsSync(join(ROOT, 'samples', `${p.id}.wav`)));
    const index = JSON.parse(readFileSync(join(outDir, 'samples/index.json'), 'utf8')) as { id: string; file: string }[];
    expect(index.map((e) => e.id)).toEqual(rendered.map((p) => p.id));
    for (const entry of index) expect(existsSync(join(outDir, entry.file))).toBe(true);
    const { page } = main;
    await waitFor(page, '!document.getElementById("gallery-status").textContent.startsWith("Loading")', 10_000);
    const items = await evaluate<number>(page, 'document.querySelectorAll("#gallery .item").length');
    expect(items).toBe(index.length);
    if (index.length === 0) {
      expect(await text(page, 'gallery-status')).toContain('No rendered samples');
      return;
    }
    await page.click('#gallery .item button');
    await waitFor(page, `document.getElementById('selected-title').textContent.startsWith(${JSON.stringify(rendered[0].prompt)}) && window.__foley.audition.level() > 0.01`, 10_000);
    await page.click('#stop');
  });

  it('says clearly when the bundle is missing', async () => {
    const { page, errors } = await openPage(browser, `${server.url}?bundle=no-such-bundle/`);
    await waitFor(page, 'window.__foley.error() !== undefined', 30_000);
    const status = await text(page, 'model-status');
    expect(status).toContain('no-such-bundle/model_index.json: HTTP 404');
    expect(await evaluate<boolean>(page, 'document.getElementById("generate-button").disabled')).toBe(true);
    // The only console error is the browser's own note of the 404.
    expect(errors.every((e) => /404/.test(e))).toBe(true);
    await page.close();
  });

  it('runs on 2 wasm threads when the page is cross-origin isolated (COOP/COEP), close to one thread', async () => {
    const isolated = await serveStatic(outDir, { isolate: true });
    try {
      const { page, errors } = await openPage(browser, `${isolated.url}?threads=2`);
      await waitFor(page, 'window.__foley.info() !== undefined || window.__foley.error() !== undefined');
      const threaded = await evaluate<Info>(page, 'window.__foley.info()');
      expect(threaded.crossOriginIsolated).toBe(true);
      expect(threaded.numThreads).toBe(2);
      const id = await generate(page);
      await finished(page, id);
      const last = await evaluate<LastResult>(page, 'window.__foley.last()');
      expect(last.id).toBe(id);
      // Threads split the matrix products differently: last-bit differences, as with onnxruntime-node.
      expect(maxAbsDiff(last.audios[0], browserSamples)).toBeLessThan(1e-3);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await isolated.close();
    }
  });
});
