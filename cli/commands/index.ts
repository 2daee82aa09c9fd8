import type { CommandModule } from 'yargs';
import { generateCommand } from './generate';
import { varyCommand } from './vary';
import { inpaintCommand } from './inpaint';
import { interpolateCommand } from './interpolate';
import { modelsCommand } from './models';
import { vocodeCommand } from './vocode';
import { melCommand } from './mel';
import { resynthCommand } from './resynth';
import { infoCommand } from './info';
import { scoreCommand } from './score';

// One yargs command module per file; register each here.
export const commands: CommandModule<any, any>[] = [
  generateCommand,
  varyCommand,
  inpaintCommand,
  interpolateCommand,
  modelsCommand,
  vocodeCommand,
  melCommand,
  resynthCommand,
  infoCommand,
  scoreCommand,
];
