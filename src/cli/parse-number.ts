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

/** A commander parser for a token count: `1000000000`, `1_000_000`, `1e9`, `1B`, `500M`, `64K` (1,000-based). */
export function tokenCount(flag: string): (v: string) => number {
  return (v: string) => {
    const m = /^([\d_.]+(?:e\d+)?)\s*([kKmMbBgGtT]?)$/.exec(v.trim());
    const scale: Record<string, number> = { '': 1, k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12 };
    const n = m ? Number(m[1]!.replace(/_/g, '')) * scale[m[2]!.toLowerCase()]! : NaN;
    if (!Number.isInteger(n) || n <= 0) throw new UserError(`${flag} must be a positive whole number of tokens (such as 1000000000, 1e9, 1B or 500M), got '${v}'`);
    return n;
  };
}

/** A commander parser for a byte size: `67108864`, `64MiB`, `64M`, `1GiB`, `512K` (1,024-based; `B` allowed). */
export function byteSize(flag: string): (v: string) => number {
  return (v: string) => {
    const m = /^([\d_.]+)\s*(?:([kKmMgG])(?:i?[bB])?|[bB])?$/.exec(v.trim());
    const scale: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };
    const n = m ? Number(m[1]!.replace(/_/g, '')) * scale[(m[2] ?? '').toLowerCase()]! : NaN;
    if (!Number.isInteger(n) || n <= 0) throw new UserError(`${flag} must be a positive size in bytes (such as 67108864, 64MiB or 1G), got '${v}'`);
    return n;
  };
}
