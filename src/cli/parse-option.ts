import { UserError } from '../util/errors.js';

/** A commander parser for a finite number option (≥ `min` when given); names the flag on bad input. */
export function numberOption(flag: string, min = -Infinity): (v: string) => number {
  return (v: string) => {
    const n = Number(v.replace(/_/g, ''));
    if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new UserError(`${flag} must be a number${min > -Infinity ? ` ≥ ${min}` : ''}, got '${v}'`);
    return n;
  };
}

/** A commander parser for a comma-separated list of positive integers (`1024,2048,4k` is not accepted: give digits). */
export function intList(flag: string, min = 1): (v: string) => number[] {
  return (v: string) => {
    const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
    const out = parts.map((s) => Number(s.replace(/_/g, '')));
    if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < min)) throw new UserError(`${flag} must be a comma-separated list of integers ≥ ${min}, got '${v}'`);
    return out;
  };
}

/** A commander parser for a comma-separated list of numbers in [lo, hi]. */
export function numberList(flag: string, lo: number, hi: number): (v: string) => number[] {
  return (v: string) => {
    const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
    const out = parts.map(Number);
    if (out.length === 0 || out.some((n) => !Number.isFinite(n) || n < lo || n > hi)) throw new UserError(`${flag} must be a comma-separated list of numbers in [${lo}, ${hi}], got '${v}'`);
    return out;
  };
}
