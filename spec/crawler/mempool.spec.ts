import { describe, expect, it } from 'vitest';
import { MempoolView } from '../../lib/crawler/mempool.js';

describe('MempoolView', () => {
  it('adds once, confirms, and reports count, total vsize and the oldest age', () => {
    const m = new MempoolView({ capacity: 10, maxAgeMs: 1_000_000 });
    m.add('a', 100, 1_000);
    m.add('b', 250, 2_000);
    m.add('a', 999, 3_000);
    expect(m.stats(11_000)).toEqual({ count: 2, vsize: 350, oldestAge: 10 });
    expect(m.confirm(['a', 'x'])).toBe(1);
    expect(m.stats(11_000)).toEqual({ count: 1, vsize: 250, oldestAge: 9 });
    expect(m.confirm(['b'])).toBe(1);
    expect(m.stats(11_000)).toEqual({ count: 0, vsize: 0, oldestAge: 0 });
  });

  it('stays within its capacity, dropping the oldest', () => {
    const m = new MempoolView({ capacity: 3, maxAgeMs: 1e9 });
    for (let i = 0; i < 10; i++) m.add(`t${i}`, 10, i);
    expect(m.size).toBe(3);
    expect(m.has('t6')).toBe(false);
    expect(m.has('t9')).toBe(true);
    expect(m.stats(9).vsize).toBe(30);
  });

  it('expires entries past the age limit', () => {
    const m = new MempoolView({ capacity: 10, maxAgeMs: 100 });
    m.add('old', 5, 0);
    m.add('new', 7, 150);
    expect(m.stats(120)).toMatchObject({ count: 1, vsize: 7 });
  });
});
