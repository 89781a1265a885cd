/**
 * Finds how much filler fits: the largest count n in [0, max] with `size(n) ≤ limit`, assuming
 * `size` grows with n (a binary search over prompt token counts, like RULER's haystack search).
 */
export async function largestFitting(size: (n: number) => Promise<number>, limit: number, max: number): Promise<number> {
  if ((await size(0)) > limit) return -1;
  let lo = 0; // fits
  let hi = 1;
  while (hi <= max && (await size(hi)) <= limit) {
    lo = hi;
    hi *= 2;
  }
  hi = Math.min(hi, max + 1); // does not fit (or is past max)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((await size(mid)) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}
