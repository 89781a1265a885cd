import { PYTHON_ISDIGIT_RANGES } from './python-isdigit-table.js';

/**
 * Python's `str.isdigit()` for one code point: true for the Unicode characters of Numeric_Type
 * Digit or Decimal (ASCII 0-9, other scripts' decimal digits, superscripts ², subscripts ₂,
 * circled ③, dingbat ❶, Ethiopic ፩, …). Hand-written over a generated table because no
 * JavaScript regular-expression property names this set: `\p{Nd}` is only the Decimal part and
 * follows Node's Unicode version, not Python's (see python-isdigit-table.ts for the version).
 */
export function isPythonDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  const r = PYTHON_ISDIGIT_RANGES;
  // Binary search over the range starts (even indices).
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < r[2 * mid]!) hi = mid - 1;
    else if (cp > r[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Whether any character of `text` passes Python's `str.isdigit()` (LongRecipe's `any(c.isdigit() for c in text)`). */
export function hasPythonDigit(text: string): boolean {
  for (const ch of text) if (isPythonDigit(ch.codePointAt(0)!)) return true;
  return false;
}
