import yargs, { type CommandModule } from 'yargs';
import { FoleyError } from '../src/utils/errors';
import { commands } from './commands';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Exit codes: 0 success, 1 runtime error, 2 bad usage or bad input. */
export type ExitCode = 0 | 1 | 2;

/**
 * Runs the CLI on `args` (without node and script). Never calls process.exit, so tests can call it:
 * returns the exit code. User errors print one line on stderr, no stack trace.
 */
export async function main(args: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  let usageError: string | undefined;
  const parser = yargs(args)
    .scriptName('foley')
    .usage('$0 <command> [options]')
    .exitProcess(false)
    .strict()
    .demandCommand(1, 'Name a command: foley --help lists them.')
    .recommendCommands()
    .help()
    .version()
    .fail((message: string | undefined, error: Error | undefined) => {
      if (error) throw error;
      usageError = message ?? 'invalid usage';
    });
  for (const command of commands) parser.command(command as CommandModule<object, never>);
  // yargs reads the IO from the handlers' context: commands take it from here.
  currentIo = io;
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof FoleyError) {
      io.stderr.write(`foley: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`foley: unexpected error: ${message}\n`);
    return 1;
  } finally {
    currentIo = { stdout: process.stdout, stderr: process.stderr };
  }
  if (usageError !== undefined) {
    io.stderr.write(`foley: ${usageError}\nRun "foley --help" for usage.\n`);
    return 2;
  }
  return 0;
}

let currentIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

/** The streams of the running `main()` call: commands write here, not to `process.stdout`. */
export function cliIo(): CliIo {
  return currentIo;
}
