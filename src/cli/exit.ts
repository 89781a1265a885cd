import { CommanderError } from 'commander';
import { UserError } from '../util/errors.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, user: 1, internal: 2 } as const;

/**
 * Maps an error to the CLI's exit code and prints it: a user error is one line on stderr
 * (`skein: <problem and fix>`), an internal error prints its stack and asks for a bug report.
 */
export function reportError(e: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.user; // commander already printed its one-line message
  }
  if (e instanceof UserError) {
    stderr.write(`skein: ${e.message.split('\n')[0]}\n`);
    return EXIT.user;
  }
  const err = e as Error;
  stderr.write(`skein: internal error: ${err?.stack ?? String(e)}\nThis is a bug in skein; please report it with the command you ran.\n`);
  return EXIT.internal;
}
