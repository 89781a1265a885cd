import { Command } from 'commander';
import { SKEIN_VERSION } from '../run/run-build.js';
import { buildCommand } from './build-command.js';
import { reportError, EXIT } from './exit.js';
import { inspectCommand } from './inspect-command.js';
import { schemaCommand } from './schema-command.js';
import { statsCommand } from './stats-command.js';
import { mergeCommand } from './merge-command.js';
import { trainCommand } from './train-command.js';
import { genEvalCommand } from './gen-eval-command.js';
import { evalCommand } from './eval-command.js';
import { ropeBaseCommand } from './rope-base-command.js';
import { setupBackendCommand } from './setup-backend-command.js';
import { doctorCommand } from './doctor-command.js';

/** The `skein` program with its subcommands. */
export function program(): Command {
  const p = new Command('skein')
    .description('Long-context pre-training data: stream corpora, tokenize, build samples and write Arrow shards any trainer can open.')
    .version(SKEIN_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(buildCommand())
    .addCommand(inspectCommand())
    .addCommand(statsCommand())
    .addCommand(mergeCommand())
    .addCommand(schemaCommand())
    .addCommand(trainCommand())
    .addCommand(genEvalCommand())
    .addCommand(evalCommand())
    .addCommand(ropeBaseCommand())
    .addCommand(setupBackendCommand())
    .addCommand(doctorCommand());
  p.exitOverride();
  for (const c of p.commands) c.exitOverride();
  return p;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code: 0 success,
 * 1 user error (one line naming the problem and the fix), 2 internal error.
 */
export async function main(argv: string[]): Promise<number> {
  const p = program();
  if (argv.length === 0) {
    p.outputHelp();
    return EXIT.ok;
  }
  try {
    await p.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    return reportError(e);
  }
}
