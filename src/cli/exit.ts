import { CommanderError } from 'commander';
import { describeEnvironmentError } from '../util/environment-error.js';
import { Interrupted, UserError } from '../util/errors.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, user: 1, internal: 2 } as const;

/**
 * Maps an error to the CLI's exit code and prints it: a user error, or an error of the
 * environment (disk full, read-only, permissions: see `describeEnvironmentError`), is one line
 * on stderr (`skein: <problem and fix>`) and exit code 1 (130 / 143 when a signal interrupted
 * the work); an internal error prints its stack and asks for a bug report (exit code 2).
 */
export function reportError(e: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.user; // commander already printed its one-line message
  }
  if (e instanceof UserError) {
    stderr.write(`skein: ${e.message.split('\n')[0]}\n`);
    if (e instanceof Interrupted && e.signal) return e.signal === 'SIGINT' ? 130 : 143;
    return EXIT.user;
  }
  const env = describeEnvironmentError(e);
  if (env) {
    stderr.write(`skein: ${env}\n`);
    return EXIT.user;
  }
  const err = e as Error;
  stderr.write(`skein: internal error: ${err?.stack ?? String(e)}\nThis is a bug in skein; please report it with the command you ran.\n`);
  return EXIT.internal;
}
