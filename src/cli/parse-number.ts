import { UserError } from '../util/errors.js';

/** A commander argument parser for a positive integer option; names the flag on bad input. */
export function positiveInt(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n <= 0) throw new UserError(`${flag} must be a positive integer, got '${v}'`);
    return n;
  };
}

/** A commander argument parser for a non-negative integer option. */
export function nonNegativeInt(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 0) throw new UserError(`${flag} must be a non-negative integer, got '${v}'`);
    return n;
  };
}
