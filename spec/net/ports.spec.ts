/** IsBadPort (Bitcoin Core src/netbase.cpp; doc/p2p-bad-ports.md). */
import { describe, expect, it } from 'vitest';
import { BAD_PORTS, isBadPort } from '../../lib/net/ports.js';

/** Core's switch, copied here on its own so a slip in either list shows. */
const CORE_BAD_PORTS = [
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113,
  115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556,
  563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3306, 3389, 3659, 4045, 5060, 5061, 5432, 5900, 6000, 6566,
  6665, 6666, 6667, 6668, 6669, 6697, 10080, 27017,
];

describe('isBadPort', () => {
  it('lists exactly Core’s 85 ports, ascending and without repeats', () => {
    expect(BAD_PORTS).toEqual(CORE_BAD_PORTS);
    expect(BAD_PORTS).toHaveLength(85);
    expect(new Set(BAD_PORTS).size).toBe(BAD_PORTS.length);
    expect([...BAD_PORTS].sort((a, b) => a - b)).toEqual(BAD_PORTS);
  });

  it.each(CORE_BAD_PORTS)('%i is bad', (port) => {
    expect(isBadPort(port)).toBe(true);
  });

  it('no other port from 0 to 65535 is', () => {
    const bad = new Set(CORE_BAD_PORTS);
    const others: number[] = [];
    for (let p = 0; p <= 0xffff; p++) if (isBadPort(p) !== bad.has(p)) others.push(p);
    expect(others).toEqual([]);
  });

  it('the default P2P ports are fine', () => {
    expect([8333, 18333, 48333, 38333, 18444].map(isBadPort)).toEqual([false, false, false, false, false]);
  });
});
