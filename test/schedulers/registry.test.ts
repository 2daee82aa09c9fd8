import {
  DDIMScheduler,
  DPMSolverMultistepScheduler,
  EulerDiscreteScheduler,
  SCHEDULERS,
  SCHEDULER_ALIASES,
  UniPCMultistepScheduler,
  alphasCumprod,
  linearBetas,
  parseSchedulerConfigJson,
  schedulerFromConfig,
  schedulerNames,
} from '../../src/schedulers';
import { SchedulerConfigError } from '../../src/utils/errors';

/** cvssp/audioldm2 scheduler/scheduler_config.json, verbatim (shared/notes/audioldm-and-peers.md §1). */
const AUDIOLDM_JSON = `{
  "_class_name": "DDIMScheduler",
  "_diffusers_version": "0.21.0.dev0",
  "beta_end": 0.0195,
  "beta_schedule": "scaled_linear",
  "beta_start": 0.0015,
  "clip_sample": false,
  "clip_sample_range": 1.0,
  "dynamic_thresholding_ratio": 0.995,
  "num_train_timesteps": 1000,
  "prediction_type": "epsilon",
  "rescale_betas_zero_snr": false,
  "sample_max_value": 1.0,
  "set_alpha_to_one": false,
  "steps_offset": 1,
  "thresholding": false,
  "timestep_spacing": "leading",
  "trained_betas": null
}`;

function collect() {
  const warnings: string[] = [];
  return { warnings, onWarning: (m: string) => warnings.push(m) };
}

describe('AudioLDM config', () => {
  test('loads unchanged: DDIMScheduler, no warnings, every key kept, toJSON round-trips', () => {
    const json = parseSchedulerConfigJson(AUDIOLDM_JSON);
    const { warnings, onWarning } = collect();
    const s = schedulerFromConfig(json, { onWarning });
    expect(s).toBeInstanceOf(DDIMScheduler);
    expect(warnings).toEqual([]);
    const { _diffusers_version, ...expected } = json;
    expect(s.toJSON()).toEqual(expected);
    expect((s as DDIMScheduler).config.set_alpha_to_one).toBe(false);
    s.setTimesteps(10);
    expect(Array.from(s.timesteps)).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
  });

  test('its betas are linear in √β from 0.0015 to 0.0195', () => {
    const s = schedulerFromConfig(parseSchedulerConfigJson(AUDIOLDM_JSON));
    const b0 = 1 - s.alphasCumprod[0];
    const b999 = 1 - s.alphasCumprod[999] / s.alphasCumprod[998];
    const b500 = 1 - s.alphasCumprod[500] / s.alphasCumprod[499];
    expect(b0).toBeCloseTo(0.0015, 12);
    expect(b999).toBeCloseTo(0.0195, 12);
    const root = Math.sqrt(0.0015) + (500 / 999) * (Math.sqrt(0.0195) - Math.sqrt(0.0015));
    expect(b500).toBeCloseTo(root * root, 12);
  });

  test.each(Object.keys(SCHEDULER_ALIASES))('builds "%s" from it, warning only about keys that scheduler ignores', (name) => {
    const { warnings, onWarning } = collect();
    const s = schedulerFromConfig(parseSchedulerConfigJson(AUDIOLDM_JSON), { name, onWarning });
    expect(s.name).toBe(SCHEDULER_ALIASES[name].className);
    expect(s.config.beta_schedule).toBe('scaled_linear');
    expect(s.config.steps_offset).toBe(1);
    if (s.name === 'DDIMScheduler') expect(warnings).toEqual([]);
    if (s.name === 'DPMSolverMultistepScheduler') {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/"clip_sample".*"set_alpha_to_one".*ignored/);
    }
    s.setTimesteps(10);
    expect(s.timesteps.length).toBeGreaterThanOrEqual(10);
  });

  test('aliases imply their keys', () => {
    const json = parseSchedulerConfigJson(AUDIOLDM_JSON);
    const karras = schedulerFromConfig(json, { name: 'dpm++2m-karras', onWarning: () => undefined }) as DPMSolverMultistepScheduler;
    expect(karras.config.use_karras_sigmas).toBe(true);
    const sde = schedulerFromConfig(json, { name: 'dpm++2m-sde', onWarning: () => undefined }) as DPMSolverMultistepScheduler;
    expect(sde.config.algorithm_type).toBe('sde-dpmsolver++');
    expect(schedulerFromConfig(json, { name: 'EulerDiscreteScheduler', onWarning: () => undefined })).toBeInstanceOf(EulerDiscreteScheduler);
    expect(schedulerNames()).toEqual(expect.arrayContaining(['ddim', 'ddpm', 'pndm', 'euler', 'euler-a', 'heun', 'dpm++2m', 'dpm++2m-karras', 'dpm++2m-sde', 'unipc']));
  });
});

