/** One bit per peer slot in a Uint32Array: the `others` bitmaps of the inventory. */

export function hasBit(bits: Uint32Array | undefined, slot: number): boolean {
  const word = slot >>> 5;
  return bits !== undefined && word < bits.length && (bits[word] & (1 << (slot & 31))) !== 0;
}

export function clearBit(bits: Uint32Array | undefined, slot: number): void {
  const word = slot >>> 5;
  if (bits !== undefined && word < bits.length) bits[word] &= ~(1 << (slot & 31));
}

export function popcount(w: number): number {
  let n = 0;
  for (let v = w >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

/** `bits` with `slot`'s bit set: grown (a copy) when too short, to fit `slots` so it seldom grows again. */
export function withBit(bits: Uint32Array | undefined, slot: number, slots: number): Uint32Array {
  const word = slot >>> 5;
  if (bits === undefined || word >= bits.length) {
    const grown = new Uint32Array(Math.max(word + 1, (slots + 31) >>> 5));
    if (bits !== undefined) grown.set(bits);
    bits = grown;
  }
  bits[word] |= 1 << (slot & 31);
  return bits;
}
