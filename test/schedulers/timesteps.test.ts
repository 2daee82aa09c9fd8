/**
 * Timestep grids as diffusers' set_timesteps produces them. Each list below is written down from the formulas
 * (see schedules.ts) and the comments show the hand check.
 */
import {
  DDIMScheduler,
  DDPMScheduler,
  DPMSolverMultistepScheduler,
  EulerDiscreteScheduler,
  HeunDiscreteScheduler,
  PNDMScheduler,
  UniPCMultistepScheduler,
  alphasCumprod,
  karrasSigmas,
  linearBetas,
} from '../../src/schedulers';
import { roundHalfEven } from '../../src/schedulers/schedules';

const ts = (s: { timesteps: Float32Array }) => Array.from(s.timesteps);

describe('DDIM / DDPM (integer grids of n steps)', () => {
  test('leading + steps_offset 1, 5 steps: k·⌊1000/5⌋ + 1', () => {
    const s = new DDIMScheduler({ steps_offset: 1 });
    s.setTimesteps(5);
    expect(ts(s)).toEqual([801, 601, 401, 201, 1]); // 4·200+1, 3·200+1, …
  });
  test('leading, 10 steps, no offset', () => {
    const s = new DDPMScheduler();
    s.setTimesteps(10);
    expect(ts(s)).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
  });
  test('leading with a non-divisor: 3 steps → ⌊1000/3⌋ = 333', () => {
    const s = new DDIMScheduler();
    s.setTimesteps(3);
    expect(ts(s)).toEqual([666, 333, 0]);
  });
  test('linspace, 10 steps: round(linspace(0, 999, 10)) = multiples of 111', () => {
    const s = new DDIMScheduler({ timestep_spacing: 'linspace' });
    s.setTimesteps(10);
    expect(ts(s)).toEqual([999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
  });
  test('linspace, 4 steps on 1000: 0, 333, 666, 999', () => {
    const s = new DDIMScheduler({ timestep_spacing: 'linspace' });
    s.setTimesteps(4);
    expect(ts(s)).toEqual([999, 666, 333, 0]);
  });
  test('trailing, 10 steps: arange(1000, 0, −100) − 1', () => {
    const s = new DDIMScheduler({ timestep_spacing: 'trailing' });
    s.setTimesteps(10);
    expect(ts(s)).toEqual([999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
  });
  test('trailing, 3 and 7 steps: round(1000 − k·1000/n) − 1', () => {
    const s = new DDIMScheduler({ timestep_spacing: 'trailing' });
    s.setTimesteps(3);
    expect(ts(s)).toEqual([999, 666, 332]); // 1000, 666.7→667, 333.3→333, minus 1
    s.setTimesteps(7);
    expect(ts(s)).toEqual([999, 856, 713, 570, 428, 285, 142]); // 857.14→857, 714.29→714, 571.43→571, 428.57→429, …
  });
  test('steps_offset that pushes a timestep past T − 1 is rejected', () => {
    const s = new DDPMScheduler({ steps_offset: 1 });
    expect(() => s.setTimesteps(1000)).toThrow(/outside \[0, 999\]/);
  });
  test('DDIM steps from t to t − ⌊T/n⌋ (its previous timestep)', () => {
    const s = new DDIMScheduler({ steps_offset: 1, set_alpha_to_one: false, clip_sample: false });
    s.setTimesteps(5);
    // With the exact x₀ = 0 and ε = x, DDIM maps x to √(1−ᾱ_prev)/√(1−ᾱ_t)·x: read ᾱ_prev back.
    const x = Float32Array.of(1);
    const out = s.step(Float32Array.of(1), 801, x).prevSample[0];
    const ac = s.alphasCumprod;
    expect(out).toBeCloseTo(Math.sqrt(1 - ac[601]) + Math.sqrt(ac[601]) * (1 - Math.sqrt(1 - ac[801])) / Math.sqrt(ac[801]), 5);
  });
});

describe('multistep solvers (n + 1 grid points, last dropped)', () => {
  test('DPM-Solver linspace, 10 steps: round(linspace(0, 999, 11))[::-1][:-1], 499.5 → 500 (half to even)', () => {
    const s = new DPMSolverMultistepScheduler();
    s.setTimesteps(10);
    expect(ts(s)).toEqual([999, 899, 799, 699, 599, 500, 400, 300, 200, 100]);
  });
  test('UniPC leading + offset 1, 10 steps: k·⌊1000/11⌋ + 1', () => {
    const s = new UniPCMultistepScheduler({ timestep_spacing: 'leading', steps_offset: 1 });
    s.setTimesteps(10);
    expect(ts(s)).toEqual([901, 811, 721, 631, 541, 451, 361, 271, 181, 91]);
  });
  test('DPM-Solver trailing, 4 steps', () => {
    const s = new DPMSolverMultistepScheduler({ timestep_spacing: 'trailing' });
    s.setTimesteps(4);
    expect(ts(s)).toEqual([999, 749, 499, 249]);
  });
  test('Karras sigmas: eq. 5 ramp from σ_max to σ_min, then 0; integer timesteps', () => {
    const s = new DPMSolverMultistepScheduler({ use_karras_sigmas: true, beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 });
    s.setTimesteps(8);
    const ac = alphasCumprod(linearBetas(0.00085, 0.012, 1000, true));
    const sigma = (t: number) => Math.sqrt((1 - ac[t]) / ac[t]);
    const expected = karrasSigmas(sigma(0), sigma(999), 8);
    expect(s.sigmas[0]).toBeCloseTo(sigma(999), 3);
    expect(s.sigmas[7]).toBeCloseTo(sigma(0), 6);
    expect(s.sigmas[8]).toBe(0);
    // middle value by hand: ((σmax^(1/7) + (3/7)(σmin^(1/7) − σmax^(1/7)))^7
    const mid = (sigma(999) ** (1 / 7) + (3 / 7) * (sigma(0) ** (1 / 7) - sigma(999) ** (1 / 7))) ** 7;
    expect(expected[3]).toBeCloseTo(mid, 10);
    expect(s.sigmas[3]).toBeCloseTo(mid, 4);
    expect(ts(s).every((t) => Number.isInteger(t))).toBe(true);
    expect(ts(s)[0]).toBe(999);
  });
});

describe('Euler / Heun (float timesteps, interpolated σ)', () => {
  test('linspace is not rounded: 5 steps → 999, 749.25, 499.5, 249.75, 0', () => {
    const s = new EulerDiscreteScheduler();
    s.setTimesteps(5);
    expect(ts(s)).toEqual([999, 749.25, 499.5, 249.75, 0]);
    // σ at 499.5 is the mean of σ(499) and σ(500) (np.interp), then stored as float32
    const ac = s.alphasCumprod;
    const sigma = (t: number) => Math.sqrt((1 - ac[t]) / ac[t]);
    expect(s.sigmas[2]).toBeCloseTo((sigma(499) + sigma(500)) / 2, 5);
    expect(s.sigmas[5]).toBe(0);
    expect(s.initNoiseSigma).toBeCloseTo(sigma(999), 4);
  });
  test('leading spacing: init noise σ is √(σ_max² + 1)', () => {
    const s = new EulerDiscreteScheduler({ timestep_spacing: 'leading', steps_offset: 1 });
    s.setTimesteps(5);
    expect(ts(s)).toEqual([801, 601, 401, 201, 1]);
    expect(s.initNoiseSigma).toBeCloseTo(Math.sqrt(s.sigmas[0] ** 2 + 1), 5);
  });
  test('Heun repeats every timestep after the first: 2n − 1 calls', () => {
    const s = new HeunDiscreteScheduler();
    s.setTimesteps(3);
    expect(ts(s)).toEqual([999, 499.5, 499.5, 0, 0]);
    expect(s.sigmas.length).toBe(6);
    expect(s.sigmas[1]).toBe(s.sigmas[2]);
    expect(s.sigmas[5]).toBe(0);
  });
});

describe('PNDM', () => {
  test('skip_prk_steps, leading + offset 1, 5 steps: the second timestep is repeated', () => {
    const s = new PNDMScheduler({ skip_prk_steps: true, steps_offset: 1 });
    s.setTimesteps(5);
    expect(ts(s)).toEqual([801, 601, 601, 401, 201, 1]);
  });
  test('PRK warm-up: 12 calls on the top 4 timesteps and their midpoints (+ ⌊⌊T/n⌋/2⌋), then PLMS', () => {
    const s = new PNDMScheduler({ steps_offset: 1 });
    s.setTimesteps(5);
    expect(ts(s)).toEqual([801, 701, 701, 601, 601, 501, 501, 401, 401, 301, 301, 201, 201, 1]);
  });
});

test('roundHalfEven is numpy rounding', () => {
  expect([0.5, 1.5, 2.5, 499.5, 500.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 500, 500, 2, 3]);
});