describe('round trips', () => {
  test.each(Object.keys(SCHEDULERS))('%s: toJSON → schedulerFromConfig gives the same config, no warnings', (className) => {
    const original = schedulerFromConfig({ _class_name: className });
    const { warnings, onWarning } = collect();
    const copy = schedulerFromConfig(JSON.parse(JSON.stringify(original.toJSON())), { onWarning });
    expect(copy.name).toBe(className);
    expect(copy.toJSON()).toEqual(original.toJSON());
    expect(warnings).toEqual([]);
  });

  test('DPM-Solver ↔ UniPC: solver_type is mapped as diffusers does, with a warning', () => {
    const { warnings, onWarning } = collect();
    const unipc = schedulerFromConfig(new DPMSolverMultistepScheduler().toJSON(), { name: 'unipc', onWarning });
    expect((unipc as UniPCMultistepScheduler).config.solver_type).toBe('bh2');
    expect(warnings.join('\n')).toMatch(/"midpoint".*replaced by "bh2"/);
    expect(warnings.join('\n')).toMatch(/"algorithm_type".*ignored/);
  });

  test('-Infinity in Python-written JSON parses (lambda_min_clipped)', () => {
    const json = parseSchedulerConfigJson('{"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity, "x": "-Infinity text"}');
    expect(json.lambda_min_clipped).toBe('-Infinity');
    expect(json.x).toBe('-Infinity text');
    const s = schedulerFromConfig(json, { onWarning: () => undefined }) as DPMSolverMultistepScheduler;
    expect(s.config.lambda_min_clipped).toBe(-Infinity);
  });
});

describe('values a scheduler cannot honour are rejected with SchedulerConfigError', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['unknown beta_schedule', { _class_name: 'DDIMScheduler', beta_schedule: 'sigmoid' }, /beta_schedule.*"sigmoid"/],
    ['trained_betas of the wrong length', { _class_name: 'DDIMScheduler', trained_betas: [0.1, 0.2] }, /trained_betas.*1000.*2 values/],
    ['trained_betas out of range', { _class_name: 'DDIMScheduler', num_train_timesteps: 2, trained_betas: [0.1, 1.5] }, /trained_betas\[1\]/],
    ['unsupported prediction_type', { _class_name: 'EulerDiscreteScheduler', prediction_type: 'flow_prediction' }, /prediction_type.*flow_prediction/],
    ['wrong JSON type', { _class_name: 'DDIMScheduler', num_train_timesteps: '1000' }, /num_train_timesteps.*must be a number/],
    ['unknown spacing', { _class_name: 'UniPCMultistepScheduler', timestep_spacing: 'quadratic' }, /timestep_spacing/],
    ['noise-prediction DPM-Solver', { _class_name: 'DPMSolverMultistepScheduler', algorithm_type: 'dpmsolver' }, /not implemented/],
    ['exponential sigmas', { _class_name: 'EulerDiscreteScheduler', use_exponential_sigmas: true }, /use_exponential_sigmas.*not supported/],
    ['learned variance', { _class_name: 'DDPMScheduler', variance_type: 'learned_range' }, /variance/],
    ['solver order 4', { _class_name: 'UniPCMultistepScheduler', solver_order: 4 }, /solver_order/],
    ['zero SNR with ε-prediction', { _class_name: 'DDIMScheduler', rescale_betas_zero_snr: true }, /v_prediction/],
    ['unknown class', { _class_name: 'LMSDiscreteScheduler' }, /not implemented by foley/],
    ['no class name', { beta_start: 0.001 }, /_class_name/],
  ];
  test.each(bad)('%s', (_label, json, message) => {
    let error: unknown;
    try {
      schedulerFromConfig(json, { onWarning: () => undefined });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchedulerConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as SchedulerConfigError).exitCode).toBe(2);
  });
  test('unknown alias', () => {
    expect(() => schedulerFromConfig({}, { name: 'dpm++3m-magic' })).toThrow(/unknown scheduler "dpm\+\+3m-magic"; use one of: ddpm, ddim/);
  });
});

test('trained_betas are honoured, not ignored', () => {
  const linear = Array.from(linearBetas(0.0001, 0.02, 1000, false));
  const fromTrained = new DDIMScheduler({ trained_betas: linear, beta_schedule: 'scaled_linear' });
  expect(Array.from(fromTrained.alphasCumprod)).toEqual(Array.from(alphasCumprod(Float64Array.from(linear))));
  const doubled = new DDIMScheduler({ trained_betas: linear.map((b) => b / 2) });
  expect(doubled.alphasCumprod[999]).toBeGreaterThan(fromTrained.alphasCumprod[999] * 10);
});

test('zero terminal SNR rescale (Lin et al. 2023): ᾱ_T = 0, ᾱ_0 unchanged', () => {
  const s = new DDIMScheduler({ rescale_betas_zero_snr: true, prediction_type: 'v_prediction', beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 });
  const plain = new DDIMScheduler({ beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 });
  expect(s.alphasCumprod[999]).toBeLessThan(1e-20);
  expect(s.alphasCumprod[0]).toBeCloseTo(plain.alphasCumprod[0], 12);
  // √ᾱ is an affine map of the original √ᾱ
  const f = (sch: DDIMScheduler, t: number) => Math.sqrt(sch.alphasCumprod[t]);
  const slope = (f(s, 500) - f(s, 0)) / (f(plain, 500) - f(plain, 0));
  expect((f(s, 800) - f(s, 0)) / (f(plain, 800) - f(plain, 0))).toBeCloseTo(slope, 10);
});
