import { describe, expect, it } from 'vitest';
import { eventLine, type LineEvent, type LineOptions } from '../../lib/output/event-lines.js';
import type { PeerInfo } from '../../lib/peer/handshake.js';
import { NETWORKS } from '../../lib/wire/network.js';
import { typicalTxs } from '../support/txs.js';

const INFO: PeerInfo = { version: 70016, services: 1033n, userAgent: '/Satoshi:27.0.0/', startHeight: 800_000, relay: true, wtxidRelay: true, addrv2: true, transport: 'v2' };
const T = 1_700_000_000_123;

function opts(o: Partial<LineOptions> = {}): LineOptions {
  return { emit: new Set(['tx']), raw: false, network: NETWORKS.mainnet, ...o };
}

function parsed(line: string | undefined): Record<string, unknown> {
  expect(line).toBeDefined();
  return JSON.parse(line as string) as Record<string, unknown>;
}

const up: LineEvent = { type: 'peer-up', peer: '1.2.3.4:8333', network: 'ipv4', info: INFO, time: T };
const downEvent = { type: 'peer-down', peer: '1.2.3.4:8333', network: 'ipv4', reason: 'ping-timeout', message: 'no pong', time: T } as const;
const down: LineEvent = downEvent;

describe('eventLine (an event and the options → its line or nothing)', () => {
  it('prints peer lines only with --emit peer', () => {
    expect(eventLine(up, opts())).toBeUndefined();
    expect(eventLine(down, opts())).toBeUndefined();
    expect(parsed(eventLine(up, opts({ emit: new Set(['peer']) })))).toMatchObject({ event: 'peer', state: 'up', peer: '1.2.3.4:8333', network: 'ipv4', transport: 'v2', time: 1_700_000_000.123 });
    expect(parsed(eventLine(down, opts({ emit: new Set(['peer']) })))).toMatchObject({ event: 'peer', state: 'down', reason: 'ping-timeout', message: 'no pong' });
  });

  it('in a census, prints each node once at its visit\'s end, whatever --emit says', () => {
    const tx = opts({ emit: new Set(['tx']) });
    const visited: LineEvent = { type: 'visited', peer: '1.2.3.4:8333', network: 'ipv4', info: INFO, time: T - 1000, rttMs: 42 };
    expect(parsed(eventLine(visited, tx))).toMatchObject({ event: 'peer', state: 'visited', rtt_ms: 42, time: 1_700_000_000 - 1 + 0.123 });
    expect(parsed(eventLine({ ...downEvent, type: 'unreachable' }, tx))).toMatchObject({ event: 'peer', state: 'unreachable', reason: 'ping-timeout' });
  });

  it('prints a transaction with --emit tx only, its hex with --raw, its fee when known', () => {
    const tx = typicalTxs()[0];
    const announcements = { first: { peer: 'a:1', time: T - 500 }, last: { peer: 'b:2', time: T - 100 }, peers: 2 };
    const ev: LineEvent = { type: 'tx', peer: 'b:2', tx, time: T, announcements, fee: undefined };
    expect(eventLine(ev, opts({ emit: new Set(['block']) }))).toBeUndefined();
    const line = parsed(eventLine(ev, opts()));
    expect(line).toMatchObject({ event: 'tx', status: { confirmed: false }, seen: { peer: 'b:2', first: { peer: 'a:1' }, peers: 2 } });
    expect(line.hex).toBeUndefined();
    expect(line.fee).toBeUndefined();
    expect(typeof parsed(eventLine(ev, opts({ raw: true }))).hex).toBe('string');
  });

  it('prints addr and block lines only when asked for; propagation lines always (the crawl tracks them only when asked)', () => {
    const addr: LineEvent = { type: 'addr', address: { network: 'ipv4', host: '5.6.7.8', port: 8333, services: 1n, time: 1_700_000_000, source: '1.2.3.4:8333' }, time: T };
    expect(eventLine(addr, opts())).toBeUndefined();
    expect(parsed(eventLine(addr, opts({ emit: new Set(['addr']) })))).toMatchObject({ event: 'addr', address: '5.6.7.8', seen: { peer: '1.2.3.4:8333' } });
    const item = {
      kind: 'tx' as const,
      name: 'ab'.repeat(32),
      field: 'wtxid' as const,
      first: { peer: 'a:1', time: T },
      announcers: 3,
      delays: { p10: 1, p25: 2, p50: 3, p75: 4, p90: 5, max: 6 },
      byNetwork: new Map([['ipv4', { announcers: 3, p50: 3 }]]),
      early: false,
    };
    expect(parsed(eventLine({ type: 'propagation', item, connected: 8 }, opts()))).toMatchObject({ event: 'propagation', wtxid: 'ab'.repeat(32), connected: 8, by_network: { ipv4: { announcers: 3 } } });
  });

  it('prints a reorg line only with --emit reorg', () => {
    const tip = (h: string, height: number) => ({ hash: h.repeat(64), height });
    const ev: LineEvent = { type: 'reorg', reorg: { peer: 'a:1', time: T, oldTip: tip('a', 101), newTip: tip('b', 102), fork: tip('c', 100), depth: 1 } };
    expect(eventLine(ev, opts({ emit: new Set(['block']) }))).toBeUndefined();
    expect(parsed(eventLine(ev, opts({ emit: new Set(['reorg']) })))).toMatchObject({ event: 'reorg', old_tip: 'a'.repeat(64), new_tip: 'b'.repeat(64), depth: 1 });
  });
});
