import type { CommandModule } from 'yargs';

// One yargs command module per file; register each here.
export const commands: CommandModule<any, any>[] = [];
