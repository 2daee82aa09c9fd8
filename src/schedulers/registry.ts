/**
 * Builds schedulers from diffusers `scheduler_config.json` objects by `_class_name`, or any scheduler from
 * another's config (diffusers' `from_config`), and resolves the short names the CLI accepts.
 */
import type { FromConfigOptions, Scheduler } from './scheduler';
import { DDIMScheduler } from './ddim';
import { DDPMScheduler } from './ddpm';
import { PNDMScheduler } from './pndm';
import { EulerDiscreteScheduler } from './euler-discrete';
import { EulerAncestralDiscreteScheduler } from './euler-ancestral-discrete';
import { HeunDiscreteScheduler } from './heun-discrete';
import { DPMSolverMultistepScheduler } from './dpm-solver-multistep';
import { UniPCMultistepScheduler } from './unipc-multistep';
import { SchedulerConfigError } from '../utils/errors';

type Json = Record<string, unknown>;

interface SchedulerClass {
  readonly className: string;
  fromConfig(json: Json, options?: FromConfigOptions): Scheduler;
}

/** Every scheduler by its diffusers class name (`_class_name`). */
export const SCHEDULERS: Readonly<Record<string, SchedulerClass>> = {
  DDPMScheduler,
  DDIMScheduler,
  PNDMScheduler,
  EulerDiscreteScheduler,
  EulerAncestralDiscreteScheduler,
  HeunDiscreteScheduler,
  DPMSolverMultistepScheduler,
  UniPCMultistepScheduler,
};

export type SchedulerClassName = keyof typeof SCHEDULERS;

/** Short names (CLI `--scheduler`): a class plus config keys it implies. */
export const SCHEDULER_ALIASES: Readonly<Record<string, { className: string; overrides: Json; description: string }>> = {
  ddpm: { className: 'DDPMScheduler', overrides: {}, description: 'DDPM ancestral sampling (~1000 steps)' },
  ddim: { className: 'DDIMScheduler', overrides: {}, description: 'DDIM, deterministic with eta 0 (50–200 steps)' },
  pndm: { className: 'PNDMScheduler', overrides: {}, description: 'PNDM / PLMS (50 steps)' },
  euler: { className: 'EulerDiscreteScheduler', overrides: {}, description: 'Euler, first order (30–50 steps)' },
  'euler-a': { className: 'EulerAncestralDiscreteScheduler', overrides: {}, description: 'Euler ancestral, stochastic (20–50 steps)' },
  heun: { className: 'HeunDiscreteScheduler', overrides: {}, description: 'Heun, second order, 2 calls a step (15–30 steps)' },
  'dpm++2m': { className: 'DPMSolverMultistepScheduler', overrides: { algorithm_type: 'dpmsolver++', use_karras_sigmas: false }, description: 'DPM-Solver++ 2M (10–25 steps)' },
  'dpm++2m-karras': { className: 'DPMSolverMultistepScheduler', overrides: { algorithm_type: 'dpmsolver++', use_karras_sigmas: true }, description: 'DPM-Solver++ 2M with Karras sigmas (10–25 steps)' },
  'dpm++2m-sde': { className: 'DPMSolverMultistepScheduler', overrides: { algorithm_type: 'sde-dpmsolver++' }, description: 'DPM-Solver++ 2M SDE, stochastic (20–50 steps)' },
  unipc: { className: 'UniPCMultistepScheduler', overrides: {}, description: 'UniPC bh2 predictor-corrector (10–20 steps)' },
};

/** Every name `schedulerFromConfig`'s `name` accepts: short aliases, then class names. */
export function schedulerNames(): string[] {
  return [...Object.keys(SCHEDULER_ALIASES), ...Object.keys(SCHEDULERS)];
}

/** Resolves a class name or alias (case-insensitive for aliases) to a class name and its implied keys. */
export function resolveSchedulerName(name: string): { className: string; overrides: Json } {
  if (name in SCHEDULERS) return { className: name, overrides: {} };
  const alias = SCHEDULER_ALIASES[name.toLowerCase()];
  if (alias !== undefined) return { className: alias.className, overrides: alias.overrides };
  throw new SchedulerConfigError(`unknown scheduler "${name}"; use one of: ${schedulerNames().join(', ')}`, name);
}

export interface SchedulerFromConfigOptions extends FromConfigOptions {
  /** Build this scheduler (class name or alias) from the config instead of its `_class_name`. */
  name?: string;
}

/**
 * A scheduler from a diffusers scheduler_config.json object. Without `name`, `_class_name` picks the class;
 * with `name`, that scheduler is built from the same config (its keys it does not know are warned about and
 * ignored, as diffusers' `from_config`). Values a scheduler cannot honour throw SchedulerConfigError.
 *
 * @example
 * const warnings: string[] = [];
 * const s = schedulerFromConfig(audioldmConfig, { name: 'dpm++2m', onWarning: (m) => warnings.push(m) });
 */
export function schedulerFromConfig(config: object, options: SchedulerFromConfigOptions = {}): Scheduler {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new SchedulerConfigError(`scheduler config must be a JSON object, got: ${JSON.stringify(config)}`, config);
  }
  const json = config as Json;
  let className: string;
  let overrides: Json = {};
  if (options.name !== undefined) {
    ({ className, overrides } = resolveSchedulerName(options.name));
  } else {
    const declared = json._class_name;
    if (typeof declared !== 'string') {
      throw new SchedulerConfigError('scheduler config has no "_class_name"; pass { name } to choose a scheduler', json);
    }
    if (!(declared in SCHEDULERS)) {
      throw new SchedulerConfigError(
        `scheduler class "${declared}" is not implemented by foley; implemented: ${Object.keys(SCHEDULERS).join(', ')} (pass { name } to use one of them with this config)`,
        declared,
      );
    }
    className = declared;
  }
  // An alias's implied keys win over the config's (e.g. "dpm++2m-karras" turns Karras sigmas on).
  return SCHEDULERS[className].fromConfig({ ...json, ...overrides }, { onWarning: options.onWarning });
}
