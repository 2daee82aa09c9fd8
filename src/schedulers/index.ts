// Diffusion schedulers (pure: no ONNX, no I/O). See docs/schedulers.md.
export * from './scheduler';
export {
  alphasCumprod,
  betasFromConfig,
  cosineBetas,
  discreteTimesteps,
  fractionalTimesteps,
  karrasSigmas,
  linearBetas,
  multistepTimesteps,
  rescaleZeroTerminalSnr,
  sigmaToT,
  sigmasFromAlphasCumprod,
  sigmasForTimesteps,
  trainingSigmas,
} from './schedules';
export * from './prediction';
export { DDPMScheduler, type DDPMSchedulerConfig, type DDPMVarianceType } from './ddpm';
export { DDIMScheduler, type DDIMSchedulerConfig, addNoiseVp } from './ddim';
export { PNDMScheduler, type PNDMSchedulerConfig } from './pndm';
export { EulerDiscreteScheduler, type EulerDiscreteSchedulerConfig } from './euler-discrete';
export { EulerAncestralDiscreteScheduler, type EulerAncestralDiscreteSchedulerConfig } from './euler-ancestral-discrete';
export { HeunDiscreteScheduler, type HeunDiscreteSchedulerConfig } from './heun-discrete';
export { DPMSolverMultistepScheduler, type DPMSolverMultistepSchedulerConfig } from './dpm-solver-multistep';
export { UniPCMultistepScheduler, type UniPCMultistepSchedulerConfig, solveLinear } from './unipc-multistep';
export {
  SCHEDULERS,
  SCHEDULER_ALIASES,
  type SchedulerClassName,
  type SchedulerFromConfigOptions,
  resolveSchedulerName,
  schedulerFromConfig,
  schedulerNames,
} from './registry';
