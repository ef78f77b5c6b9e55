import { describe, expect, it } from 'vitest';
import { randomNonce } from '../../lib/peer/session.js';

describe('randomNonce', () => {
  it('gives distinct 64-bit nonces across refills of its pool', () => {
    // 4,000 nonces draw the 4 KiB pool about eight times; a repeat would mean a reused pool.
    const nonces = Array.from({ length: 4_000 }, () => randomNonce());
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(nonces.every((n) => n >= 0n && n < 1n << 64n)).toBe(true);
    // Not stuck on zero bytes: the high bytes vary too.
    expect(new Set(nonces.map((n) => n >> 56n)).size).toBeGreaterThan(100);
  });
});
