/**
 * Order statistics over measurements. Percentiles are the linear interpolation between
 * closest ranks (numpy's default), so both libraries' numbers are reduced alike.
 *
 * @module
 */

/** The `q`-th percentile (0–100) of `xs`; NaN for an empty list. */
export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile ${q}: expected 0..100`);
  const s = [...xs].sort((a, b) => a - b);
  const pos = ((s.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] as number;
  const b = s[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let t = 0;
  for (const x of xs) t += x;
  return t / xs.length;
}

export function sum(xs: readonly number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}

/** MiB per second of `bytes` produced in `ms` milliseconds. */
export function mibPerSecond(bytes: number, ms: number): number {
  return ms > 0 ? bytes / (1 << 20) / (ms / 1000) : Number.NaN;
}

/** `a / b`, NaN when either is missing or `b` is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return Number.NaN;
  return a / b;
}
