import { describe, expect, it } from 'vitest';
import { fuzz } from '../support/fuzz.js';

describe('fuzzing (a small budget; npm run fuzz runs a million cases)', () => {
  it('lets nothing but DecodeError or FramingError escape the framer and decoders', () => {
    const r = fuzz(20_000, 0xb17c);
    expect(r.decoded + r.refused).toBeGreaterThanOrEqual(r.cases);
    expect(r.refused).toBeGreaterThan(0);
    expect(r.decoded).toBeGreaterThan(0);
  });
});
