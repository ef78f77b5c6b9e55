/** The median of a non-empty list (the upper one of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('the median of nothing');
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
