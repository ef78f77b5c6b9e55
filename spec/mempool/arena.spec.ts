/** The mempool's chunked byte arena (lib/mempool/arena.ts) against a list of ranges: contents kept through compactions, bounded garbage. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, local, type LiveRanges } from '../../lib/mempool/arena.js';

/** A live range of the model: where the arena put it, its length, the byte it was filled with. */
interface Range {
  off: number;
  len: number;
  fill: number;
}

describe('Arena', () => {
  it('keeps every live range\'s bytes, in order, through chunk reuse and compactions; what it holds stays within half the live bytes and a few chunks above them', () => {
    const CHUNK = 256;
    // Mostly small ranges, some larger than a chunk (each gets one of its own), some empty; frees mostly of the oldest.
    const op = fc.record({ take: fc.nat(2).map((n) => n > 0), len: fc.oneof(fc.nat(40), fc.nat(40), fc.integer({ min: CHUNK - 8, max: 3 * CHUNK })), oldest: fc.boolean(), pick: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), (ops) => {
        const arena = new Arena(CHUNK);
        const live: Range[] = []; // arrival order = arena order
        const ranges: LiveRanges = (move) => {
          for (const r of live) r.off = move(r.off, r.len);
        };
        let fill = 0;
        let maxLen = 0;
        for (const o of ops) {
          if (o.take || live.length === 0) {
            const r = { off: arena.take(o.len, ranges), len: o.len, fill: (fill = (fill % 250) + 1) };
            const b = arena.buf(r.off);
            b.fill(r.fill, local(r.off), local(r.off) + r.len);
            live.push(r);
            maxLen = Math.max(maxLen, o.len);
          } else {
            const [r] = live.splice(o.oldest ? 0 : o.pick % live.length, 1);
            arena.free(r.off, r.len);
          }
          // Every live range holds its own bytes (none overwritten by a move or another's take).
          for (const r of live) {
            if (r.len === 0) continue; // no bytes: its chunk may have gone
            const b = arena.buf(r.off);
            expect(local(r.off) + r.len).toBeLessThanOrEqual(b.length);
            for (let k = 0; k < r.len; k++) if (b[local(r.off) + k] !== r.fill) expect(b[local(r.off) + k]).toBe(r.fill);
          }
          const liveBytes = live.reduce((t, r) => t + r.len, 0);
          // Garbage past a quarter of the live bytes and a chunk is compacted at the next new chunk, spare chunks are kept up to another quarter: the last chunk and a long range's own at most above that.
          expect(arena.size).toBeLessThanOrEqual(liveBytes * 1.5 + 6 * CHUNK + 2 * maxLen);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('compacts in linear work: ranges a chunk holds one of (their tails garbage no compaction recovers) do not make every new chunk a compaction', () => {
    const CHUNK = 256;
    const arena = new Arena(CHUNK);
    const live: Range[] = [];
    let walked = 0;
    const ranges: LiveRanges = (move) => {
      for (const r of live) {
        walked += r.len;
        r.off = move(r.off, r.len);
      }
    };
    let taken = 0;
    for (let i = 0; i < 200; i++) {
      const len = CHUNK / 2 + 10;
      live.push({ off: arena.take(len, ranges), len, fill: 0 });
      taken += len;
      // One in ten leaves: garbage a compaction does recover.
      if (i % 10 === 9) arena.free(live.splice(i % 7, 1)[0].off, len);
    }
    // Each compaction walks the live bytes once, and waits for a quarter of them in new garbage: at most ~4× what was taken, not 200 walks of a growing arena.
    expect(walked).toBeLessThanOrEqual(8 * taken);
    expect(walked).toBeGreaterThan(0);
  });

  it('refuses a range longer than an offset can span', () => {
    expect(() => new Arena(256).take(1 << 24, () => undefined)).toThrow(RangeError);
  });
});
