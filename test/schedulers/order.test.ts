/**
 * Order of accuracy: on the Gaussian problem the exact probability-flow ODE solution is closed form
 * (gaussian.ts), so the error of a deterministic solver can be measured exactly for a sweep of step counts.
 * The slope of log(error) against log(steps) must be −p for a method of order p.
 */
import { schedulerFromConfig } from '../../src/schedulers';
import { relativeRmsError, runExact, standardNormals } from './gaussian';

const BETAS = { beta_start: 0.0015, beta_end: 0.0195, beta_schedule: 'scaled_linear' };
const STEPS = [20, 40, 80, 160, 320];
const Z = standardNormals(128, 99);

/** Least-squares slope of log(err) on log(n). */
function logLogSlope(ns: number[], errs: number[]): number {
  const xs = ns.map(Math.log);
  const ys = errs.map(Math.log);
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i] - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

// Grids whose steps all shrink as n grows: σ-uniform-ish (linspace in t) for σ-space solvers, Karras σ for
// the λ-space multistep solvers (on a linspace-in-t grid the λ-steps near t = 0 do not shrink with n).
const CASES = [
  { name: 'ddim', config: { timestep_spacing: 'leading', steps_offset: 1, set_alpha_to_one: true, clip_sample: false }, order: 1, tol: 0.15 },
  { name: 'euler', config: { timestep_spacing: 'linspace' }, order: 1, tol: 0.15 },
  { name: 'heun', config: { timestep_spacing: 'linspace' }, order: 2, tol: 0.2 },
  { name: 'dpm++2m-karras', config: {}, order: 2, tol: 0.2 },
  { name: 'dpm++2m-karras', config: { solver_order: 1 }, order: 1, tol: 0.15 },
  // UniC raises the predictor's order by one (Zhao et al. 2023, Theorem 3.3): bh2 with solver_order 2 is third order.
  { name: 'unipc', config: { use_karras_sigmas: true }, order: 3, tol: 0.35 },
];

describe.each([
  { mu: -1, s: 1 },
  { mu: 2, s: 3 },
])('data N($mu, $s²)', (data) => {
  test.each(CASES)('$name $config converges at order $order', ({ name, config, order, tol }) => {
    const errors = STEPS.map((n) => relativeRmsError(runExact(schedulerFromConfig({ ...BETAS, ...config }, { name, onWarning: () => undefined }), n, [data], Z), [data]));
    const slope = logLogSlope(STEPS, errors);
    expect({ slope: Math.abs(slope + order) <= tol, errors, measured: slope }).toMatchObject({ slope: true });
    // Errors fall monotonically, and a first-order method is not accidentally exact.
    errors.slice(1).forEach((e, i) => expect(e).toBeLessThan(errors[i]));
    expect(errors[errors.length - 1]).toBeGreaterThan(1e-7);
  });
});
