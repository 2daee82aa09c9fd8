/**
 * Every scheduler against the closed-form Gaussian problem (see gaussian.ts): with the exact ε-, v- or
 * x₀-"model", the sampled mean and variance must match the exact law of the target within tolerances derived
 * from the sample size, and deterministic samplers must track the exact probability-flow ODE solution
 * sample by sample. Schedulers are built from AudioLDM's DDIM scheduler_config.json through the registry,
 * as `--scheduler <name>` does, at the step counts each method is meant for.
 */
import { schedulerFromConfig, type PredictionType, type StepOptions } from '../../src/schedulers';
import { Rng } from '../../src/utils/random';
import { type GaussianData, type RunResult, isVe, moments, runExact, standardNormals, targetMoments } from './gaussian';

const AUDIOLDM = {
  _class_name: 'DDIMScheduler',
  _diffusers_version: '0.20.0',
  beta_end: 0.0195,
  beta_schedule: 'scaled_linear',
  beta_start: 0.0015,
  clip_sample: false,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  rescale_betas_zero_snr: false,
  set_alpha_to_one: false,
  steps_offset: 1,
  thresholding: false,
  timestep_spacing: 'leading',
  trained_betas: null,
};

/** Narrow, unit and wide data, each with its own mean. */
const DATA: GaussianData[] = [
  { mu: 0.5, s: 0.1 },
  { mu: -1, s: 1 },
  { mu: 2, s: 3 },
];
const PER_SET = 10_000;
const Z = standardNormals(PER_SET * DATA.length, 20240601);
/** 5 standard errors: a fixed-seed test that fails only on a real discrepancy (two-sided p ≈ 6e-7). */
const K_SE = 5;

type PerSet = [narrow: number, unit: number, wide: number];

interface Case {
  name: string;
  steps: number;
  /** Overrides merged into the AudioLDM config. */
  config?: Record<string, unknown>;
  options?: StepOptions;
  /** Deterministic samplers: bound on RMS((x − x_exact)/s) per data set, i.e. the method's own error. */
  ode?: PerSet;
  /**
   * Stochastic samplers: allowed |Δsd|/s and |Δmean|/s from discretisation, per data set. Ancestral samplers
   * with the fixed posterior variance β̃ lose variance (Bao et al. 2022, "Analytic-DPM"): at 1000 steps
   * DDPM, DDIM η = 1 and Euler ancestral all give sd −6 % (s = 0.1) and −2.5 % (s = 1); fewer steps, more.
   */
  bias?: PerSet;
}

// Bounds are about 1.5× the errors measured at these step counts: a sign error, a wrong coefficient or an
// off-by-one timestep gives O(1) errors (see the order tests for the sharp, rate-based check).
const CASES: Case[] = [
  { name: 'ddpm', steps: 1000, config: { steps_offset: 0 }, bias: [0.1, 0.04, 0.02] },
  { name: 'ddim', steps: 50, ode: [0.3, 0.05, 0.04] },
  { name: 'ddim', steps: 200, options: { eta: 1 }, bias: [0.25, 0.04, 0.035] },
  { name: 'pndm', steps: 50, ode: [0.06, 0.003, 0.002] },
  { name: 'pndm', steps: 50, config: { skip_prk_steps: true }, ode: [0.06, 0.003, 0.002] },
  { name: 'euler', steps: 50, config: { timestep_spacing: 'linspace' }, ode: [0.35, 0.06, 0.04] },
  { name: 'euler-a', steps: 50, config: { timestep_spacing: 'linspace' }, bias: [0.5, 0.12, 0.07] },
  { name: 'heun', steps: 25, config: { timestep_spacing: 'linspace' }, ode: [0.6, 0.01, 0.012] },
  { name: 'dpm++2m', steps: 20, config: { timestep_spacing: 'linspace' }, ode: [0.002, 0.008, 0.001] },
  { name: 'dpm++2m-karras', steps: 20, ode: [0.01, 0.04, 0.03] },
  { name: 'dpm++2m-sde', steps: 50, config: { timestep_spacing: 'linspace' }, bias: [0.01, 0.01, 0.015] },
  { name: 'unipc', steps: 15, config: { timestep_spacing: 'linspace' }, ode: [0.001, 0.01, 0.005] },
];

const PREDICTIONS: PredictionType[] = ['epsilon', 'v_prediction', 'sample'];

function build(c: Case, prediction: PredictionType, onWarning: (m: string) => void = () => undefined) {
  return schedulerFromConfig({ ...AUDIOLDM, ...c.config, prediction_type: prediction }, { name: c.name, onWarning });
}

function rmsPerSet(r: RunResult, k: number): number {
  let ss = 0;
  let count = 0;
  for (let i = k; i < r.out.length; i += DATA.length) {
    ss += ((r.out[i] - r.exact[i]) / DATA[k].s) ** 2;
    count++;
  }
  return Math.sqrt(ss / count);
}

describe.each(CASES)('$name, $steps steps $options $config', (c) => {
  test(`${PER_SET} samples per data set: moments within ${K_SE} standard errors (+ method bias) of the exact law`, () => {
    const scheduler = build(c, 'epsilon');
    const r = runExact(scheduler, c.steps, DATA, Z, { ...c.options, rng: new Rng(7) });
    const failures: string[] = [];
    DATA.forEach((d, k) => {
      const target = targetMoments(d, r, isVe(scheduler));
      const got = moments(r.out, k, DATA.length);
      const sd = Math.sqrt(target.variance);
      // For deterministic samplers |Δmean| and |Δsd| are bounded by the RMS distance to the exact solution.
      const slack = (c.ode ?? c.bias ?? [0, 0, 0])[k] * d.s;
      const meanTol = (K_SE * sd) / Math.sqrt(got.count) + slack;
      const sdTol = K_SE * sd * Math.sqrt(1 / (2 * (got.count - 1))) + slack;
      const meanErr = Math.abs(got.mean - target.mean);
      const sdErr = Math.abs(Math.sqrt(got.variance) - sd);
      if (!(meanErr <= meanTol)) failures.push(`set ${k} (μ=${d.mu}, s=${d.s}): mean ${got.mean} vs ${target.mean}, |Δ| ${meanErr.toExponential(2)} > ${meanTol.toExponential(2)}`);
      if (!(sdErr <= sdTol)) failures.push(`set ${k} (μ=${d.mu}, s=${d.s}): sd ${Math.sqrt(got.variance)} vs ${sd}, |Δ| ${sdErr.toExponential(2)} > ${sdTol.toExponential(2)}`);
      if (c.ode !== undefined && !(rmsPerSet(r, k) <= c.ode[k])) {
        failures.push(`set ${k} (μ=${d.mu}, s=${d.s}): RMS distance to the exact ODE solution ${rmsPerSet(r, k).toExponential(2)} > ${c.ode[k]}`);
      }
    });
    expect(failures).toEqual([]);
    // A stochastic sampler really is one: far from the deterministic ODE map.
    if (c.bias !== undefined) expect(rmsPerSet(r, 1)).toBeGreaterThan(0.5);
  });

  test('ε-, v- and x₀-prediction models give the same samples', () => {
    const small = Z.subarray(0, 3000);
    const runs = PREDICTIONS.map((p) => runExact(build(c, p), c.steps, DATA, small, { ...c.options, rng: new Rng(7) }));
    for (const other of runs.slice(1)) {
      let worst = 0;
      for (let i = 0; i < small.length; i++) worst = Math.max(worst, Math.abs(other.out[i] - runs[0].out[i]) / DATA[i % DATA.length].s);
      expect(worst).toBeLessThan(2e-3);
    }
  });
});
