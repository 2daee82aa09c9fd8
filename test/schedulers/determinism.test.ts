import { SCHEDULER_ALIASES, type Scheduler, schedulerFromConfig } from '../../src/schedulers';
import { InvalidArgumentError } from '../../src/utils/errors';
import { Rng } from '../../src/utils/random';

const CONFIG = { beta_start: 0.0015, beta_end: 0.0195, beta_schedule: 'scaled_linear', clip_sample: false };
const STOCHASTIC = new Set(['ddpm', 'euler-a', 'dpm++2m-sde']);
const N = 257;

/** A fixed, nonlinear stand-in denoiser (ε-prediction) so that samples depend on every step. */
function fakeModel(x: Float32Array, t: number): Float32Array {
  return x.map((v, i) => Math.tanh(v) * 0.8 + 0.1 * Math.sin(i + t / 100));
}

function sample(name: string, seed: number, steps = 12, eta?: number): { out: Float32Array; s: Scheduler } {
  const s = schedulerFromConfig(CONFIG, { name, onWarning: () => undefined });
  s.setTimesteps(name === 'ddpm' ? 40 : steps);
  const rng = new Rng(seed);
  let x = rng.fill(new Float32Array(N), 0, s.initNoiseSigma);
  for (const t of s.timesteps) {
    const before = Float32Array.from(x);
    const input = s.scaleModelInput(x, t);
    const eps = fakeModel(input, t);
    const epsCopy = Float32Array.from(eps);
    x = s.step(eps, t, x, { rng, eta }).prevSample;
    // inputs are never modified
    expect(eps).toEqual(epsCopy);
    expect(before.length).toBe(N);
  }
  return { out: Float32Array.from(x), s };
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe.each(Object.keys(SCHEDULER_ALIASES))('%s', (name) => {
  test('same seed → identical bytes; setTimesteps resets all history', () => {
    const a = sample(name, 5).out;
    const b = sample(name, 5).out;
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(a.every(Number.isFinite)).toBe(true);
  });
  test(STOCHASTIC.has(name) ? 'different seeds → different samples (stochastic)' : 'the seed only picks the start noise (deterministic)', () => {
    const a = sample(name, 5).out;
    const b = sample(name, 6).out;
    expect(bytes(a).equals(bytes(b))).toBe(false);
  });
});

test('DDIM with eta > 0 is stochastic and needs an rng; eta = 0 does not draw', () => {
  const a = sample('ddim', 1, 12, 1).out;
  const b = sample('ddim', 1, 12, 1).out;
  expect(bytes(a).equals(bytes(b))).toBe(true);
  const s = schedulerFromConfig(CONFIG, { name: 'ddim', onWarning: () => undefined });
  s.setTimesteps(5);
  const x = new Float32Array(4).fill(0.5);
  expect(() => s.step(x, s.timesteps[0], x, { eta: 1 })).toThrow(/pass \{ rng \}/);
});

test('stochastic steps draw only from the given rng: the same rng state gives the same step', () => {
  const s = schedulerFromConfig(CONFIG, { name: 'euler-a', onWarning: () => undefined });
  s.setTimesteps(5);
  const x = new Float32Array(16).fill(1);
  const first = Float32Array.from(s.step(x, s.timesteps[0], x, { rng: new Rng(3) }).prevSample);
  s.setTimesteps(5);
  const again = Float32Array.from(s.step(x, s.timesteps[0], x, { rng: new Rng(3) }).prevSample);
  expect(again).toEqual(first);
});

test('step() refuses a wrong timestep, a step before setTimesteps and mismatched lengths', () => {
  const s = schedulerFromConfig(CONFIG, { name: 'dpm++2m', onWarning: () => undefined });
  const x = new Float32Array(4);
  expect(() => s.step(x, 999, x)).toThrow(InvalidArgumentError);
  s.setTimesteps(10);
  expect(() => s.step(x, 500, x)).toThrow(/expected timestep 999/);
  expect(() => s.step(new Float32Array(3), 999, x)).toThrow(/3 elements/);
  expect(() => s.setTimesteps(0)).toThrow(/numInferenceSteps/);
});

test('returned buffers stay valid until the next-but-one step', () => {
  const s = schedulerFromConfig(CONFIG, { name: 'euler', onWarning: () => undefined });
  s.setTimesteps(4);
  const x0 = new Float32Array(8).fill(2);
  const r1 = s.step(new Float32Array(8).fill(0.1), s.timesteps[0], x0);
  const kept = Float32Array.from(r1.prevSample);
  const r2 = s.step(new Float32Array(8).fill(0.1), s.timesteps[1], r1.prevSample);
  expect(r1.prevSample).toEqual(kept);
  expect(r2.prevSample).not.toBe(r1.prevSample);
});

test('addNoise is the forward process at a grid timestep', () => {
  const original = Float32Array.of(1, -2, 0.5);
  const noise = Float32Array.of(0.3, 0.1, -1);
  const ddim = schedulerFromConfig(CONFIG, { name: 'ddim', onWarning: () => undefined });
  const t = 500;
  const a = Math.sqrt(ddim.alphasCumprod[t]);
  const b = Math.sqrt(1 - ddim.alphasCumprod[t]);
  Array.from(ddim.addNoise(original, noise, t)).forEach((v, i) => expect(v).toBeCloseTo(a * original[i] + b * noise[i], 6));
  const euler = schedulerFromConfig(CONFIG, { name: 'euler', onWarning: () => undefined }) as Scheduler & { sigmas: Float32Array };
  euler.setTimesteps(10);
  const ts = euler.timesteps[3];
  Array.from(euler.addNoise(original, noise, ts)).forEach((v, i) => expect(v).toBeCloseTo(original[i] + euler.sigmas[3] * noise[i], 5));
  expect(() => euler.addNoise(original, noise, 123.456)).toThrow(/not in the current timesteps/);
});
